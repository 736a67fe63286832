"""The interactive gap menu: arrow keys or a number, Enter to choose."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence

import click

from .catalog import Gap

_UP = {"\x1b[A", "\x1bOA", "k"}
_DOWN = {"\x1b[B", "\x1bOB", "j"}
_ENTER = {"\r", "\n"}
_QUIT = {"q", "\x1b"}


def choose_gap(gaps: Sequence[Gap]) -> Gap:
    """Let the user pick one gap; raises click.Abort when they quit."""
    if os.environ.get("TERM") == "dumb":
        return _choose_by_number(gaps)
    click.echo("Which skill gap do you want to close?")
    click.echo("Arrow keys or a number to choose, Enter to confirm, q to quit.")
    selected = 0
    _draw(gaps, selected, redraw=False)
    while True:
        key = click.getchar()
        if key in _UP:
            selected = (selected - 1) % len(gaps)
        elif key in _DOWN:
            selected = (selected + 1) % len(gaps)
        elif key.isdigit() and 1 <= int(key) <= len(gaps):
            selected = int(key) - 1
            _draw(gaps, selected, redraw=True)
            break
        elif key in _ENTER:
            break
        elif key in _QUIT:
            raise click.Abort
        else:
            continue
        _draw(gaps, selected, redraw=True)
    click.echo(f"\n{gaps[selected].title}\n")
    return gaps[selected]


def _draw(gaps: Sequence[Gap], selected: int, *, redraw: bool) -> None:
    # One screen line per gap, cut to the terminal's width, so the redraw can move back up.
    width = max(20, shutil.get_terminal_size((100, 24)).columns - 1)
    lines = []
    for index, gap in enumerate(gaps):
        text = f"{'>' if index == selected else ' '} {index + 1}. {gap.title} - {gap.pitch}"
        if len(text) > width:
            text = text[: width - 3] + "..."
        styled = click.style(text, fg="cyan", bold=True) if index == selected else text
        lines.append(f"\x1b[2K{styled}")
    if redraw:
        click.echo(f"\x1b[{len(gaps)}A", nl=False)
    click.echo("\n".join(lines))


def _choose_by_number(gaps: Sequence[Gap]) -> Gap:
    click.echo("Which skill gap do you want to close?")
    for index, gap in enumerate(gaps, start=1):
        click.echo(f"  {index}. {gap.title} - {gap.pitch}")
    number = click.prompt("Number", type=click.IntRange(1, len(gaps)), default=1)
    return gaps[number - 1]
