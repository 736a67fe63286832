"""One arrow-key choice in a terminal: Up/Down (or j/k) to move, Enter or the shown key to pick.

Every key in one read is handled in order (a terminal may deliver "Down Down Enter" at once).
After the choice the list folds into one line, so ten questions fit on one screen. With
TERM=dumb the options are numbered and read with a plain prompt.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

import click

_UP = {"\x1b[A", "\x1bOA", "k"}
_DOWN = {"\x1b[B", "\x1bOB", "j"}
_ENTER = {"\r", "\n"}
_QUIT = {"q", "\x1b"}
# An escape sequence (CSI or SS3), a lone Esc, or any one character.
_KEY = re.compile(r"\x1b\[[0-9;]*[A-Za-z~]|\x1bO[A-Za-z]|\x1b|.", re.DOTALL)


@dataclass(frozen=True)
class Option:
    """One choice: the key that picks it, its text, and the short answer shown once chosen."""

    key: str
    text: str
    answer: str


def choose(
    question: str,
    options: Sequence[Option],
    *,
    summary: str,
    default: int = 0,
    err: bool = False,
) -> int:
    """The index of the option the user picks; click.Abort when they quit (q or Esc).

    Once chosen, the question and its list fold into "summary: answer".
    """
    if os.environ.get("TERM") == "dumb":
        return _choose_by_key(question, options, default, err)
    selected = default
    click.echo(_fit(question), err=err)
    _draw(options, selected, redraw=False, err=err)
    while True:
        for key in _KEY.findall(click.getchar()):
            if key in _UP:
                selected = (selected - 1) % len(options)
            elif key in _DOWN:
                selected = (selected + 1) % len(options)
            elif key in _ENTER:
                return _fold(summary, options, selected, err)
            elif key in _QUIT:
                raise click.Abort
            else:
                picked = [i for i, option in enumerate(options) if option.key == key]
                if picked:
                    return _fold(summary, options, picked[0], err)
        _draw(options, selected, redraw=True, err=err)


def _fit(text: str) -> str:
    # One screen line per entry, cut to the terminal's width, so the redraw can move back up.
    width = max(20, shutil.get_terminal_size((100, 24)).columns - 1)
    return text if len(text) <= width else text[: width - 3] + "..."


def _draw(options: Sequence[Option], selected: int, *, redraw: bool, err: bool) -> None:
    lines = []
    for index, option in enumerate(options):
        text = _fit(f"{'>' if index == selected else ' '} {option.key}. {option.text}")
        styled = click.style(text, fg="cyan", bold=True) if index == selected else text
        lines.append(f"\x1b[2K{styled}")
    if redraw:
        click.echo(f"\x1b[{len(options)}A", nl=False, err=err)
    click.echo("\n".join(lines), err=err)


def _fold(summary: str, options: Sequence[Option], chosen: int, err: bool) -> int:
    """Replace the question and its list by one line: the summary and the answer."""
    click.echo(f"\x1b[{len(options) + 1}A\x1b[J", nl=False, err=err)
    click.echo(_fit(f"{summary}: {options[chosen].answer}"), err=err)
    return chosen


def _choose_by_key(question: str, options: Sequence[Option], default: int, err: bool) -> int:
    click.echo(question, err=err)
    for option in options:
        click.echo(f"  {option.key}. {option.text}", err=err)
    keys = [option.key for option in options]
    key = click.prompt(
        "Choice", type=click.Choice(keys), default=keys[default], show_choices=False, err=err
    )
    return keys.index(key)
