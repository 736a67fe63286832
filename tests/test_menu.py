"""The arrow-key menu in a real pseudo-terminal: every key of a read counts, a number moves
to its entry and Enter confirms (as the hint says), Esc does not quit, a resize redraws."""

from __future__ import annotations

import os
import re
import time

import pexpect
import pytest
from conftest import TEMPLATES, venv_bin

from newproject.catalog import load_catalog
from newproject.keys import DOWN, ENTER, ESCAPE, OTHER, UP, split_keys

# The menu's entries in order: the tests name positions, the catalog says what stands there.
TITLES = [gap.title for gap in load_catalog(TEMPLATES).values()]

DOWN_KEY, UP_KEY, ESC = "\x1b[B", "\x1b[A", "\x1b"
STYLE = re.compile(r"\x1b\[[0-9;]*m")


def spawn(tmp_path, columns=120) -> pexpect.spawn:
    child = pexpect.spawn(
        venv_bin("newproject"),
        ["new", "-o", str(tmp_path / "out"), "--no-git"],
        encoding="utf-8",
        timeout=30,
        dimensions=(40, columns),
        env={**os.environ, "TERM": "xterm"},
    )
    child.expect("Enter to confirm, q to quit.")
    time.sleep(0.2)  # the menu is reading keys
    return child


def chosen(child: pexpect.spawn) -> str:
    child.expect(r"Gap: ([^\r\n]+)\r\n")
    return child.match.group(1)


def stop(child: pexpect.spawn) -> None:
    """End the run at the first question (what follows is test_interactive's)."""
    child.terminate(force=True)


def test_two_arrow_keys_in_one_read_both_move(tmp_path):
    child = spawn(tmp_path)
    child.send(DOWN_KEY + DOWN_KEY)  # one write: the menu gets both in one read
    child.send("\r")
    assert chosen(child) == TITLES[2]
    stop(child)


@pytest.mark.parametrize("writes", [["3\r"], ["3", "\r"], ["1", DOWN_KEY + UP_KEY + "2\r"]])
def test_a_number_then_enter_chooses_that_entry(tmp_path, writes):
    child = spawn(tmp_path)
    for write in writes:
        child.send(write)
        time.sleep(0.1)
    expected = TITLES[2] if writes[0].startswith("3") else TITLES[1]
    assert chosen(child) == expected
    child.expect(r"Project name \(shown in the README\) \[.*\]: ")
    assert "Project name" not in child.before  # the Enter did not leak into the next prompt
    stop(child)


def test_a_number_alone_only_moves_to_its_entry(tmp_path):
    child = spawn(tmp_path)
    child.send("2")
    child.expect(r"> 2\. Custom model architecture")
    with pytest.raises(pexpect.TIMEOUT):
        child.expect("Gap: ", timeout=1)  # not chosen until Enter
    child.send("\r")
    assert chosen(child) == TITLES[1]
    stop(child)


def test_esc_does_not_quit_and_says_how_to(tmp_path):
    child = spawn(tmp_path)
    child.send(ESC)
    child.expect("Esc does nothing here: Enter chooses, q quits.")
    assert child.isalive()
    child.send("9")
    child.expect("No option '9'")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "Aborted." in child.before
    assert not (tmp_path / "out").exists()


def test_a_resize_redraws_the_menu_to_the_new_width(tmp_path):
    child = spawn(tmp_path, columns=120)
    child.setwinsize(40, 50)  # SIGWINCH
    child.expect(r"\x1b\[H\x1b\[2J")  # from the top of a cleared screen
    child.expect("Which skill gap do you want to close\\?")
    child.send("\x1b[B")  # and the redraw goes on at the new width
    child.expect(r"> 2\. ")
    child.expect(r"\n")
    redrawn = child.before
    child.send("\r")
    assert chosen(child) == TITLES[1]
    lines = [STYLE.sub("", line) for line in re.split(r"\r\n|\x1b\[J", redrawn)]
    assert all(len(line) <= 49 for line in lines), lines
    stop(child)


def test_what_is_typed_after_the_menu_reaches_the_next_prompt(tmp_path):
    child = spawn(tmp_path)
    child.send("2\rPasted Lab\r")  # a paste: the choice and the first answer at once
    assert chosen(child) == TITLES[1]
    child.expect(r"Distribution name \(pip install name, folder name\) \[pasted-lab\]: ")
    stop(child)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("\x1b[B\x1b[B\r", [DOWN, DOWN, ENTER]),
        ("3\r", ["3", ENTER]),
        ("\x1bOA\x1b[A\n", [UP, UP, ENTER]),
        ("\x1b", [ESCAPE]),
        ("\x1b[C\x1b[1;5D\x1b[3~", [OTHER, OTHER, OTHER]),  # Right, Ctrl-Left, Delete
        ("é12", ["é", "1", "2"]),
    ],
)
def test_every_key_of_a_read_is_named(text, keys):
    assert split_keys(text) == keys


def test_ctrl_c_and_ctrl_d_in_a_menu_stop_as_at_a_prompt():
    with pytest.raises(KeyboardInterrupt):
        split_keys("1\x03")
    with pytest.raises(EOFError):
        split_keys("\x04")
