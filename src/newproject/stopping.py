"""Stopping cleanly: SIGINT, SIGTERM and SIGHUP as an exception, and a clean-up they wait for.

A render (render.py) and an update (update/apply.py) both undo what they wrote when
stopped; these two context managers are how.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

from .errors import Interrupted

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def signals_as_interrupt() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into Interrupted so the clean-up above runs."""

    def interrupt(signum, frame):
        raise Interrupted(signum)

    try:
        previous = {signum: signal.signal(signum, interrupt) for signum in STOP_SIGNALS}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Hold the stop signals back (they arrive afterwards) while cleaning up."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    except (AttributeError, ValueError, OSError):  # no pthread_sigmask on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
