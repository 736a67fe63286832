"""A project runs on the lowest Python it lets its owner choose, not only on ours.

The generated projects' CI runs on that version, but nothing here does: vermin reads the
rendered code and names every use of the standard library newer than the chosen minimum
(`datetime.UTC` in a project that says `requires-python >= 3.10`, say)."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import GAP_IDS, TEMPLATES, render_gap, venv_bin

QUESTIONS = json.loads((TEMPLATES / "_shared" / "questions.json").read_text(encoding="utf-8"))
OFFERED = QUESTIONS["questions"]["_choices"]["python_version"]
LOWEST_PYTHON = min(OFFERED, key=lambda version: tuple(map(int, version.split("."))))


@pytest.mark.parametrize("gap_id", GAP_IDS)
def test_rendered_code_needs_no_newer_python_than_it_requires(gap_id, tmp_path):
    project, _ = render_gap(gap_id, tmp_path, {"python_version": LOWEST_PYTHON})
    assert f'requires-python = ">={LOWEST_PYTHON}"' in (project / "pyproject.toml").read_text()
    found = subprocess.run(
        [venv_bin("vermin"), f"-t={LOWEST_PYTHON}-", "--violations", "--no-tips", str(project)],
        capture_output=True,
        text=True,
    )
    assert found.returncode == 0, found.stdout


def test_vermin_sees_what_this_guards_against(tmp_path):
    """The check above could fail: a 3.11-only name in a file is reported."""
    (tmp_path / "stamp.py").write_text("from datetime import UTC\n", encoding="utf-8")
    found = subprocess.run(
        [venv_bin("vermin"), "-t=3.10-", "--violations", "--no-tips", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert found.returncode != 0 and "datetime.UTC" in found.stdout
