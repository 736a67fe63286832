"""SIGTERM / Ctrl-C: finish the current step, save a checkpoint, exit."""

from __future__ import annotations

import signal
import threading


class GracefulStop:
    """Records a stop request instead of dying; a second Ctrl-C interrupts at once."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def _handle(self, signum, _frame) -> None:
        self.signum = signum
        # The next one is not caught: a second Ctrl-C stops even a hung save.
        signal.signal(signum, self._previous.get(signum, signal.SIG_DFL))

    def __enter__(self) -> GracefulStop:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *_exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
