"""(gap, answers, output folder) -> a finished project, or nothing at all.

The project is rendered into a temporary folder beside the target and moved
into place only when complete, so a failure of any kind (template error, git
error, Ctrl-C, SIGTERM, full disk) leaves neither a half-written project nor a
stray temporary folder. Only this module imports cookiecutter, and lazily.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from .catalog import Gap
from .errors import RenderError, TargetExistsError

# cookiecutter logs a failed hook with its traceback; newproject reports it in one line.
logging.getLogger("cookiecutter").addHandler(logging.NullHandler())


class TemplateEnvironment:
    """cookiecutter's Jinja environment for one gap, with the gap's extensions loaded."""

    def __init__(self, gap: Gap):
        self.gap = gap
        self._env = None

    def render_default(self, raw: str, answers: Mapping[str, str]) -> str:
        """Render a template author's default (e.g. the slug) with the answers so far as data."""
        from jinja2 import TemplateError

        if self._env is None:
            from cookiecutter.environment import StrictEnvironment

            with _importable(self.gap.path):
                self._env = StrictEnvironment(context={"cookiecutter": self.gap.context})
        try:
            return self._env.from_string(raw).render(cookiecutter=dict(answers))
        except TemplateError as error:
            raise RenderError(f"{self.gap.id}: default '{raw}' does not render: {error}") from None


def render_project(
    gap: Gap,
    answers: Mapping[str, str],
    output_dir: Path,
    *,
    git: bool = True,
) -> Path:
    """Render `gap` with `answers` into `output_dir/<project_slug>` and return that path."""
    output_dir = Path(output_dir).resolve()
    target = output_dir / answers["project_slug"]
    if target.exists() or target.is_symlink():
        raise TargetExistsError(f"{target} already exists; choose another name or output folder")
    created_dirs = _make_missing_dirs(output_dir)
    staging = None
    try:
        with _sigterm_as_interrupt():
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=output_dir))
            project = _generate(gap, answers, staging)
            if git:
                _git_first_commit(project, answers)
            if target.exists():
                raise TargetExistsError(f"{target} appeared while rendering; left it untouched")
            os.rename(project, target)
    except BaseException:
        if created_dirs:  # the outermost folder newproject made holds all the others
            shutil.rmtree(created_dirs[0], ignore_errors=True)
        raise
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _generate(gap: Gap, answers: Mapping[str, str], staging: Path) -> Path:
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_files
    from jinja2 import TemplateError

    private = {key: value for key, value in gap.context.items() if key.startswith("_")}
    context = {
        "cookiecutter": {
            **private,
            **answers,
            "_template": str(gap.path),
            "_repo_dir": str(gap.path),
            "_output_dir": str(staging),
            "_checkout": None,
        }
    }
    try:
        with _importable(gap.path):
            # The context goes in as data: generate_files never renders values again
            # (cookiecutter's extra_context path would, which is why it is not used).
            project = Path(
                generate_files(repo_dir=str(gap.path), context=context, output_dir=str(staging))
            )
    except (CookiecutterException, TemplateError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RenderError(f"template {gap.id} failed to render: {message}") from None
    # pip byte-compiles the templates it installs from the wheel; those caches are no part
    # of the project.
    for cache in sorted(project.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    return project


def _git_first_commit(project: Path, answers: Mapping[str, str]) -> None:
    """`git init` and a first commit, when git is installed."""
    git = shutil.which("git")
    if git is None:
        return
    identity = [
        "-c",
        f"user.name={answers.get('author_name') or 'newproject'}",
        "-c",
        f"user.email={answers.get('author_email') or 'newproject@localhost'}",
    ]
    steps = {
        "init": [git, "init", "--quiet", "--initial-branch=main"],
        "add": [git, "add", "--all"],
        "commit": [
            git,
            *identity,
            "commit",
            "--quiet",
            "--no-verify",
            "--no-gpg-sign",
            "-m",
            "Initial commit from newproject",
        ],
    }
    for step, command in steps.items():
        result = subprocess.run(command, cwd=project, capture_output=True, text=True)
        if result.returncode != 0:
            detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
            raise RenderError(f"git {step} failed in the new project: {detail}")


def _make_missing_dirs(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; return the ones created (outermost first)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    missing.reverse()
    for path in missing:
        path.mkdir()
    return missing


@contextlib.contextmanager
def _importable(folder: Path) -> Iterator[None]:
    """Let `_extensions` import modules from the gap folder, as stock cookiecutter does."""
    saved = list(sys.path)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path[:] = saved


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt so the clean-up above runs."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
