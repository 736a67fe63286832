"""Which implementation of each exercise runs: the reference (default) or yours.

Set the environment variable EXERCISES before running anything:

    EXERCISES=mine make test                    # every exercise uses your code
    EXERCISES=conv2d_backward,adamw_step make smoke   # only these two
    (unset, or EXERCISES=reference)             # the reference everywhere

The engine calls exercises only through the functions decorated here, so with
the switch on, training and every test run on your code.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

ENV_VAR = "EXERCISES"


def uses_mine(name: str) -> bool:
    """True when EXERCISES selects your version of the exercise `name`."""
    chosen = os.environ.get(ENV_VAR, "").strip()
    if chosen in ("", "reference"):
        return False
    if chosen in ("mine", "all"):
        return True
    return name in {part.strip() for part in chosen.split(",")}


def exercise(reference: Callable) -> Callable[[Callable], Callable]:
    """Decorate your function: calls go to `reference` unless EXERCISES selects yours."""

    def decorate(mine: Callable) -> Callable:
        @functools.wraps(mine)
        def dispatch(*args, **kwargs):
            chosen = mine if uses_mine(mine.__name__) else reference
            return chosen(*args, **kwargs)

        dispatch.mine = mine
        dispatch.reference = reference
        return dispatch

    return decorate


def not_written(name: str, test: str) -> NotImplementedError:
    """The error an exercise raises until it is written (only when you switch to it)."""
    return NotImplementedError(
        f"exercise `{name}` is not written yet: write it, then run "
        f"`EXERCISES={name} python -m pytest {test}`"
    )
