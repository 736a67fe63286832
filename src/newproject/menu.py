"""The interactive gap menu: arrow keys or a number, Enter to confirm (newproject.chooser)."""

from __future__ import annotations

from collections.abc import Sequence

from .catalog import Gap
from .chooser import Option, choose

QUESTION = "Which skill gap do you want to close?"
HINT = "Arrow keys or a number to choose, Enter to confirm, q to quit."


def choose_gap(gaps: Sequence[Gap]) -> Gap:
    """Let the user pick one gap (or menu entry); raises click.Abort when they quit."""
    options = [
        Option(str(index), f"{gap.title} - {gap.pitch}", gap.title)
        for index, gap in enumerate(gaps, start=1)
    ]
    return gaps[choose(QUESTION, options, summary="Gap", hint=HINT)]
