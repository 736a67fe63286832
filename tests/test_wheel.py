"""newproject installed from its wheel into a fresh venv renders every gap like the checkout."""

from __future__ import annotations

import subprocess
import zipfile

import pytest
from conftest import GAP_IDS, render_gap, tree


def test_wheel_carries_the_shared_templates_as_real_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for gap_id in GAP_IDS:
        assert f"newproject/templates/{gap_id}/cookiecutter.json" in names
        assert f"newproject/templates/{gap_id}/templates/newproject_filters.py" in names
        assert f"newproject/templates/{gap_id}/templates/project/Makefile" in names
        assert f"newproject/templates/{gap_id}/templates/reserved_names.json" in names
    assert "newproject/templates/cookiecutter.json" in names


def test_installed_wheel_never_imports_torch_and_lists_gaps(wheel_venv):
    probe = (
        "import sys, newproject.cli, newproject.render, newproject.answers;"
        "print('torch' in sys.modules, newproject.__file__)"
    )
    result = subprocess.run(
        [str(wheel_venv / "bin" / "python"), "-c", probe], capture_output=True, text=True
    )
    imported_torch, location = result.stdout.split()
    assert imported_torch == "False"
    assert str(wheel_venv) in location
    listed = subprocess.run(
        [str(wheel_venv / "bin" / "newproject"), "list"], capture_output=True, text=True
    )
    assert all(gap_id in listed.stdout for gap_id in GAP_IDS)


@pytest.mark.parametrize("gap_id", GAP_IDS)
def test_wheel_renders_what_the_checkout_renders(wheel_venv, tmp_path, gap_id):
    result = subprocess.run(
        [
            str(wheel_venv / "bin" / "newproject"),
            "new",
            gap_id,
            "--no-input",
            "--no-git",
            "-o",
            str(tmp_path / "wheel"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    (from_wheel,) = (tmp_path / "wheel").iterdir()
    from_checkout, _ = render_gap(gap_id, tmp_path / "checkout")
    assert tree(from_wheel) == tree(from_checkout)
    # pip byte-compiled the installed templates; none of those caches reached the project.
    site = next((wheel_venv / "lib").glob("python*/site-packages/newproject/templates"))
    assert any((site / gap_id / "{{cookiecutter.project_slug}}").rglob("__pycache__"))
    assert not [p for p in from_wheel.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"]
