"""report.py puts the latest ablation and the single runs into README.md between the markers,
and only there; every table carries the command behind its numbers."""

from __future__ import annotations

import json
import os

import pytest

from {{ cookiecutter.package_name }}.core.errors import ProjectError
from {{ cookiecutter.package_name }}.core.results import END, START, write_command, write_json
from {{ cookiecutter.package_name }}.report import latest_ablation, main


def fake_ablation(root, name, table, mtime):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "ablation.md").write_text(table)
    (folder / "ablation.png").write_bytes(b"\x89PNG fake")
    command = f"python -m pkg.ablate --name {name}"
    (folder / "ablation.json").write_text(json.dumps({"command": command}))
    os.utime(folder / "ablation.md", (mtime, mtime))
    return folder


def fake_run(root, name, val, test=None):
    folder = root / name
    write_json({"accuracy": val}, folder / "metrics.json")
    (folder / "config.yaml").write_text(f"run_name: {name}\nmodel:\n  name: vit\n")
    write_command(folder, "pkg.train", ["--config", "configs/quick.yaml", f"run_name={name}"])
    if test is not None:
        write_json({"accuracy": test, "split": "test"}, folder / "test_metrics.json")


def readme_with_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nintro\n{START}\nplaceholder\n{END}\n\n## After\n")
    return readme


def test_report_replaces_only_the_results_section(tmp_path):
    runs = tmp_path / "runs"
    fake_ablation(runs, "old", "| old table |\n", mtime=1_000)
    fake_ablation(runs, "new", "| new table |\n", mtime=2_000)
    readme = readme_with_markers(tmp_path)
    assert latest_ablation(runs).name == "new"
    main(["--runs", str(runs), "--readme", str(readme)])
    main(["--runs", str(runs), "--readme", str(readme)])  # twice: same README
    text = readme.read_text()
    assert text.startswith("# Title\n\nintro\n") and text.endswith(f"{END}\n\n## After\n")
    assert "| new table |" in text and "old table" not in text and "placeholder" not in text
    assert "python -m pkg.ablate --name new" in text and "](docs/figures/ablation.png)" in text
    assert text.count(START) == 1
    assert (tmp_path / "docs" / "figures" / "ablation.png").read_bytes() == b"\x89PNG fake"


def test_single_runs_are_listed_with_their_command_and_test_accuracy(tmp_path):
    runs = tmp_path / "runs"
    fake_run(runs, "contract", val=0.91, test=0.875)
    fake_run(runs, "untested", val=0.5)
    readme = readme_with_markers(tmp_path)
    main(["--runs", str(runs), "--readme", str(readme)])
    text = readme.read_text()
    command = "`python -m pkg.train --config configs/quick.yaml run_name=contract`"
    assert f"| `contract` | `vit` | 0.9100 | 0.8750 | {command} |" in text
    assert "| `untested` | `vit` | 0.5000 | n/a |" in text
    assert "from runs: contract, untested" in text  # the stamp names the runs it was made from


def test_report_needs_the_markers(tmp_path):
    fake_ablation(tmp_path / "runs", "a", "| t |\n", mtime=1_000)
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    with pytest.raises(ProjectError, match="README.md: needs the markers"):
        main(["--runs", str(tmp_path / "runs"), "--readme", str(readme)])
    assert readme.read_text() == "# no markers\n"


def test_report_without_runs_says_what_to_run(tmp_path):
    assert latest_ablation(tmp_path) is None
    readme = readme_with_markers(tmp_path)
    with pytest.raises(ProjectError, match="make smoke"):
        main(["--runs", str(tmp_path / "runs"), "--readme", str(readme)])
