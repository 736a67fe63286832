"""The interactive mode in a real pseudo-terminal: menu by arrow keys, answers typed."""

from __future__ import annotations

import json
import time

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
    child.expect(r"License \(MIT, Apache-2.0, BSD-3-Clause\) \[MIT\]: ")
    child.sendline("apache-2.0")  # any case; recorded as spelt in the choices
    child.expect(
        r"Lowest Python version the project supports \(3.10, 3.11, 3.12, 3.13\) \[3.11\]: "
    )
    child.sendline("3.9")
    child.expect("Error: python_version must be one of 3.10, 3.11, 3.12, 3.13")
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


def spawn_at_first_question(tmp_path):
    child = pexpect.spawn(
        venv_bin("newproject"),
        ["new", "dl-fundamentals", "-o", str(tmp_path), "--no-git"],
        encoding="utf-8",
        timeout=30,
    )
    child.expect(r"Project name \(shown in the README\) \[Deep Learning From Scratch\]: ")
    # A signal that lands between input()'s prompt and its read() waits for the next key
    # (a CPython race a person's reaction time never meets); give the read time to start.
    time.sleep(0.3)
    return child


def test_ctrl_c_at_a_prompt_is_one_line_and_exit_130(tmp_path):
    child = spawn_at_first_question(tmp_path)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert child.before.replace("\r", "").strip("\n").splitlines() == ["^C", "Aborted."]
    assert list(tmp_path.iterdir()) == []


def test_end_of_input_at_a_prompt_is_one_line(tmp_path):
    child = spawn_at_first_question(tmp_path)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    lines = [line for line in child.before.replace("\r", "").splitlines() if line.strip()]
    assert lines == ["Error: input ended before every question was answered"]
    assert list(tmp_path.iterdir()) == []
