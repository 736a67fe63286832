"""Stock cookiecutter renders every gap from a checkout, the same as newproject does."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pexpect
import pytest
from conftest import GAP_IDS, REPO, TEMPLATES, created_of, render_gap, tree, venv_bin


def cookiecutter(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [venv_bin("cookiecutter"), *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.mark.parametrize("gap_id", GAP_IDS)
def test_stock_cookiecutter_renders_what_newproject_renders(tmp_path, gap_id):
    result = cookiecutter("--no-input", "-o", str(tmp_path / "stock"), str(TEMPLATES / gap_id))
    assert result.returncode == 0, result.stderr
    (stock_project,) = (tmp_path / "stock").iterdir()
    stock = tree(stock_project)
    # The same moment: the record's creation time and the templates' dates are the clock's.
    ours = tree(render_gap(gap_id, tmp_path / "ours", created=created_of(stock_project))[0])
    assert sorted(stock) == sorted(ours)
    assert stock == ours
    assert "pyproject.toml" in stock and "LICENSE" in stock
    assert b"MIT License" in stock["LICENSE"]  # the shared folder was reached


def test_directory_form_from_the_repository_root(tmp_path):
    result = cookiecutter(
        str(REPO),
        "--directory",
        "templates/dl-fundamentals",
        "--no-input",
        "-o",
        str(tmp_path),
        "project_name=Grad Lab",
    )
    assert result.returncode == 0, result.stderr
    assert 'name = "grad-lab"' in (tmp_path / "grad-lab" / "pyproject.toml").read_text()


@pytest.mark.parametrize("shell_pwd", [True, False], ids=["pwd", "no-pwd"])
def test_relative_template_path_as_typed_in_a_shell(tmp_path, shell_pwd):
    """`cookiecutter templates/<gap>` from the checkout: the hooks, which run in the new
    project's folder, still find the gap (from $PWD, or from cookiecutter's own directory)."""
    env = {k: v for k, v in os.environ.items() if k != "PWD"}
    if shell_pwd:
        env["PWD"] = str(REPO)  # what a shell sets; subprocess's cwd= does not
    result = subprocess.run(
        [venv_bin("cookiecutter"), "templates/dl-fundamentals", "--no-input", "-o", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (project,) = tmp_path.iterdir()
    record = json.loads((project / ".newproject.json").read_text())
    assert record["template"]["hash"].startswith("sha256:")  # post-gen hook reached the gap


def test_git_clone_renders_with_the_shared_folder(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    result = cookiecutter(
        str(clone),
        "--directory",
        "templates/custom-model-architecture",
        "--no-input",
        "-o",
        str(tmp_path / "out"),
    )
    assert result.returncode == 0, result.stderr
    (project,) = (tmp_path / "out").iterdir()
    makefile = (project / "Makefile").read_text()
    assert "\nsetup:" in makefile and "\nsmoke:" in makefile


def test_menu_of_gaps_in_a_real_terminal(tmp_path):
    """`cookiecutter <checkout>/templates` shows the gaps; choosing 4 renders dl-fundamentals."""
    child = pexpect.spawn(
        venv_bin("cookiecutter"),
        [str(TEMPLATES), "-o", str(tmp_path)],
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 200),
        env={**os.environ, "NO_COLOR": "1"},
    )
    child.expect("Select a template")
    child.expect(r"Choose from")
    menu = child.before
    titles = (
        "3D scene understanding",
        "Custom model architecture",
        "Detection and tracking",
        "Deep learning fundamentals",
        "Paper reproduction",
    )
    assert all(title in menu for title in titles)
    child.sendline("4")
    child.expect("Project name")
    child.sendline("Menu Lab")
    prompts = []
    for _ in range(2, 9):  # accept every other default: each prompt ends "(default): "
        child.expect(r"\)(?:\x1b\[0m)?: ")
        prompts.append(child.before + child.after)
        child.sendline("")
    child.expect(pexpect.EOF)
    prompts.append(child.before)
    child.close()
    assert child.exitstatus == 0
    # The Python versions in order, 3.11 the default though it is not the first.
    shown = re.sub(r"\x1b\[[0-9;]*m", "", "".join(prompts))
    assert "Lowest Python version the project supports (3.10, 3.11, 3.12, 3.13) (3.11): " in shown
    assert "License" in shown
    record = json.loads((tmp_path / "menu-lab" / ".newproject.json").read_text())
    assert record["gap"] == "dl-fundamentals"
    assert record["answers"]["python_version"] == "3.11"
