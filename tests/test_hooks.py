"""Stock cookiecutter checks the answers too: the shared pre_gen_project hook runs the one
copy of the rules newproject uses (templates/_shared/hooks/answer_rules.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import TEMPLATES, venv_bin
from test_answers import ACCEPTED_EMAILS, REFUSED_EMAILS
from test_filters import HOSTILE

from newproject.answers import resolve_answers
from newproject.catalog import get_gap
from newproject.errors import InvalidAnswerError
from newproject.render import TemplateEnvironment

GAP = "dl-fundamentals"
FIXED_NAMES = {"project_slug": "hostile-project", "package_name": "hostile_project"}


def cookiecutter(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [venv_bin("cookiecutter"), *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_a_keyword_package_name_is_refused_at_stock_cookiecutter_s_prompts(tmp_path):
    """The report: `cookiecutter templates`, gap 3, project name `class` rendered src/class/."""
    child = pexpect.spawn(
        venv_bin("cookiecutter"),
        [str(TEMPLATES), "-o", str(tmp_path / "out")],
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
        env={**os.environ, "NO_COLOR": "1"},
    )
    child.expect("Choose from")
    child.sendline("3")
    child.expect("Project name")
    child.sendline("class")
    for _ in range(7):  # every other question at its default (slug and package: "class")
        child.expect(r"\)(?:\x1b\[0m)?: ")
        child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus != 0
    errors = [line for line in child.before.splitlines() if line.startswith("Error: ")]
    assert errors == ["Error: package_name 'class' is a Python keyword"]
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize(
    ("answer", "line"),
    [
        ("package_name=class", "Error: package_name 'class' is a Python keyword"),
        ("package_name=json", "would shadow 'json' (a standard-library module)"),
        ("package_name=torch", "would shadow 'torch' (a dependency of every gap"),
        ("project_slug=-bad-", "project_slug '-bad-' is not a valid distribution name"),
        ("author_email=nobody", "author_email 'nobody' is not an e-mail address"),
        ("python_version=3.9", "python_version must be one of 3.10, 3.11, 3.12, 3.13"),
    ],
)
def test_stock_cookiecutter_refuses_what_newproject_refuses(tmp_path, answer, line):
    result = cookiecutter("--no-input", "-o", "out", str(TEMPLATES / GAP), answer, cwd=tmp_path)
    assert result.returncode != 0
    errors = [text for text in result.stderr.splitlines() if text.startswith("Error: ")]
    assert len(errors) == 1 and line in errors[0], result.stderr
    assert list((tmp_path / "out").iterdir()) == []  # cookiecutter removed the project


def hook_verdict(context: dict, capfd) -> str | None:
    """Run the shared pre_gen_project hook as stock cookiecutter does: None if it passes,
    else the line it printed."""
    from cookiecutter.exceptions import FailedHookException
    from cookiecutter.hooks import run_script_with_context

    gap = TEMPLATES / GAP
    saved = list(sys.path)
    sys.path.insert(0, str(gap))  # stock cookiecutter's import path: the filters load
    try:
        run_script_with_context(str(gap / "hooks" / "pre_gen_project.py"), str(gap), context)
        return None
    except FailedHookException:
        return capfd.readouterr().err.strip()
    finally:
        sys.path[:] = saved


CORPUS = (
    [("author_email", value) for value in REFUSED_EMAILS + ACCEPTED_EMAILS]
    + [("project_name", value) for value in HOSTILE]
    + [(key, value) for key in ("description", "author_name") for value in HOSTILE[::3]]
    + [
        ("package_name", name)
        for name in (
            "class",
            "match",
            "json",
            "test",
            "torch",
            "conftest",
            "fuzz\n",
            "2fast",
            "my-pkg",
            "ok_name",
            "_private",
        )
    ]
    + [("project_slug", slug) for slug in ("-bad-", "a/b", "fuzz\u2028", "good-slug", "x")]
    + [("python_version", version) for version in ("3.9", "3.10", "3.13", "3.14", "3.1")]
    + [("license", name) for name in ("GPL", "MIT", "apache-2.0")]
    + [("author_name", "Lab\u202etxt"), ("project_name", "x" * 5001), ("description", " ")]
)


def test_newproject_and_the_stock_hook_agree_on_a_hostile_corpus(capfd):
    gap = get_gap(GAP, TEMPLATES)
    private = {key: value for key, value in gap.context.items() if key.startswith("_")}
    render_default = TemplateEnvironment(gap).render_default
    defaults = resolve_answers(gap, FIXED_NAMES, render_default)
    refused = accepted = 0
    for key, value in CORPUS:
        supplied = {**FIXED_NAMES, key: value}
        context = {"_repo_dir": str(gap.path), "_template": str(gap.path), **private}
        try:
            answers = resolve_answers(gap, supplied, render_default)
        except InvalidAnswerError as error:
            # Stock cookiecutter hands the hook the raw answer: it must refuse it, alike.
            verdict = hook_verdict({"cookiecutter": {**context, **defaults, key: value}}, capfd)
            assert verdict == f"Error: {error}", (key, value)
            refused += 1
            continue
        # newproject's answers (choices in their canonical spelling) pass the hook.
        assert hook_verdict({"cookiecutter": {**context, **answers}}, capfd) is None, (key, value)
        accepted += 1
    assert refused >= 30 and accepted >= 20, (refused, accepted)
    # Stock cookiecutter cannot correct an answer: a choice must be spelt as listed.
    verdict = hook_verdict({"cookiecutter": {**context, **defaults, "license": "mit"}}, capfd)
    assert verdict == "Error: license must be written 'MIT'; got 'mit'"


def test_the_hooks_run_without_newproject(tmp_path):
    """Stock cookiecutter's hooks import nothing of newproject: with an import of it made to
    fail, the answers are still checked and the record still completed."""
    poisoned = tmp_path / "poisoned" / "newproject"
    poisoned.mkdir(parents=True)
    (poisoned / "__init__.py").write_text("raise ImportError('newproject is not installed')\n")
    env = {**os.environ, "PYTHONPATH": str(poisoned.parent)}

    def stock(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [venv_bin("cookiecutter"), "--no-input", "-o", "out", str(TEMPLATES / GAP), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )

    refused = stock("package_name=class")
    assert refused.returncode != 0
    assert "Error: package_name 'class' is a Python keyword" in refused.stderr
    made = stock()
    assert made.returncode == 0, made.stderr
    (project,) = (tmp_path / "out").iterdir()
    record = json.loads((project / ".newproject.json").read_text())
    assert record["template"]["hash"].startswith("sha256:") and record["created"]
