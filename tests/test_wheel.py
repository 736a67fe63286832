"""newproject installed from its wheel into a fresh venv renders every gap like the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile

import pytest
from conftest import GAP_IDS, REPO, created_of, render_gap, set_git_user, tree


def test_wheel_carries_the_shared_templates_as_real_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for gap_id in GAP_IDS:
        assert f"newproject/templates/{gap_id}/cookiecutter.json" in names
        assert f"newproject/templates/{gap_id}/templates/newproject_filters.py" in names
        assert f"newproject/templates/{gap_id}/templates/project/Makefile" in names
        assert f"newproject/templates/{gap_id}/templates/reserved_names.json" in names
        for hook in ("pre_gen_project.py", "post_gen_project.py", "answer_rules.py"):
            assert f"newproject/templates/{gap_id}/hooks/{hook}" in names
        # No git in a wheel: the commit and version its projects record are written in.
        source = json.loads(
            zipfile.ZipFile(wheel).read(f"newproject/templates/{gap_id}/hooks/template_source.json")
        )
        assert set(source) == {"commit", "modified", "newproject_version"}
        assert (
            source["commit"]
            == subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
            ).stdout.strip()
        )
    assert "newproject/templates/cookiecutter.json" in names
    # The one copy of the answer rules newproject itself imports.
    assert "newproject/templates/_shared/hooks/answer_rules.py" in names
    assert not [name for name in names if name.endswith(".pyc")]


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
    from_checkout, _ = render_gap(gap_id, tmp_path / "checkout", created=created_of(from_wheel))
    assert tree(from_wheel) == tree(from_checkout)
    # pip byte-compiled the installed templates; none of those caches reached the project.
    site = next((wheel_venv / "lib").glob("python*/site-packages/newproject/templates"))
    assert any((site / gap_id / "{{cookiecutter.project_slug}}").rglob("__pycache__"))
    assert not [p for p in from_wheel.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"]


def test_wheel_carries_the_docs_the_role_profiles_and_the_template_repo_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "newproject/docs/check.md",
        "newproject/docs/recommender.md",
        "newproject/recommender/role_profiles.toml",
        "newproject/check/citation_schema_1.2.0.json",
        "newproject/template_repo/setup.yml",
        "newproject/template_repo/personalise.py",
        "newproject/template_repo/template_folder.md",
    } <= names


def test_installed_wheel_explains_rules_and_writes_a_template_repo(wheel_venv, tmp_path):
    newproject = str(wheel_venv / "bin" / "newproject")
    explained = subprocess.run(
        [newproject, "check", "--explain", "RES004"], capture_output=True, text=True
    )
    assert explained.returncode == 0, explained.stderr
    assert "### RES004" in explained.stdout
    written = subprocess.run(
        [newproject, "template-repo", "dl-fundamentals", str(tmp_path / "repo"), "--no-git"],
        capture_output=True,
        text=True,
    )
    assert written.returncode == 0, written.stderr
    template = tmp_path / "repo" / ".github" / "newproject-template" / "template"
    assert (template / "templates" / "project" / "Makefile").is_file()
    assert not list(template.rglob("__pycache__"))  # pip's caches of the installed templates


def test_installed_wheel_holds_the_recommender_doc_and_role_profiles(wheel_venv, tmp_path):
    """`recommend` cites docs/recommender.md and reads recommender/role_profiles.toml: both are
    in the installed package, as in the checkout, and the installed newproject uses them."""
    site = next((wheel_venv / "lib").glob("python*/site-packages/newproject"))
    installed = {
        site / "docs" / "recommender.md": REPO / "docs" / "recommender.md",
        site / "recommender" / "role_profiles.toml": (
            REPO / "src" / "newproject" / "recommender" / "role_profiles.toml"
        ),
    }
    for path, source in installed.items():
        assert path.is_file(), path
        assert path.read_bytes() == source.read_bytes()
    probe = "from newproject.recommender.profiles import load_profiles; print(load_profiles().path)"
    read = subprocess.run(
        [str(wheel_venv / "bin" / "python"), "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == str(site / "recommender" / "role_profiles.toml")
    newproject = str(wheel_venv / "bin" / "newproject")
    helped = subprocess.run([newproject, "recommend", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0, helped.stderr
    assert "docs/recommender.md" in helped.stdout


def test_the_wheel_s_newproject_updates_a_project_it_made(
    wheel_venv, tmp_path, git_config_of_our_own
):
    """As a user would: a project from the installed wheel, a template that moved on (a copy
    of the wheel's own templates, changed), `newproject update`."""
    set_git_user(git_config_of_our_own, "Ada Lovelace", "ada@example.org")
    newproject = str(wheel_venv / "bin" / "newproject")
    made = subprocess.run(
        [newproject, "new", "dl-fundamentals", "--no-input", "-o", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    project = tmp_path / "deep-learning-from-scratch"
    installed = next((wheel_venv / "lib").glob("python*/site-packages/newproject/templates"))
    moved_on = tmp_path / "templates"
    shutil.copytree(installed, moved_on, ignore=shutil.ignore_patterns("__pycache__"))
    about = moved_on / "dl-fundamentals" / "templates" / "project" / "about.py"
    about.write_text(about.read_text() + "# the template moved on\n")
    env = {**os.environ, "NEWPROJECT_TEMPLATES": str(moved_on)}
    updated = subprocess.run(
        [newproject, "update", str(project)], capture_output=True, text=True, env=env
    )
    assert updated.returncode == 0, updated.stderr
    assert "updated   src/deep_learning_from_scratch/about.py" in updated.stdout
    package = project / "src" / "deep_learning_from_scratch"
    assert (package / "about.py").read_text().endswith("# the template moved on\n")
