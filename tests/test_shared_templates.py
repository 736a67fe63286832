"""The fast inner loop for templates/_shared: its plain Python is linted with the generated
projects' own rules, every shared file reaches every gap that should have it, and one torch gap
is rendered and its core and engine tests run, all without the slow integration tier."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GAP_IDS, TEMPLATES, render_gap, venv_bin

SHARED = TEMPLATES / "_shared"
JINJA = ("{{", "{%", "{#")
PROJECT = "{{cookiecutter.project_slug}}"
PACKAGE = "{{cookiecutter.package_name}}"


def project_ruff_args() -> list[str]:
    """The generated projects' ruff rules, read from the shared pyproject they all extend."""
    text = (SHARED / "project" / "pyproject.toml").read_text(encoding="utf-8")
    line_length = re.search(r"^line-length = (\d+)$", text, re.MULTILINE).group(1)
    select = re.search(r"^select = \[(.*)\]$", text, re.MULTILINE).group(1)
    rules = ",".join(re.findall(r'"([A-Z]+)"', select))
    return ["--isolated", "--line-length", line_length, "--target-version", "py311"], rules


def plain_shared_python() -> list[Path]:
    files = sorted(SHARED.rglob("*.py"))
    return [f for f in files if not any(m in f.read_text(encoding="utf-8") for m in JINJA)]


def test_plain_shared_python_passes_the_projects_lint_and_format():
    common, rules = project_ruff_args()
    files = [str(path) for path in plain_shared_python()]
    assert all(any(f"/{part}/" in f for f in files) for part in ("core", "engine", "deploy"))
    ruff = venv_bin("ruff")
    lint = subprocess.run(
        [ruff, "check", *common, "--select", rules, *files], capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    form = subprocess.run(
        [ruff, "format", "--check", *common, *files], capture_output=True, text=True
    )
    assert form.returncode == 0, form.stdout + form.stderr


def is_torch_gap(gap_id: str) -> bool:
    return (TEMPLATES / gap_id / PROJECT / "src" / PACKAGE / "engine").is_dir()


def deploys(gap_id: str) -> bool:
    """Whether the gap's project exports a model (ONNX parity and latency: `make export`)."""
    return (TEMPLATES / gap_id / PROJECT / "src" / PACKAGE / "deploy").is_dir()


def expected_stubs(gap_id: str) -> dict[str, str]:
    """Path in the gap's project folder -> the one-line stub that includes a shared file."""
    stubs = {}
    folders = ["core"] + (["engine"] if is_torch_gap(gap_id) else [])
    folders += ["deploy"] if deploys(gap_id) else []
    for folder in folders:
        for path in sorted((SHARED / folder).glob("*.py")):
            stubs[f"src/{PACKAGE}/{folder}/{path.name}"] = (
                f'{{% include "{folder}/{path.name}" -%}}\n'
            )
    for path in sorted((SHARED / "tests").glob("*.py")):
        if path.name.startswith("deploy_"):
            wanted = deploys(gap_id)
        else:
            wanted = path.name.startswith("core_") or is_torch_gap(gap_id)
        if wanted:
            stubs[f"tests/test_{path.name}"] = f'{{% include "tests/{path.name}" -%}}\n'
    return stubs


def test_a_gap_that_deploys_is_a_torch_gap_and_the_deploying_gaps_are_recognised():
    deploying = {gap for gap in GAP_IDS if deploys(gap)}
    assert deploying >= {"3d-scene-understanding", "detection-and-tracking", "lidar-perception"}
    assert all(is_torch_gap(gap) for gap in deploying)  # deploy/ builds on engine/latency.py


def test_torch_gaps_are_recognised():
    assert {gap for gap in GAP_IDS if is_torch_gap(gap)} >= {
        "3d-scene-understanding",
        "custom-model-architecture",
    }


@pytest.mark.parametrize("gap_id", GAP_IDS)
def test_every_shared_file_has_its_stub_in_the_gap(gap_id):
    root = TEMPLATES / gap_id / PROJECT
    problems = []
    for relative, stub in expected_stubs(gap_id).items():
        path = root / relative
        if not path.is_file():
            problems.append(f"missing {relative} (content: {stub.strip()})")
        elif path.read_text(encoding="utf-8") != stub:
            problems.append(f"{relative} is not exactly the stub {stub.strip()}")
    assert not problems, f"{gap_id}:\n" + "\n".join(problems)


def test_a_rendered_torch_gap_passes_lint_and_its_core_and_engine_tests(tmp_path):
    project, answers = render_gap("custom-model-architecture", tmp_path)
    ruff = venv_bin("ruff")
    # As `make lint` runs it: the project's own pyproject.toml (rules and per-file ignores).
    for command in (["check"], ["format", "--check"]):
        done = subprocess.run([ruff, *command, "."], cwd=project, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    tests = [
        "tests/test_core_units.py",
        "tests/test_engine_units.py",
        "tests/test_engine_contract.py",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    counts = re.search(r"(\d+) passed", done.stdout)
    assert counts and int(counts.group(1)) >= 30 and "failed" not in done.stdout, done.stdout[
        -2000:
    ]


def test_a_rendered_deploying_gap_passes_its_deploy_tests(tmp_path):
    """deploy/onnx.py runs in the fast tier too: export, parity, latency, the parity error."""
    project, _ = render_gap("3d-scene-understanding", tmp_path)
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
         "tests/test_deploy_units.py", "--noconftest"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert re.search(r"\b4 passed", done.stdout) and "failed" not in done.stdout, done.stdout
