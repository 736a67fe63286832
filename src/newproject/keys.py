"""Keys from the terminal, each one: the one reader behind every arrow-key menu.

A single read may hold several keys ("Down Down" sent at once, "3" and Enter typed
quickly, a paste): every one is handed on, in order. Bytes are taken one at a time, so
whatever follows the key that ends a menu stays in the terminal for the next prompt. An
escape sequence split across reads is put back together; Esc alone is a key of its own.
A terminal resize is reported as a key too (`RESIZE`), so the menu can redraw.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import select
import signal
import sys
from collections.abc import Iterator

import click

UP, DOWN, ENTER, ESCAPE, RESIZE, OTHER = "up", "down", "enter", "escape", "resize", "other"
_NAMED = {"\x1b[A": UP, "\x1bOA": UP, "\x1b[B": DOWN, "\x1bOB": DOWN, "\r": ENTER, "\n": ENTER}
# A CSI sequence (parameters, intermediates, a final byte), an SS3 one, Esc, one character.
_KEY = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1bO.|\x1b|.", re.DOTALL)
_SEQUENCE_WAIT = 0.05  # seconds for the rest of an escape sequence (a slow link splits one)
_POLL = 0.1  # seconds between looks at a pending resize


def split_keys(text: str) -> list[str]:
    """Key names in `text`: UP, DOWN, ENTER, ESCAPE, OTHER (any other sequence), or the
    character itself. Ctrl-C and Ctrl-D raise, as at a prompt."""
    keys = []
    for key in _KEY.findall(text):
        if key == "\x03":
            raise KeyboardInterrupt
        if key == "\x04":
            raise EOFError
        if key in _NAMED:
            keys.append(_NAMED[key])
        elif key == "\x1b":
            keys.append(ESCAPE)
        elif key.startswith("\x1b"):
            keys.append(OTHER)
        else:
            keys.append(key)
    return keys


class KeyReader:
    """`with KeyReader() as reader: for key in reader: ...`: the terminal in cbreak mode
    (no echo, a key at a time, Ctrl-C still a signal) until the block ends."""

    def __init__(self) -> None:
        self._fd = None
        self._saved = None
        self._resized = False
        self._previous_winch = None
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def __enter__(self) -> KeyReader:
        try:
            import termios
            import tty

            fd = sys.stdin.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
            self._fd = fd
        except (ImportError, OSError, ValueError, AttributeError):
            self._fd = None  # no POSIX terminal: click.getchar, a read at a time
        with contextlib.suppress(AttributeError, ValueError):  # no SIGWINCH, or not main
            self._previous_winch = signal.signal(signal.SIGWINCH, self._on_resize)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous_winch is not None:
            signal.signal(signal.SIGWINCH, self._previous_winch)
        if self._fd is not None:
            import termios

            # TCSADRAIN keeps what was typed after the menu's last key for the next prompt.
            termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)

    def _on_resize(self, signum, frame) -> None:
        self._resized = True

    def __iter__(self) -> Iterator[str]:
        while True:
            if self._resized:
                self._resized = False
                yield RESIZE
            if self._fd is None:
                yield from split_keys(click.getchar())
                continue
            if not self._ready(_POLL):
                continue
            yield from split_keys(self._read_key())

    def _ready(self, timeout: float) -> bool:
        try:
            return bool(select.select([self._fd], [], [], timeout)[0])
        except InterruptedError:  # pragma: no cover - Python retries select itself
            return False

    def _byte(self) -> bytes:
        data = os.read(self._fd, 1)
        if not data:
            raise EOFError
        return data

    def _read_key(self) -> str:
        """One key's bytes: a character, or a whole escape sequence."""
        data = self._byte()
        if data == b"\x1b" and self._ready(_SEQUENCE_WAIT):
            data += self._byte()
            if data == b"\x1b[":
                while self._ready(_SEQUENCE_WAIT):
                    data += self._byte()
                    if 0x40 <= data[-1] <= 0x7E:  # the final byte
                        break
            elif data == b"\x1bO" and self._ready(_SEQUENCE_WAIT):
                data += self._byte()
        text = self._decoder.decode(data)
        while not text and self._ready(_SEQUENCE_WAIT):  # the rest of a UTF-8 character
            text = self._decoder.decode(self._byte())
        return text
