"""`.newproject.json` records the gap, every answer, the version and the template's identity;
fed back with --answers it renders the same project byte for byte; the author comes from git."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner
from conftest import REPO, TEMPLATES, render_gap, set_git_user, tree, venv_bin

from newproject.cli import main
from newproject.shared import template_identity

GAP = "dl-fundamentals"
PAST = "2020-02-03T04:05:06Z"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True
    ).stdout


def test_the_record_holds_gap_answers_version_and_identity(tmp_path):
    project, answers = render_gap(GAP, tmp_path)
    record = json.loads((project / ".newproject.json").read_text())
    assert list(record) == [
        "generator",
        "newproject_version",
        "created",
        "gap",
        "answers",
        "template",
    ]
    assert record["gap"] == GAP
    assert record["answers"] == answers  # every question, derived answers included
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert record["newproject_version"] == version
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["created"])
    identity = record["template"]
    assert identity["hash"] == template_identity().content_hash(TEMPLATES / GAP)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", identity["hash"])
    # Rendered from a checkout: its commit, and whether the gap's files differ from it.
    assert identity["commit"] == git(REPO, "rev-parse", "HEAD").strip()
    changed = git(REPO, "status", "--porcelain", "--", f"templates/{GAP}", "templates/_shared")
    assert identity["modified"] is bool(changed.strip())


def test_the_identity_hash_follows_what_the_render_reads(tmp_path):
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    content_hash = template_identity().content_hash
    original = content_hash(copy / GAP)
    # The wheel's layout: the shared folder copied into each gap instead of linked.
    wheel_like = tmp_path / "wheel" / GAP
    shutil.copytree(copy / GAP, wheel_like, symlinks=False)
    assert content_hash(wheel_like) == original
    # What only describes the gap, and compiled caches, are no render input.
    gap_toml = copy / GAP / "gap.toml"
    gap_toml.write_text(gap_toml.read_text().replace("title =", "title = 'Other' #", 1))
    (copy / GAP / "templates" / "__pycache__").mkdir()
    (copy / GAP / "templates" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (copy / "_shared" / ".ruff_cache" / "0.6").mkdir(parents=True)  # `ruff` run in _shared
    (copy / "_shared" / ".ruff_cache" / "0.6" / "cache").write_bytes(b"\0")
    assert content_hash(copy / GAP) == original
    for changed in (
        copy / GAP / "{{cookiecutter.project_slug}}" / "README.md",
        copy / "_shared" / "project" / "Makefile",
        copy / "_shared" / "hooks" / "answer_rules.py",
        copy / GAP / "cookiecutter.json",
    ):
        before = changed.read_bytes()
        changed.write_bytes(before + b"\n")
        assert content_hash(copy / GAP) != original, changed
        changed.write_bytes(before)
    assert content_hash(copy / GAP) == original


def test_a_record_renders_its_project_again_byte_for_byte(tmp_path):
    answers = {
        "generator": "newproject",
        "created": PAST,
        "gap": GAP,
        "answers": {"project_name": "Grad Lab", "author_name": "Zoë Ångström"},
    }
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    first = run(
        "new",
        "--no-input",
        "--no-git",
        "-o",
        str(tmp_path / "one"),
        "--answers",
        str(tmp_path / "answers.json"),
    )  # the record names the gap
    assert first.exit_code == 0, first.output
    project = tmp_path / "one" / "grad-lab"
    record = project / ".newproject.json"
    # The templates' dates are the record's: rendered again years later, the same bytes.
    assert 'date-released: "2020-02-03"' in (project / "CITATION.cff").read_text()
    assert "Copyright (c) 2020 Zoë Ångström" in (project / "LICENSE").read_text()
    again = run(
        "new", GAP, "--no-input", "--no-git", "-o", str(tmp_path / "two"), "--answers", str(record)
    )
    assert again.exit_code == 0, again.output
    assert tree(tmp_path / "two" / "grad-lab") == tree(project)
    assert json.loads(record.read_text())["created"] == PAST


def test_the_author_defaults_and_the_first_commit_come_from_git(tmp_path, git_config_of_our_own):
    set_git_user(git_config_of_our_own, "Grace Hopper", "grace@example.org")
    result = run("new", GAP, "--no-input", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    project = tmp_path / "deep-learning-from-scratch"
    answers = json.loads((project / ".newproject.json").read_text())["answers"]
    assert (answers["author_name"], answers["author_email"]) == (
        "Grace Hopper",
        "grace@example.org",
    )
    assert git(project, "log", "--format=%an <%ae>|%cn <%ce>") == (
        "Grace Hopper <grace@example.org>|Grace Hopper <grace@example.org>\n"
    )
    # The first commit names its tree: a pristine render `newproject update` can merge from.
    body = git(project, "log", "-1", "--format=%B")
    assert f"Newproject-Snapshot: {git(project, 'rev-parse', 'HEAD^{tree}').strip()}" in body


def test_the_commit_is_the_user_s_when_the_project_names_another_author(
    tmp_path, git_config_of_our_own
):
    set_git_user(git_config_of_our_own, "Grace Hopper", "grace@example.org")
    result = run("new", GAP, "--no-input", "-o", str(tmp_path), "--set", "author_name=Ada")
    assert result.exit_code == 0, result.output
    project = tmp_path / "deep-learning-from-scratch"
    assert (
        'AUTHOR = "Ada"'
        in (project / "src" / "deep_learning_from_scratch" / "about.py").read_text()
    )
    assert git(project, "log", "--format=%an") == "Grace Hopper\n"


@pytest.mark.parametrize(
    ("name", "email"), [(None, None), ("...", "not-an-address"), ("Grace Hopper", None)]
)
def test_no_placeholder_commit_without_a_usable_git_identity(
    tmp_path, git_config_of_our_own, name, email
):
    """Values git would refuse fall back to the template's placeholders without a word, and
    newproject never commits as "Your Name <you@example.com>": it prepares the commit."""
    if name:
        config = f"[user]\n\tname = {name}\n" + (f"\temail = {email}\n" if email else "")
        git_config_of_our_own.write_text(config)
    result = run("new", GAP, "--no-input", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Error" not in result.output
    project = tmp_path / "deep-learning-from-scratch"
    answers = json.loads((project / ".newproject.json").read_text())["answers"]
    assert answers["author_email"] == "you@example.com"
    assert answers["author_name"] == ("Grace Hopper" if name == "Grace Hopper" else "Your Name")
    assert "No first commit yet" in result.output and "commit --no-edit" in result.output
    empty = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True)
    assert empty.returncode != 0  # no commit at all
    assert ".newproject.json" in git(project, "diff", "--cached", "--name-only")
    set_git_user(git_config_of_our_own, "Ada Lovelace", "ada@example.org")
    git(project, "commit", "--quiet", "--no-edit")  # the prepared message, with its trailer
    body = git(project, "log", "-1", "--format=%an|%B")
    assert body.startswith("Ada Lovelace|Initial commit from newproject\n")
    assert f"Newproject-Snapshot: {git(project, 'rev-parse', 'HEAD^{tree}').strip()}" in body


def test_without_git_identity_the_answers_author_the_commit(tmp_path):
    result = run(
        "new",
        GAP,
        "--no-input",
        "-o",
        str(tmp_path),
        "--set",
        "author_name=Ada Lovelace",
        "--set",
        "author_email=ada@example.org",
    )
    assert result.exit_code == 0, result.output
    project = tmp_path / "deep-learning-from-scratch"
    assert git(project, "log", "--format=%an <%ae>") == "Ada Lovelace <ada@example.org>\n"


def test_the_next_steps_install_pytorch_s_cpu_build_first(tmp_path, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    result = run("new", GAP, "--no-input", "--no-git", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    lines = [line.split("#")[0].strip() for line in result.output.splitlines()]
    torch = 'pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu'
    assert lines.index("python3 -m venv .venv && . .venv/bin/activate") < lines.index(torch)
    assert lines.index(torch) < lines.index("make setup") < lines.index("make smoke")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "venv"))  # one is active: no new venv
    again = run("new", GAP, "--no-input", "--no-git", "-o", str(tmp_path / "again"))
    assert "python3 -m venv" not in again.output and torch in again.output


def test_the_author_prompts_offer_git_s_identity(tmp_path, git_config_of_our_own):
    set_git_user(git_config_of_our_own, "Grace Hopper", "grace@example.org")
    child = pexpect.spawn(
        venv_bin("newproject"),
        ["new", GAP, "-o", str(tmp_path), "--no-git"],
        encoding="utf-8",
        timeout=30,
        env={**os.environ, "TERM": "xterm"},
    )
    for _ in range(4):  # name, slug, package, description at their defaults
        child.expect(r"\]: ")
        child.sendline("")
    child.expect(r"Author name \[Grace Hopper\]: ")
    child.sendline("")
    child.expect(r"Author e-mail \[grace@example.org\]: ")
    child.terminate(force=True)
