"""`newproject update`: a project rendered from template state A, edited by its owner, then
updated to state B (a test copy of the templates, through NEWPROJECT_TEMPLATES)."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TEMPLATES, set_git_user

from newproject.cli import main

GAP = "dl-fundamentals"
RESULTS = re.compile(r"<!-- results:start -->.*?<!-- results:end -->", re.DOTALL)
FILLED_RESULTS = (
    "<!-- results:start -->\n| model | accuracy |\n| --- | --- |\n| cnn | 0.971 ± 0.004 |\n"
    "<!-- results:end -->"
)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def git(project: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", message)


def files(folder: Path, *, with_git: bool = False) -> dict[str, bytes]:
    """Every file under `folder` (untracked and ignored ones too), .git only if asked."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and (with_git or ".git" not in path.relative_to(folder).parts)
    }


def git_state(project: Path) -> dict[str, str]:
    """What git says about the project: HEAD, refs, index, status, a merge in progress."""
    return {
        "head": git(project, "rev-parse", "HEAD"),
        "refs": git(project, "show-ref"),
        "index": git(project, "ls-files", "--stage"),
        "status": git(project, "status", "--porcelain", "--untracked-files=all"),
        "merge": str((project / ".git" / "MERGE_HEAD").exists()),
    }


def edit(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def first_line_plus(suffix: str):
    def change(text: str) -> str:
        first, _, rest = text.partition("\n")
        return f"{first}{suffix}\n{rest}"

    return change


@pytest.fixture
def templates_a(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """newproject's templates, copied: state A, changed in place to state B by a test.

    Beside the real gaps, `small`: a gap of five files (the record, the README with its
    results, .gitignore, about.py) for the tests of the mechanics, which render it fast.
    """
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    small = copy / "small"
    project = small / "{{cookiecutter.project_slug}}"
    (project / "src" / "{{cookiecutter.package_name}}").mkdir(parents=True)
    (small / "templates").symlink_to("../_shared", target_is_directory=True)
    (small / "hooks").symlink_to("../_shared/hooks", target_is_directory=True)
    context = json.loads((TEMPLATES / GAP / "cookiecutter.json").read_text())
    (small / "cookiecutter.json").write_text(json.dumps({**context, "_gap": "small"}))
    (small / "gap.toml").write_text(
        'title = "Small"\npitch = "p"\nshows = "s"\nskills = ["a"]\ndatasets = ["d"]\n'
        'time = "1 day"\n'
    )
    (project / "README.md").write_text(
        "# {{ cookiecutter.project_name|md_text }}\n\n{{ cookiecutter.description|md_text }}\n"
        "\n## Results\n\n<!-- results:start -->\nRun `make smoke` to fill this section.\n"
        "<!-- results:end -->\n\n## Licence\n\n{{ cookiecutter.license }}\n"
    )
    for name, stub in ((".newproject.json", "newproject.json"), (".gitignore", "gitignore")):
        (project / name).write_text(f'{{% include "project/{stub}" -%}}\n')
    package = project / "src" / "{{cookiecutter.package_name}}"
    (package / "about.py").write_text('{% include "project/about.py" -%}\n')
    monkeypatch.setenv("NEWPROJECT_TEMPLATES", str(copy))
    return copy


@pytest.fixture
def user(git_config_of_our_own: Path) -> Path:
    set_git_user(git_config_of_our_own, "Ada Lovelace", "ada@example.org")
    return git_config_of_our_own


def render(gap: str, out: Path, *options: str) -> Path:
    """`newproject new GAP` as Grad Lab, with results written as `make smoke` writes them."""
    result = run(
        "new", gap, "--no-input", "-o", str(out), "--set", "project_name=Grad Lab", *options
    )
    assert result.exit_code == 0, result.output
    project = out / "grad-lab"
    edit(project / "README.md", lambda text: RESULTS.sub(FILLED_RESULTS, text, count=1))
    if (project / ".git").exists():
        commit_all(project, "Results of make smoke")
    return project


def add_runs_and_data(project: Path) -> None:
    (project / "runs" / "cnn").mkdir(parents=True)
    (project / "runs" / "cnn" / "metrics.json").write_text('{"accuracy": 0.971}\n')
    (project / "data").mkdir()
    (project / "data" / "digits.bin").write_bytes(b"\x00\x01 my data")


@pytest.fixture(params=[GAP])
def project(request, templates_a: Path, user: Path, tmp_path: Path) -> Path:
    """Grad Lab of a real gap (or, parametrized so, the small one) from state A, its
    results written and runs and data made."""
    project = render(request.param, tmp_path / "out")
    add_runs_and_data(project)
    return project


def make_state_b(templates: Path) -> None:
    """Template changes that do not depend on the exact text of files others are editing."""
    shared = templates / "_shared" / "project"
    edit(shared / "gitignore", first_line_plus("  # template B"))  # the owner edits it too
    edit(shared / "about.py", lambda text: text + "# template B: a new line\n")
    edit(shared / "README.md", lambda text: text + "\n<!-- template B -->\n")
    for gap in (GAP, "small"):
        gap_project = templates / gap / "{{cookiecutter.project_slug}}"
        edit(
            gap_project / "README.md",
            lambda text: RESULTS.sub(
                "<!-- results:start -->\nTemplate B says: run `make smoke`.\n<!-- results:end -->",
                text,
                count=1,
            ),
        )
        if gap == "small":
            edit(gap_project / "README.md", lambda text: text + "\n<!-- template B -->\n")
        (gap_project / "NOTES.md").write_text(
            "# Notes for {{ cookiecutter.project_name|md_text }}\n"
        )
        # A template never writes where the project keeps runs, data and weights.
        (gap_project / "runs").mkdir()
        (gap_project / "runs" / "README.md").write_text("template's runs readme\n")
        (gap_project / "data").mkdir()
        (gap_project / "data" / "digits.bin").write_text("template's data\n")


def owner_edits(project: Path, *, conflicting: bool = True) -> None:
    """The owner's own work: a README note, a module of their own, maybe the .gitignore."""
    edit(project / "README.md", lambda text: text.replace("\n", "\n\nMy own note.\n", 1))
    (project / "src" / "grad_lab" / "mine.py").write_text('"""My own module."""\n')
    if conflicting:
        edit(project / ".gitignore", first_line_plus("  # mine"))
    commit_all(project, "My own changes")


def test_edits_are_kept_template_changes_applied_conflicts_marked(project, templates_a):
    owner_edits(project)
    before = files(project)
    old_head = git(project, "rev-parse", "HEAD").strip()
    make_state_b(templates_a)

    result = run("update", str(project))

    assert result.exit_code == 1, result.output
    (error,) = result.stderr.splitlines()
    assert error.startswith("Error: conflicts in 1 file: .gitignore. Resolve the <<<<<<< markers")
    assert "conflict  .gitignore" in result.stdout
    # The owner's edits are kept.
    readme = (project / "README.md").read_text()
    assert "My own note." in readme
    assert (project / "src" / "grad_lab" / "mine.py").read_bytes() == before["src/grad_lab/mine.py"]
    # The template's changes are applied, rendered with the project's answers.
    assert (
        (project / "src" / "grad_lab" / "about.py")
        .read_text()
        .endswith("# template B: a new line\n")
    )
    assert readme.endswith("<!-- template B -->\n")
    assert (project / "NOTES.md").read_text() == "# Notes for Grad Lab\n"
    # The line both changed carries git's standard markers, and git knows it is unmerged.
    gitignore = (project / ".gitignore").read_text()
    first = before[".gitignore"].decode().splitlines()[0].removesuffix("  # mine")
    assert (
        f"<<<<<<< HEAD\n{first}  # mine\n=======\n{first}  # template B\n>>>>>>> template\n"
        in gitignore
    )
    assert "UU .gitignore" in git(project, "status", "--porcelain")
    assert not list(project.rglob("*.rej")) and not list(project.rglob("*.orig"))
    # The results, runs and data are untouched.
    assert RESULTS.search(readme).group(0) == FILLED_RESULTS
    assert (project / "runs" / "cnn" / "metrics.json").read_bytes() == before[
        "runs/cnn/metrics.json"
    ]
    assert (project / "data" / "digits.bin").read_bytes() == b"\x00\x01 my data"
    assert not (project / "runs" / "README.md").exists()
    # git's own commands finish it: resolve, commit (a merge with the template's snapshot).
    edit(
        project / ".gitignore",
        lambda text: re.sub(
            r"<<<<<<< HEAD\n.*?>>>>>>> template\n",
            f"{first}  # mine and template B\n",
            text,
            flags=re.DOTALL,
        ),
    )
    git(project, "add", ".gitignore")
    git(project, "commit", "--quiet", "--no-edit")
    parents = git(project, "log", "-1", "--format=%P").split()
    assert parents[0] == old_head and len(parents) == 2
    assert git(project, "log", "-1", "--format=%s").startswith("Update from the template")
    again = run("update", str(project))
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("Already up to date with the template dl-fundamentals")


def test_a_clean_update_is_one_commit_that_git_revert_undoes(project, templates_a):
    owner_edits(project, conflicting=False)
    old_head = git(project, "rev-parse", "HEAD").strip()
    old_tree = git(project, "rev-parse", "HEAD^{tree}").strip()
    make_state_b(templates_a)

    result = run("update", str(project))

    assert result.exit_code == 0, result.output
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    # Data the owner committed stays theirs, though the template ships a file there.
    assert (project / "data" / "digits.bin").read_bytes() == b"\x00\x01 my data"
    assert git(project, "rev-list", "--first-parent", "--count", f"{old_head}..HEAD") == "1\n"
    assert git(project, "log", "-1", "--format=%an <%ae>") == "Ada Lovelace <ada@example.org>\n"
    head = git(project, "rev-parse", "--short=10", "HEAD").strip()
    assert f"Undo it with: git revert -m 1 {head}" in result.stdout
    assert "  updated   .gitignore" in result.stdout and "  added     NOTES.md" in result.stdout
    assert "  merged    README.md" in result.stdout
    record = json.loads((project / ".newproject.json").read_text())
    assert (
        record["template"]["hash"]
        != json.loads(git(project, "show", f"{old_head}:.newproject.json"))["template"]["hash"]
    )
    git(project, "revert", "--no-edit", "-m", "1", "HEAD")
    assert git(project, "rev-parse", "HEAD^{tree}").strip() == old_tree


def test_dry_run_prints_the_diff_and_writes_nothing(project, templates_a):
    owner_edits(project)
    make_state_b(templates_a)
    before = files(project, with_git=True)

    result = run("update", "--dry-run", str(project))

    assert files(project, with_git=True) == before  # not one byte, .git included
    assert result.exit_code == 1
    assert "+# template B: a new line" in result.stdout
    assert "+# Notes for Grad Lab" in result.stdout
    assert "<<<<<<< HEAD" in result.stdout
    assert result.stderr == (
        "Error: the update would conflict in .gitignore; nothing was changed (--dry-run)\n"
    )


def _interrupt_on_second_file(monkeypatch):
    from newproject.update import apply

    real = apply.WorkTree.put
    calls = []

    def put(self, path, entry, content):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C (or SIGTERM, as Interrupted) mid-write
        return real(self, path, entry, content)

    monkeypatch.setattr(apply.WorkTree, "put", put)
    return calls


def _fail_after_the_index(monkeypatch):
    from newproject.update import command
    from newproject.update.git import GitError

    real = command.Git.run

    def run_git(self, *args, **kwargs):
        if args[:1] == ("update-ref",):
            raise GitError("git update-ref failed: simulated")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(command.Git, "run", run_git)
    return []


def _sigterm_on_second_file(monkeypatch):
    from newproject.errors import Interrupted
    from newproject.update import apply

    real = apply.WorkTree.put
    calls = []

    def put(self, path, entry, content):
        calls.append(path)
        if len(calls) == 2:
            raise Interrupted(signal.SIGTERM)  # what the handler raises on SIGTERM
        return real(self, path, entry, content)

    monkeypatch.setattr(apply.WorkTree, "put", put)


@pytest.mark.parametrize("project", ["small"], indirect=True)
@pytest.mark.parametrize(
    ("stop", "code"),
    [(_interrupt_on_second_file, 130), (_sigterm_on_second_file, 143), (_fail_after_the_index, 1)],
)
def test_an_interrupted_update_leaves_the_project_as_it_was(
    project, templates_a, monkeypatch, stop, code
):
    owner_edits(project, conflicting=False)
    make_state_b(templates_a)
    before, state = files(project), git_state(project)
    stop(monkeypatch)

    result = run("update", str(project))

    assert result.exit_code == code, result.output
    assert files(project) == before
    assert git_state(project) == state
    monkeypatch.undo()
    monkeypatch.setenv("NEWPROJECT_TEMPLATES", str(templates_a))
    again = run("update", str(project))  # nothing was half-done: the update runs whole
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("project", ["small"], indirect=True)
@pytest.mark.parametrize(
    ("dirt", "shown"),
    [
        (lambda p: (p / "README.md").write_text("changed\n"), "README.md"),
        (lambda p: (p / "notes.txt").write_text("mine\n"), "notes.txt"),
    ],
)
def test_a_dirty_tree_is_refused(project, templates_a, dirt, shown):
    make_state_b(templates_a)
    dirt(project)
    before, state = files(project), git_state(project)

    result = run("update", str(project))

    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: the project has uncommitted changes ({shown})")
    assert files(project) == before and git_state(project) == state


@pytest.mark.parametrize("project", ["small"], indirect=True)
def test_the_base_comes_from_the_project_history_once_the_template_is_gone(project, templates_a):
    """State A is gone from newproject's templates: the first commit holds it."""
    owner_edits(project, conflicting=False)
    make_state_b(templates_a)
    assert run("update", str(project)).exit_code == 0
    # State C: a second update finds state B's snapshot, the template commit of the first.
    edit(templates_a / "_shared" / "project" / "about.py", lambda text: text + "# state C\n")
    result = run("update", str(project))
    assert result.exit_code == 0, result.output
    about = (project / "src" / "grad_lab" / "about.py").read_text()
    assert about.endswith("# template B: a new line\n# state C\n")
    assert "  updated   src/grad_lab/about.py" in result.stdout
    assert "mine.py" not in result.stdout


def test_without_a_snapshot_it_says_what_is_missing(templates_a, user, tmp_path):
    """A project committed by hand (rendered with --no-git) has no pristine snapshot."""
    state_a = tmp_path / "state-a"
    shutil.copytree(templates_a, state_a, symlinks=True)
    project = render("small", tmp_path / "out", "--no-git")
    git(project, "init", "--quiet")
    commit_all(project, "My first commit")
    make_state_b(templates_a)

    result = run("update", str(project))

    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "cannot rebuild the template the project was made from (small sha256:" in line
    assert line.endswith("run again with --base-templates PATH/templates")
    result = run("update", str(project), "--base-templates", str(state_a))
    assert result.exit_code == 0, result.output
    assert (project / "NOTES.md").is_file()
    wrong = run("update", str(project), "--base-templates", str(templates_a))
    assert wrong.exit_code == 0 and wrong.stdout.startswith("Already up to date")


@pytest.mark.parametrize("project", ["small"], indirect=True)
def test_an_amended_first_commit_is_no_snapshot(project, templates_a):
    """Amending the first commit changes its tree: it no longer holds the pristine render."""
    git(project, "reset", "--quiet", "--hard", "HEAD~1")  # back to the first commit
    (project / "EXTRA.md").write_text("added by amend\n")
    git(project, "add", "EXTRA.md")
    git(project, "commit", "--quiet", "--amend", "--no-edit")
    make_state_b(templates_a)
    result = run("update", str(project))
    assert result.exit_code == 1
    assert "cannot rebuild the template" in result.stderr


@pytest.mark.parametrize("project", ["small"], indirect=True)
def test_set_changes_an_answer_in_every_file_it_reaches(project):
    result = run("update", str(project), "--set", 'description=Sharper, with "quotes"')
    assert result.exit_code == 0, result.output
    about = (project / "src" / "grad_lab" / "about.py").read_text()
    assert """DESCRIPTION = 'Sharper, with "quotes"'""" in about
    assert json.loads((project / ".newproject.json").read_text())["answers"]["description"] == (
        'Sharper, with "quotes"'
    )
    assert RESULTS.search((project / "README.md").read_text()).group(0) == FILLED_RESULTS
    bad = run("update", str(project), "--set", "package_name=class")
    assert bad.exit_code == 2 and bad.stderr == "Error: package_name 'class' is a Python keyword\n"


@pytest.mark.parametrize("what", ["no record", "no git"])
def test_what_update_cannot_work_on_is_one_line(tmp_path, what):
    folder = tmp_path / "folder"
    folder.mkdir()
    if what == "no git":
        (folder / ".newproject.json").write_text(
            json.dumps(
                {
                    "generator": "newproject",
                    "gap": GAP,
                    "answers": {},
                    "template": {"hash": "sha256:00"},
                }
            )
        )
    result = run("update", str(folder))
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    expected = "has no .newproject.json" if what == "no record" else "is not a git repository"
    assert expected in line


@pytest.mark.parametrize("project", ["small"], indirect=True)
def test_from_inside_the_project_it_finds_the_project(project, templates_a, monkeypatch):
    make_state_b(templates_a)
    monkeypatch.chdir(project / "src" / "grad_lab")
    result = run("update", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Would update grad-lab from the template small: sha256:")


@pytest.mark.parametrize("changed_since", [False, True])
def test_a_snapshot_may_hold_files_besides_the_render(templates_a, user, tmp_path, changed_since):
    """As the personalisation commit of a template repository does: its trailers name the
    render's tree and each file it holds besides; the update carries those over unchanged.
    A commit whose tree less those files is not the named tree is no snapshot."""
    project = render("small", tmp_path / "out", "--no-git")
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    rendered = git(project, "write-tree").strip()
    setup = project / ".github" / "workflows" / "template-setup.yml"
    setup.parent.mkdir(parents=True)
    setup.write_text("name: template setup\n")
    if changed_since:
        (project / "EXTRA.md").write_text("in no trailer\n")
    git(project, "add", "--all")
    message = (
        f"Personalised\n\nNewproject-Snapshot: {rendered}\n"
        "Newproject-Snapshot-Extra: .github/workflows/template-setup.yml\n"
    )
    git(project, "commit", "--quiet", "-m", message)
    make_state_b(templates_a)

    result = run("update", str(project))

    if changed_since:
        assert result.exit_code == 1
        assert "cannot rebuild the template" in result.stderr
        return
    assert result.exit_code == 0, result.output
    assert (project / "NOTES.md").read_text() == "# Notes for Grad Lab\n"
    assert setup.read_text() == "name: template setup\n"
    assert "template-setup.yml" not in result.stdout  # neither side changed it
    template_commit = git(project, "log", "-1", "--format=%P").split()[1]
    assert git(project, "show", f"{template_commit}:{setup.relative_to(project)}") == (
        "name: template setup\n"
    )
    trailers = git(project, "log", "-1", "--format=%B", template_commit).splitlines()
    assert "Newproject-Snapshot-Extra: .github/workflows/template-setup.yml" in trailers
    edit(templates_a / "_shared" / "project" / "about.py", lambda text: text + "# state C\n")
    again = run("update", str(project))  # the template commit is the next base, extras too
    assert again.exit_code == 0, again.output
    assert (project / "src" / "grad_lab" / "about.py").read_text().endswith("# state C\n")
    assert setup.read_text() == "name: template setup\n"
