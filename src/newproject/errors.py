"""Errors the user or the machine can cause; the CLI prints each as one line and exits non-zero.

Library code raises these; `cli.main` alone turns them into exit codes:
`UsageError` (and click's own usage errors) exit 2, every other `NewprojectError`
exits 1, an interrupt exits 128 + the signal number (130 for Ctrl-C).
"""

from __future__ import annotations

import signal


class NewprojectError(Exception):
    """An expected failure with a message meant for the user (exit code 1)."""

    exit_code = 1


class UsageError(NewprojectError):
    """The command was asked for something it cannot do as asked (exit code 2, as click's)."""

    exit_code = 2


class UnknownGapError(UsageError):
    """The gap id names no template."""


class InvalidAnswerError(UsageError):
    """An answer (or answers file) that cannot be used."""


class UnreadableAnswersFileError(InvalidAnswerError):
    """An answers file that cannot be read as text (missing, binary, undecodable): a fault of
    the file, as a read-only disk is of the machine, so exit code 1, not a usage error."""

    exit_code = 1


class TargetExistsError(NewprojectError):
    """The project folder already exists; newproject never touches it."""


class RenderError(NewprojectError):
    """The template failed to render; nothing was left behind."""


class OutputError(NewprojectError):
    """The machine refused to hold the project (read-only, full, not a folder, ...)."""


class Interrupted(KeyboardInterrupt):
    """A signal that stops newproject (SIGINT, SIGTERM, SIGHUP), raised where it lands.

    A KeyboardInterrupt, so every clean-up that handles Ctrl-C handles the others too.
    """

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def shown(value: object) -> str:
    """`value` quoted with every invisible or line-breaking character escaped: one line, always.

    Python's repr escapes exactly the characters str.isprintable() refuses (controls,
    line and paragraph separators, bidi overrides, zero-width characters, BOM ...).
    """
    return repr(str(value))


def one_line(message: str) -> str:
    """`message` with anything that would break or hide part of the line escaped."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in message)
