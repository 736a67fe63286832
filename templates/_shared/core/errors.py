"""Expected failures, and the one place where they become an exit code.

Library code raises; only a module's ``main`` entry, through ``run_main``, turns an error into
one line on stderr and an exit code. So a test or a notebook calling the same functions gets an
exception it can catch, and a user at the terminal never sees a traceback for a mistake of theirs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn


class ProjectError(Exception):
    """A failure the user can fix (exit code 1): a missing run, a damaged file, ..."""

    exit_code = 1
    label = "error"  # how run_main introduces the message


class ConfigError(ProjectError, ValueError):
    """A config key or value (in a file or on the command line) that cannot be used (exit 2)."""

    exit_code = 2


class DataError(ProjectError, ValueError):
    """A data file that does not hold what its format says; the message names file and line."""

    @classmethod
    def at(cls, path: str | Path, line: int | None, problem: str) -> DataError:
        """`path:line: problem`, with the 1-based line number (None: the whole file)."""
        where = f"{path}:{line}" if line is not None else str(path)
        return cls(f"{where}: {problem}")


def one_line(message: object) -> str:
    """The message on one line: line breaks and other control characters shown escaped."""
    text = str(message)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def run_main(
    main: Callable[[Sequence[str] | None], Any], argv: Sequence[str] | None = None
) -> NoReturn:
    """Call ``main(argv)`` and exit: 0 on success, the error's code after one line on stderr,
    130 after Ctrl-C."""
    try:
        main(argv)
    except ProjectError as error:
        print(f"{error.label}: {one_line(error)}", file=sys.stderr)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(0)
