"""report.py puts the latest ablation into README.md between the markers, and only there."""

from __future__ import annotations

import json
import os

import pytest

from {{ cookiecutter.package_name }}.report import (
    END,
    START,
    latest_ablation,
    main,
)


def fake_ablation(root, name, table, mtime):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "ablation.md").write_text(table)
    (folder / "ablation.png").write_bytes(b"\x89PNG fake")
    command = f"python -m pkg.ablate --name {name}"
    (folder / "ablation.json").write_text(json.dumps({"command": command}))
    os.utime(folder / "ablation.md", (mtime, mtime))
    return folder


def test_report_replaces_only_the_results_section(tmp_path):
    runs = tmp_path / "runs"
    fake_ablation(runs, "old", "| old table |\n", mtime=1_000)
    fake_ablation(runs, "new", "| new table |\n", mtime=2_000)
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nintro\n{START}\nplaceholder\n{END}\n\n## After\n")
    assert latest_ablation(runs).name == "new"
    main(["--runs-dir", str(runs), "--readme", str(readme)])
    main(["--runs-dir", str(runs), "--readme", str(readme)])  # twice: same README
    text = readme.read_text()
    assert text.startswith("# Title\n\nintro\n") and text.endswith(f"{END}\n\n## After\n")
    assert "| new table |" in text and "old table" not in text and "placeholder" not in text
    assert "python -m pkg.ablate --name new" in text and "](docs/ablation.png)" in text
    assert text.count(START) == 1
    assert (tmp_path / "docs" / "ablation.png").read_bytes() == b"\x89PNG fake"


def test_report_needs_the_markers(tmp_path):
    fake_ablation(tmp_path / "runs", "a", "| t |\n", mtime=1_000)
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    with pytest.raises(SystemExit, match="README.md: needs the markers"):
        main(["--runs-dir", str(tmp_path / "runs"), "--readme", str(readme)])


def test_report_without_an_ablation_says_what_to_run(tmp_path):
    with pytest.raises(SystemExit, match="make smoke"):
        latest_ablation(tmp_path)
