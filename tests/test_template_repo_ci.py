"""The neutral template repository passes its own CI: ci.yml's steps, run here as GitHub would
(lint and tests of the project, with the template's sources beside it)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from workflow_runner import run_job

from newproject.cli import main

pytestmark = pytest.mark.integration

GAP = "dl-fundamentals"  # the quickest suite of the gaps
TORCH_STEP = "Install PyTorch (CPU build)"  # this test run's venv has the tested torch


def test_neutral_template_repository_passes_its_own_ci(tmp_path):
    repo = tmp_path / "repo"
    result = CliRunner().invoke(main, ["template-repo", GAP, str(repo)])
    assert result.exit_code == 0, result.output
    slug = json.loads((repo / ".newproject.json").read_text())["answers"]["project_slug"]
    try:
        run = run_job(
            repo / ".github" / "workflows" / "ci.yml",
            "test",
            repo,
            repository="octo-org/lab-template",
            actor="octocat",
            actor_id="583231",
            event="push",
            context={},
            gh_answers={},
            skip=(TORCH_STEP,),
            scratch=tmp_path / "runner",
        )
    finally:
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", slug],
            capture_output=True,
        )
    ran = {step.name: step for step in run.steps if step.ran}
    assert {"Install the project", "Lint", "Test"} <= set(ran), [s.name for s in run.steps]
    failed = {name: step.output[-3000:] for name, step in ran.items() if step.returncode}
    assert not failed, failed
    assert " passed" in ran["Test"].output and " failed" not in ran["Test"].output
