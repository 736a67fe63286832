"""The interactive mode in a real pseudo-terminal: menu by arrow keys, answers typed."""

from __future__ import annotations

import json

import pexpect
from conftest import venv_bin

DOWN = "\x1b[B"


def test_menu_and_questions_in_a_terminal(tmp_path):
    child = pexpect.spawn(
        venv_bin("newproject"),
        ["new", "-o", str(tmp_path), "--no-git"],
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 160),
    )
    child.expect("Which skill gap do you want to close?")
    child.expect("Deep learning fundamentals")
    child.send(DOWN)  # 3d-scene-understanding -> custom-model-architecture
    child.send("\r")
    child.expect("Custom model architecture")
    answers = {
        "Project name": "Attention Lab",
        "Distribution name": "",  # accept the derived default
        "Python package name": "not-valid",  # rejected, asked again
    }
    for prompt, typed in answers.items():
        child.expect(prompt)
        child.expect(r"\]?: ")
        child.sendline(typed)
    child.expect("not a valid Python package name")
    child.expect("Python package name")
    child.sendline("attention_lab")
    child.expect("One-line description")
    child.sendline('Attention, "quoted" & {{ raw }}')
    for _ in ("author name", "e-mail"):
        child.expect(r": ")
        child.sendline("")
    child.expect("Licence")
    child.sendline("Apache-2.0")
    child.expect("Lowest Python version")
    child.sendline("3.12")
    child.expect("Created")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    record = json.loads((tmp_path / "attention-lab" / ".newproject.json").read_text())
    assert record["gap"] == "custom-model-architecture"
    assert record["answers"]["package_name"] == "attention_lab"
    assert record["answers"]["description"] == 'Attention, "quoted" & {{ raw }}'
    assert record["answers"]["license"] == "Apache-2.0"
    assert record["answers"]["python_version"] == "3.12"


def test_number_key_picks_a_gap_and_q_quits(tmp_path):
    child = pexpect.spawn(
        venv_bin("newproject"), ["new", "-o", str(tmp_path)], encoding="utf-8", timeout=30
    )
    child.expect("Which skill gap")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert list(tmp_path.iterdir()) == []
