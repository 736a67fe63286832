"""`newproject recommend` and the menu's "help me choose" in a real pseudo-terminal."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pexpect
import pytest
import yaml
from conftest import TEMPLATES, venv_bin

from newproject.catalog import load_catalog
from newproject.recommender.gaps import read_gap_profiles
from newproject.recommender.profiles import load_profiles
from newproject.recommender.score import asked_skills

DOWN = "\x1b[B"
UP = "\x1b[A"
# The deployment-strong perception engineer: applied CV, driving.
LEVELS = {
    "dl-fundamentals": 1,
    "model-design": 1,
    "experiment-rigor": 1,
    "3d-perception": 1,
    "detection-tracking": 2,
    "lidar": 1,
    "deployment": 4,
    "ml-engineering": 3,
}


def asked() -> list[str]:
    profiles = load_profiles()
    gaps, _ = read_gap_profiles(load_catalog(TEMPLATES).values(), profiles)
    return asked_skills(gaps, profiles)


def spawn(program: str, args: list[str], cwd: Path, **env) -> pexpect.spawn:
    return pexpect.spawn(
        program,
        args,
        cwd=str(cwd),
        env={**os.environ, "TERM": "xterm", **env},
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 140),
    )


def answer_the_questionnaire(child: pexpect.spawn) -> None:
    """Role by number, domain by arrow keys (two keys in one write), levels by number."""
    skills = asked()
    child.expect(f"{len(skills) + 2} quick questions")
    child.expect(r"\(1/\d+\) Which role are you aiming at\?")
    child.send(DOWN + UP)  # moved and back, one read
    child.send("1\r")  # a number moves to its option, Enter confirms: one read
    child.expect("Role: Applied computer vision / perception engineer")
    child.expect(r"In which domain\?")
    child.send(DOWN + "\r")  # from "general" to "driving", one read
    child.expect("Domain: Autonomous driving")
    for skill in skills:
        child.expect("Rate yourself")
        child.send(str(LEVELS[skill]))
        child.send("\r")  # a second read
        child.expect(r": \d \w+")


def accept_defaults_until_created(child: pexpect.spawn) -> None:
    """Enter at every remaining project question, until the project is created."""
    while child.expect([r"Created", r"\]: "]) == 1:
        child.sendline("")


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_recommend_asks_in_a_terminal_and_recommends(tmp_path):
    child = spawn(venv_bin("newproject"), ["recommend"], tmp_path)
    answer_the_questionnaire(child)
    child.expect("Aiming at: Applied computer vision / perception engineer")
    child.expect("Start with:")
    child.expect("newproject new dl-fundamentals")
    assert finish(child) == 0
    assert list(tmp_path.iterdir()) == []


def test_only_what_the_file_leaves_open_is_asked(tmp_path):
    answers = tmp_path / "me.yaml"
    answers.write_text(yaml.safe_dump({"role": "applied-cv", "domain": "driving"}))
    child = spawn(venv_bin("newproject"), ["recommend", "--answers", str(answers)], tmp_path)
    skills = asked()
    child.expect(f"{len(skills)} quick questions")
    for skill in skills:
        child.expect(r"Rate yourself")
        child.send(f"{LEVELS[skill]}\r")
    child.expect("newproject new dl-fundamentals")
    assert finish(child) == 0
    assert "Which role" not in child.before


def test_q_quits_without_writing(tmp_path):
    child = spawn(venv_bin("newproject"), ["recommend", "--then-new"], tmp_path)
    child.expect("Which role")
    child.send("q")
    assert finish(child) == 1
    assert "Aborted" in child.before
    assert list(tmp_path.iterdir()) == []


def test_a_dumb_terminal_gets_numbered_prompts(tmp_path):
    answers = tmp_path / "me.yaml"
    answers.write_text(yaml.safe_dump({"levels": LEVELS}))
    child = spawn(
        venv_bin("newproject"), ["recommend", "--answers", str(answers)], tmp_path, TERM="dumb"
    )
    child.expect("Which role are you aiming at")
    child.expect("Choice")
    child.sendline("3")  # ML platform / deployment engineer
    child.expect("In which domain")
    child.expect("Choice")
    child.sendline("")  # the default: general
    child.expect("ML platform / deployment engineer")
    assert finish(child) == 0


def test_the_menu_offers_help_me_choose_and_renders_the_pick(tmp_path):
    child = spawn(
        venv_bin("newproject"), ["new", "-o", str(tmp_path / "out"), "--no-git"], tmp_path
    )
    child.expect("Which skill gap do you want to close?")
    child.expect("Help me choose")
    child.send(f"{len(load_catalog(TEMPLATES)) + 1}\r")  # the entry after the gaps
    answer_the_questionnaire(child)
    child.expect("Start with:")
    child.expect("Create which one now?")
    child.send("\r")  # the first of the suggested order
    child.expect("Create: dl-fundamentals")
    child.expect("Project name")
    child.sendline("Grad Check")
    accept_defaults_until_created(child)
    assert finish(child) == 0
    record = json.loads((tmp_path / "out" / "grad-check" / ".newproject.json").read_text())
    assert record["gap"] == "dl-fundamentals"


def test_then_new_asks_the_project_questions_after_the_recommendation(tmp_path):
    answers = tmp_path / "me.yaml"
    answers.write_text(
        yaml.safe_dump(
            {
                "role": "applied-cv",
                "domain": "driving",
                "levels": LEVELS,
                "project": {"author_name": "Ada Lovelace"},
            }
        )
    )
    out = tmp_path / "out"
    child = spawn(
        venv_bin("newproject"),
        ["recommend", "--answers", str(answers), "--then-new", "-o", str(out), "--no-git"],
        tmp_path,
    )
    child.expect("Start with:")
    child.expect("Project name")
    child.sendline("")
    accept_defaults_until_created(child)
    assert finish(child) == 0
    (project,) = out.iterdir()
    record = json.loads((project / ".newproject.json").read_text())
    assert record["gap"] == "dl-fundamentals"
    assert record["answers"]["author_name"] == "Ada Lovelace"


@pytest.fixture
def wheel_newproject(wheel_venv) -> str:
    return str(wheel_venv / "bin" / "newproject")


def test_from_a_wheel_install_interactively_and_from_a_file(wheel_newproject, tmp_path):
    child = spawn(wheel_newproject, ["recommend"], tmp_path)
    answer_the_questionnaire(child)
    child.expect("newproject new dl-fundamentals")
    assert finish(child) == 0
    answers = tmp_path / "me.json"
    answers.write_text(json.dumps({"role": "applied-cv", "domain": "driving", "levels": LEVELS}))
    result = pexpect.run(
        f"{wheel_newproject} recommend --answers {answers} --json",
        cwd=str(tmp_path),
        withexitstatus=True,
        encoding="utf-8",
    )
    output, status = result
    assert status == 0
    assert json.loads(output)["command"] == "newproject new dl-fundamentals"
