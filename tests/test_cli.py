"""The command line as a user meets it: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from click.testing import CliRunner
from conftest import GAP_IDS, tree, venv_bin

from newproject import __version__
from newproject.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.mark.parametrize("command", [[], ["list"], ["info"], ["new"], ["update"]])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.output
    assert "--help" in result.output


def test_version():
    assert run("--version").output.strip() == f"newproject, version {__version__}"


def test_list_as_table_and_json():
    table = run("list")
    assert table.exit_code == 0
    assert table.output.splitlines()[0].split() == ["GAP", "PITCH"]
    assert all(gap_id in table.output for gap_id in GAP_IDS)
    listed = json.loads(run("list", "--json").output)
    assert [entry["id"] for entry in listed] == list(GAP_IDS)
    assert all(entry["pitch"] and entry["skills"] for entry in listed)


def test_info_describes_a_gap():
    result = run("info", "custom-model-architecture")
    assert result.exit_code == 0
    assert "Custom model architecture" in result.output
    assert "Shows a reviewer:" in result.output
    data = json.loads(run("info", "dl-fundamentals", "--json").output)
    assert data["id"] == "dl-fundamentals"
    assert data["questions"]["license"] == "MIT"


@pytest.mark.parametrize("columns", [50, 70, 200])
def test_info_wraps_every_field_to_the_terminal(columns):
    from newproject.catalog import get_gap

    result = CliRunner().invoke(
        main, ["info", "3d-scene-understanding"], env={"COLUMNS": str(columns)}
    )
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert all(len(line) < columns for line in lines), lines
    gap = get_gap("3d-scene-understanding")
    words = result.output.split()
    for field in (gap.pitch, gap.shows, ", ".join(gap.skills), ", ".join(gap.datasets)):
        assert " ".join(field.split()) in " ".join(words)  # wrapped, not cut
    if columns == 50:
        skills = next(i for i, line in enumerate(lines) if line.startswith("Skills:"))
        assert lines[skills + 1].startswith(" " * 10)  # the value keeps its column


def test_unknown_gap_is_a_usage_error_in_one_line():
    result = run("new", "3d-scenes", "--no-input")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: unknown gap '3d-scenes'. Valid gaps: {', '.join(GAP_IDS)}. "
        "Did you mean '3d-scene-understanding'?"
    ]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["new", "--colour"], "Error: No such option '--colour'. See 'main new --help'."),
        (["info"], "Error: Missing argument 'GAP'. See 'main info --help'."),
        (["bogus"], "Error: No such command 'bogus'. See 'main --help'."),
        (["new", "dl-fundamentals", "--no-input", "--set", "colour=red"], None),
        (["new", "dl-fundamentals", "--no-input", "--set", "nokey"], None),
        (["new", "dl-fundamentals", "--no-input", "--set", "license=GPL"], None),
        (["new", "dl-fundamentals", "--no-input", "--set", "package_name=fuzz\n"], None),
        (["new", "--no-input"], "Error: --no-input needs a GAP; see `newproject list`"),
        (["new", "dl-fundamentals"], None),  # no terminal and no --no-input
    ],
)
def test_usage_errors_exit_2_in_one_line(args, line):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (only,) = result.stderr.splitlines()
    assert only.startswith("Error: ") and only.isprintable()
    assert line is None or only == line


def test_a_value_in_an_error_is_shown_escaped():
    result = run("new", "dl-fundamentals", "--no-input", "--set", "project_name=Lab\u2028\u202e")
    assert result.exit_code == 2
    (only,) = result.stderr.splitlines()
    assert "'Lab\\u2028\\u202e'" in only


def test_click_messages_are_escaped_too():
    result = run("new", "--a\nb")
    assert result.exit_code == 2
    (only,) = result.stderr.splitlines()
    assert "--a\\nb" in only


def test_new_renders_answers_as_data(tiny_templates, tmp_path):
    out = tmp_path / "out"
    result = run(
        "new",
        "tiny",
        "--no-input",
        "-o",
        str(out),
        "--set",
        "description={{ 7*7 }}",
        "--set",
        "project_name=Lab",
        "--set",
        "author_name=Ada Lovelace",
        "--set",
        "author_email=ada@example.org",
    )
    assert result.exit_code == 0, result.output
    project = out / "lab"
    about = (project / "about.py").read_text()
    assert 'DESCRIPTION = "{{ 7*7 }}"' in about
    assert "49" not in about
    assert "cd " in result.output and "make smoke" in result.output
    log = subprocess.run(
        ["git", "log", "--format=%an <%ae>|%s"], cwd=project, capture_output=True, text=True
    ).stdout.strip()
    assert log == "Ada Lovelace <ada@example.org>|Initial commit from newproject"
    assert sorted(path.name for path in out.iterdir()) == ["lab"]  # no temporary folder left


def test_bytecode_caches_of_installed_templates_are_never_rendered(
    tiny_templates, tmp_path, monkeypatch
):
    import cookiecutter.generate

    cache = tiny_templates / "tiny" / "{{cookiecutter.project_slug}}" / "pkg" / "__pycache__"
    cache.mkdir(parents=True)
    (cache / "mod.cpython-311.pyc").write_bytes(b"\x00compiled")
    (cache.parent / "mod.py").write_text("VALUE = 1\n")
    (cache.parent / "stray.pyc").write_bytes(b"\x00compiled")
    seen = []
    for name in ("generate_file", "render_and_create_dir"):
        real = getattr(cookiecutter.generate, name)

        def spy(*args, _real=real, **kwargs):
            seen.append(str(args[1] if _real.__name__ == "generate_file" else args[0]))
            return _real(*args, **kwargs)

        monkeypatch.setattr(cookiecutter.generate, name, spy)
    result = run("new", "tiny", "--no-input", "--no-git", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert any(path.endswith("mod.py") for path in seen)
    # Not copied and then deleted: cookiecutter is never handed them.
    assert not [path for path in seen if "__pycache__" in path or path.endswith(".pyc")]
    package = tmp_path / "deep-learning-from-scratch" / "pkg"
    assert sorted(path.name for path in package.iterdir()) == ["mod.py"]
    assert cookiecutter.generate.os is os  # the walk filter is gone after the render


def test_no_git_skips_the_repository(tiny_templates, tmp_path):
    result = run("new", "tiny", "--no-input", "--no-git", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    project = tmp_path / "deep-learning-from-scratch"
    assert (project / "README.md").read_text() == "# Deep Learning From Scratch\n"
    assert not (project / ".git").exists()


def test_answers_file_then_set_options(tiny_templates, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("project_name: From File\nauthor_name: File Author\n")
    result = run(
        "new",
        "tiny",
        "--no-input",
        "--no-git",
        "-o",
        str(tmp_path / "out"),
        "--answers",
        str(answers),
        "--set",
        "author_name=Set Author",
    )
    assert result.exit_code == 0, result.output
    about = (tmp_path / "out" / "from-file" / "about.py").read_text()
    assert 'AUTHOR = "Set Author"' in about


def test_existing_target_is_never_touched(tiny_templates, tmp_path):
    project = tmp_path / "deep-learning-from-scratch"
    project.mkdir()
    (project / "notes.txt").write_text("mine")
    before = tree(tmp_path)
    result = run("new", "tiny", "--no-input", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {str(project)!r} already exists; choose another name or output folder"
    ]
    assert tree(tmp_path) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["deep-learning-from-scratch"]


def test_invalid_answer_writes_nothing(tiny_templates, tmp_path):
    out = tmp_path / "new-folder"
    result = run("new", "tiny", "--no-input", "-o", str(out), "--set", "package_name=import")
    assert result.exit_code == 2
    assert result.stderr == "Error: package_name 'import' is a Python keyword\n"
    assert not out.exists()


def test_git_identity_is_checked_before_anything_is_written(tiny_templates, tmp_path):
    from newproject.catalog import get_gap
    from newproject.errors import InvalidAnswerError
    from newproject.render import render_project

    # Answers that skipped validation: git refuses this name, and must do so up front.
    answers = {
        "project_name": "Lab",
        "project_slug": "lab",
        "package_name": "lab",
        "description": "d",
        "author_name": "...",
        "author_email": "a@b.co",
        "license": "MIT",
        "python_version": "3.11",
    }
    with pytest.raises(InvalidAnswerError, match="git refuses the author '...'") as error:
        render_project(get_gap("tiny"), answers, tmp_path / "out")
    assert "disallowed characters" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_git_works_on_the_new_project_only(tiny_templates, tmp_path, monkeypatch):
    # Run from a git hook, newproject inherits GIT_DIR; its git init must not follow it.
    outer = tmp_path / "outer"
    subprocess.run(["git", "init", "--quiet", str(outer)], check=True)
    before = tree(outer / ".git")
    monkeypatch.setenv("GIT_DIR", str(outer / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(outer))
    identity = ["--set", "author_name=Ada", "--set", "author_email=ada@example.org"]
    result = run("new", "tiny", "--no-input", "-o", str(tmp_path / "out"), *identity)
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    project = tmp_path / "out" / "deep-learning-from-scratch"
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=project, capture_output=True, text=True
    ).stdout
    assert log == "Initial commit from newproject\n"
    assert tree(outer / ".git") == before


def test_template_error_leaves_nothing_behind(tiny_templates, tmp_path):
    broken = tiny_templates / "tiny" / "{{cookiecutter.project_slug}}" / "broken.txt"
    broken.write_text("{{ cookiecutter.no_such_variable }}")
    out = tmp_path / "a" / "b"
    result = run("new", "tiny", "--no-input", "-o", str(out))
    assert result.exit_code == 1
    assert "failed to render" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # even the output folders it created are gone


def test_failing_hook_is_one_line_and_leaves_nothing(tiny_templates, tmp_path):
    hooks = tiny_templates / "tiny" / "hooks"
    hooks.mkdir()
    (hooks / "post_gen_project.py").write_text("import sys\nsys.exit(3)\n")
    # A real process: pytest's log capture would hide what cookiecutter's logger prints.
    result = subprocess.run(
        [venv_bin("newproject"), "new", "tiny", "--no-input", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: template tiny failed to render: Hook script failed (exit status: 3)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_interrupt_leaves_nothing_behind(tiny_templates, tmp_path, monkeypatch):
    import cookiecutter.generate

    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cookiecutter.generate, "generate_files", interrupted)
    (tmp_path / "keep.txt").write_text("x")
    result = run("new", "tiny", "--no-input", "-o", str(tmp_path))
    assert result.exit_code == 130
    assert result.stderr == "Aborted.\n"
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]


def test_without_a_terminal_it_fails_instead_of_hanging():
    result = run("new", "dl-fundamentals")
    assert result.exit_code == 2
    assert "not a terminal" in result.stderr
    assert run().exit_code == 2  # the bare command would open the menu
