"""Every gap, rendered from the wheel outside the repo, installs as its README says and
passes its own lint, tests and quick run, reaching its quality bars.

The projects share one venv that already holds torch (this test run's own), as the
README's set-up prepares it; `make setup` installs into the active venv.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GAP_IDS

pytestmark = pytest.mark.integration

RESULTS = re.compile(r"<!-- results:start -->(.*?)<!-- results:end -->", re.DOTALL)


def metrics_files(project: Path) -> dict[str, dict]:
    """Run folder name -> its metrics.json."""
    return {
        path.parent.name: json.loads(path.read_text())
        for path in sorted((project / "runs").rglob("metrics.json"))
    }


def check_3d(project: Path) -> None:
    runs = metrics_files(project)
    assert runs["quick-cls"]["overall_accuracy"] >= 0.90, runs["quick-cls"]
    assert runs["quick-seg"]["miou"] >= 0.60, runs["quick-seg"]


def check_architecture(project: Path) -> None:
    (table,) = project.glob("runs/*/ablation.csv")
    with table.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 3, rows  # at least 3 variants
    assert all(int(row["seeds"]) >= 2 for row in rows), rows
    best = max(float(row["accuracy_mean"]) for row in rows)
    assert best >= 0.97, rows


def check_fundamentals(project: Path) -> None:
    scratch_cnn = [
        m["accuracy"]
        for name, m in metrics_files(project).items()
        if "cnn" in name and "torch" not in name
    ]
    assert scratch_cnn and max(scratch_cnn) >= 0.95, scratch_cnn


QUALITY_BARS = {
    "3d-scene-understanding": check_3d,
    "custom-model-architecture": check_architecture,
    "dl-fundamentals": check_fundamentals,
}


@pytest.fixture(scope="module")
def shared_venv_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["VIRTUAL_ENV"] = sys.prefix
    env["PATH"] = f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def make(project: Path, target: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["make", target], cwd=project, env=env, capture_output=True, text=True, timeout=900
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"make {target} failed in {project}:\n{output[-6000:]}"
    return output


@pytest.mark.parametrize("gap_id", GAP_IDS)
def test_generated_project_installs_tests_and_runs(
    gap_id, wheel_venv, tmp_path_factory, shared_venv_env
):
    out = tmp_path_factory.mktemp(f"outside-{gap_id}")
    rendered = subprocess.run(
        [str(wheel_venv / "bin" / "newproject"), "new", gap_id, "--no-input", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=out,
    )
    assert rendered.returncode == 0, rendered.stderr
    (project,) = (path for path in out.iterdir() if path.is_dir())
    readme = (project / "README.md").read_text()
    assert "make setup" in readme and "make smoke" in readme

    slug = json.loads((project / ".newproject.json").read_text())["answers"]["project_slug"]
    try:
        make(project, "setup", shared_venv_env)
        make(project, "lint", shared_venv_env)
        tests = make(project, "test", shared_venv_env)
        assert re.search(r"\d+ passed", tests) and " failed" not in tests
        make(project, "smoke", shared_venv_env)
    finally:
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", slug],
            capture_output=True,
        )

    QUALITY_BARS[gap_id](project)
    report = RESULTS.search((project / "README.md").read_text())
    assert report, "make smoke did not write results into the README"
    assert re.search(r"\|\s*[\d.]+", report.group(1)), report.group(1)[:500]
