"""The command line as a user meets it: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner
from conftest import GAP_IDS, tree, venv_bin

from newproject import __version__
from newproject.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.mark.parametrize("command", [[], ["list"], ["info"], ["new"]])
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


def test_unknown_gap_is_one_line_without_traceback():
    result = run("new", "3d-scenes", "--no-input")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: unknown gap '3d-scenes'. Valid gaps: 3d-scene-understanding, "
        "custom-model-architecture, dl-fundamentals. Did you mean '3d-scene-understanding'?"
    ]


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


def test_bytecode_caches_of_installed_templates_stay_out(tiny_templates, tmp_path):
    cache = tiny_templates / "tiny" / "{{cookiecutter.project_slug}}" / "pkg" / "__pycache__"
    cache.mkdir(parents=True)
    (cache / "mod.cpython-311.pyc").write_bytes(b"\x00compiled")
    (cache.parent / "mod.py").write_text("VALUE = 1\n")
    result = run("new", "tiny", "--no-input", "--no-git", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    package = tmp_path / "deep-learning-from-scratch" / "pkg"
    assert sorted(path.name for path in package.iterdir()) == ["mod.py"]


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
    assert "already exists" in result.output
    assert "Traceback" not in result.output
    assert tree(tmp_path) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["deep-learning-from-scratch"]


def test_invalid_answer_writes_nothing(tiny_templates, tmp_path):
    out = tmp_path / "new-folder"
    result = run("new", "tiny", "--no-input", "-o", str(out), "--set", "package_name=import")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: package_name 'import' is a Python keyword"
    assert not out.exists()


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
    assert result.exit_code == 1
    assert "Aborted" in result.output
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]


def test_without_a_terminal_it_fails_instead_of_hanging():
    result = run("new", "dl-fundamentals")
    assert result.exit_code == 1
    assert "not a terminal" in result.output
    assert run().exit_code == 1  # the bare command would open the menu


def test_no_input_needs_a_gap():
    result = run("new", "--no-input")
    assert result.exit_code == 1
    assert "--no-input needs a GAP" in result.output
