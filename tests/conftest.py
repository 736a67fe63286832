"""Shared fixtures for newproject's own tests."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"
GAP_IDS = (
    "3d-scene-understanding",
    "custom-model-architecture",
    "detection-and-tracking",
    "dl-fundamentals",
    "lidar-perception",
    "paper-reproduction",
)


def load_sync():
    """scripts/sync_templates.py as a module (the tests read its helpers)."""
    spec = importlib.util.spec_from_file_location(
        "sync_templates", REPO / "scripts" / "sync_templates.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_filters():
    """The escaping filters module, loaded from the shared templates folder."""
    path = TEMPLATES / "_shared" / "newproject_filters.py"
    spec = importlib.util.spec_from_file_location("newproject_filters_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


GIT_IDENTITY_VARS = (
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "EMAIL",
)


@pytest.fixture(autouse=True)
def git_config_of_our_own(tmp_path_factory, monkeypatch) -> Path:
    """Every test sees git as on a fresh machine: no system or global config, no identity.

    The developer's own config (their name, a merge style, commit signing) must not decide
    what a test renders or commits; a test that needs an identity writes it here.
    """
    config = tmp_path_factory.mktemp("git-home") / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in GIT_IDENTITY_VARS:
        monkeypatch.delenv(name, raising=False)
    return config


@pytest.fixture(autouse=True)
def terminal_size_from_the_terminal(monkeypatch) -> None:
    """A terminal's size is what its pty says: pytest-xdist's workers inherit COLUMNS=80 and
    LINES=24, which every child given `os.environ` would take over a pseudo-terminal's own."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


def set_git_user(config: Path, name: str, email: str) -> None:
    """Give the test's git a global identity (as `git config --global user.*` would)."""
    config.write_text(f'[user]\n\tname = "{name}"\n\temail = {email}\n', encoding="utf-8")


@pytest.fixture(autouse=True)
def signal_handlers_restored():
    """Code run in-process must leave Ctrl-C as it found it (children inherit an ignore)."""
    before = signal.getsignal(signal.SIGINT)
    yield
    assert signal.getsignal(signal.SIGINT) == before, "a test left SIGINT's handler changed"


@pytest.fixture
def tiny_templates(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A templates folder with one small gap ("tiny") that reuses the real shared folder."""
    root = tmp_path_factory.mktemp("gaps") / "templates"
    gap = root / "tiny"
    project = gap / "{{cookiecutter.project_slug}}"
    project.mkdir(parents=True)
    (root / "_shared").symlink_to(TEMPLATES / "_shared", target_is_directory=True)
    (gap / "templates").symlink_to("../_shared", target_is_directory=True)
    questions = json.loads((TEMPLATES / "dl-fundamentals" / "cookiecutter.json").read_text())
    questions["_gap"] = "tiny"
    (gap / "cookiecutter.json").write_text(json.dumps(questions))
    (gap / "gap.toml").write_text(
        'title = "Tiny"\npitch = "A tiny gap for tests."\nshows = "s"\nskills = ["a"]\n'
        'datasets = ["d"]\ntime = "1 day"\n\n[questions]\n'
        'project_name = "Deep Learning From Scratch"\ndescription = "A tiny project."\n'
    )
    (project / "README.md").write_text("# {{ cookiecutter.project_name|md_text }}\n")
    (project / "about.py").write_text('{% include "project/about.py" -%}\n')
    monkeypatch.setenv("NEWPROJECT_TEMPLATES", str(root))
    return root


def render_gap(
    gap_id: str,
    out: Path,
    supplied: dict[str, str] | None = None,
    created: str | None = None,
):
    """Render a gap of this checkout as `newproject new GAP --no-input --no-git` does
    (without git's identity), its dates at `created` (the record's time, default now).

    Returns (project folder, the resolved answers).
    """
    from newproject.answers import resolve_answers
    from newproject.catalog import get_gap
    from newproject.render import TemplateEnvironment, render_project

    gap = get_gap(gap_id, TEMPLATES)
    answers = resolve_answers(gap, supplied or {}, TemplateEnvironment(gap).render_default)
    return render_project(gap, answers, out, git=False, created=created), answers


def created_of(project: Path) -> str:
    """The creation time a project's record holds."""
    return json.loads((project / ".newproject.json").read_text(encoding="utf-8"))["created"]


def tree(folder: Path) -> dict[str, bytes]:
    """Relative path -> content of every file under `folder`, .git excluded."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


def venv_bin(name: str) -> str:
    """A console script of the running interpreter's environment."""
    found = Path(sys.executable).parent / name
    return str(found) if found.exists() else shutil.which(name) or name


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build) -> Path:
    """A folder `build(folder)` fills, made once per test run and shared by pytest-xdist's
    workers (each worker has its own session; the first to come builds, the rest wait)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # the same for every worker of this run
    folder, done = shared / name, shared / f"{name}.done"
    with FileLock(str(shared / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


def _build_wheel(out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """newproject's wheel, built from this checkout."""
    (built,) = built_once(tmp_path_factory, "dist", _build_wheel).glob("newproject-*.whl")
    return built


@pytest.fixture(scope="session")
def wheel_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no torch, no checkout on its path) with the wheel installed."""

    def install(folder: Path) -> None:
        venv = folder / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
            check=True,
            capture_output=True,
        )

    return built_once(tmp_path_factory, "wheel-venv", install) / "venv"
