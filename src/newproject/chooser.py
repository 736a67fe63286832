"""One arrow-key choice in a terminal, for the gap menu and the recommender alike.

Up/Down (or k/j) move, a number (the key shown) moves to its option, Enter confirms, q
quits; Esc only says how to quit. Every key of a read counts (newproject.keys). A resize
redraws the question from the top of a cleared screen. Once chosen, the question and its
list fold into one line, "summary: answer". With TERM=dumb the options are numbered and
read with a plain prompt.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from typing import NamedTuple

import click

from .keys import DOWN, ENTER, ESCAPE, RESIZE, UP, KeyReader

_UP_KEYS, _DOWN_KEYS = {UP, "k"}, {DOWN, "j"}
ESCAPE_HINT = "Esc does nothing here: Enter chooses, q quits."


class Option(NamedTuple):
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
    hint: str | None = None,
    err: bool = False,
) -> int:
    """The index of the option the user confirms; click.Abort when they quit (q).

    `hint` (how to choose) is shown under the question.
    """
    if os.environ.get("TERM") == "dumb":
        return _choose_by_key(question, options, default, err)
    menu = _Menu(question, options, default, hint, err)
    menu.draw()
    with KeyReader() as reader:
        for key in reader:
            if menu.press(key):
                break
    menu.fold(summary)
    return menu.selected


class _Menu:
    """What is on the screen and how each key changes it."""

    def __init__(self, question, options, selected, hint, err):
        self.question, self.options, self.selected = question, list(options), selected
        self.hint, self.err = hint, err
        self.status = ""
        self.typed = ""  # the digits of a number being typed (10, 11, ... for long lists)
        self.height = 0  # screen lines drawn, to move back over

    def press(self, key: str) -> bool:
        """Apply one key; True once the choice is confirmed."""
        self.status = ""
        if key == ENTER:
            return True
        if key in _UP_KEYS:
            self.selected, self.typed = (self.selected - 1) % len(self.options), ""
        elif key in _DOWN_KEYS:
            self.selected, self.typed = (self.selected + 1) % len(self.options), ""
        elif key == "q":
            raise click.Abort
        elif key == ESCAPE:
            self.status = ESCAPE_HINT
        elif key == RESIZE:
            click.echo("\x1b[H\x1b[2J", nl=False, err=self.err)  # a clean screen, from the top
            self.height = 0
        elif len(key) == 1 and key.isprintable():
            self._type(key)
        else:
            return False  # another sequence (Left, Home, ...): nothing to redraw
        self.draw()
        return False

    def _type(self, char: str) -> None:
        keys = [option.key for option in self.options]
        for candidate in (self.typed + char, char):
            if candidate in keys:
                self.selected, self.typed = keys.index(candidate), candidate
                return
        self.typed = ""
        self.status = f"No option {char!r}: {', '.join(keys)}; Enter chooses, q quits."

    def lines(self) -> list[str]:
        lines = [_fit(self.question)]
        if self.hint:
            lines.append(_fit(self.hint))
        for index, option in enumerate(self.options):
            text = _fit(f"{'>' if index == self.selected else ' '} {option.key}. {option.text}")
            lines.append(
                click.style(text, fg="cyan", bold=True) if index == self.selected else text
            )
        lines.append(_fit(self.status))
        return lines

    def draw(self) -> None:
        # Back to the first line drawn, clear to the end of the screen, draw again.
        back = f"\r\x1b[{self.height - 1}A\x1b[J" if self.height > 1 else "\r\x1b[J"
        lines = self.lines()
        click.echo((back if self.height else "") + "\n".join(lines), nl=False, err=self.err)
        self.height = len(lines)

    def fold(self, summary: str) -> None:
        """Replace the question and its list by one line: the summary and the answer."""
        back = f"\r\x1b[{self.height - 1}A\x1b[J" if self.height > 1 else "\r\x1b[J"
        answer = self.options[self.selected].answer
        click.echo(back + _fit(f"{summary}: {answer}"), err=self.err)


def _fit(text: str) -> str:
    # One screen line per entry, cut to the terminal's width, so a redraw can move back up.
    width = max(20, shutil.get_terminal_size((100, 24)).columns - 1)
    return text if len(text) <= width else text[: width - 3] + "..."


def _choose_by_key(question: str, options: Sequence[Option], default: int, err: bool) -> int:
    click.echo(question, err=err)
    for option in options:
        click.echo(f"  {option.key}. {option.text}", err=err)
    keys = [option.key for option in options]
    key = click.prompt(
        "Choice", type=click.Choice(keys), default=keys[default], show_choices=False, err=err
    )
    return keys.index(key)
