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
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from .catalog import Gap
from .entry import raise_if_interrupted
from .errors import (
    InvalidAnswerError,
    OutputError,
    RenderError,
    TargetExistsError,
    one_line,
    shown,
)
from .gituser import environment_for_git
from .shared import SHARED_HOOK_MARKER, answer_rules, template_identity
from .snapshot import FIRST_COMMIT_SUBJECT, SNAPSHOT_TRAILER
from .stopping import signals_as_interrupt as _signals_as_interrupt
from .stopping import signals_blocked as _signals_blocked

# cookiecutter logs a failed hook with its traceback; newproject reports it in one line.
logging.getLogger("cookiecutter").addHandler(logging.NullHandler())

_STAGING_PREFIX = ".newproject-"  # the hidden folder a render happens in, beside the target


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
            raise RenderError(
                f"{self.gap.id}: default {shown(raw)} does not render: {one_line(str(error))}"
            ) from None


def render_project(
    gap: Gap,
    answers: Mapping[str, str],
    output_dir: Path,
    *,
    git: bool = True,
    commit: bool = True,
    author: tuple[str, str] | None = None,
    created: str | None = None,
    check_answers: bool = True,
    announce: Callable[[Path], None] | None = None,
) -> Path:
    """Render `gap` with `answers` into `output_dir/<project_slug>` and return that path.

    With `git`, the project gets `git init` and, with `commit`, a first commit authored
    by `author` (name, e-mail; default: the answers), marked as a pristine render for
    `newproject update`. `created` (the record's UTC time, `YYYY-MM-DDTHH:MM:SSZ`) is
    the moment the template's dates are rendered at: the same record renders the same
    bytes. `check_answers=False` re-renders answers an older template took (the base of
    an update) without today's checks. Raises TargetExistsError, RenderError,
    OutputError (the machine refused: read-only, full, not a folder, ...) or
    InvalidAnswerError (git refuses the author identity), each after removing everything
    it made; Interrupted or KeyboardInterrupt likewise. `announce(project)` (the CLI's
    "Created ...") runs once the project is in place, before any stop signal is let in.
    """
    output_dir = Path(os.path.abspath(output_dir))
    target = output_dir / answers["project_slug"]
    moment = created or template_identity().now()
    git_path = shutil.which("git") if git else None
    if git_path:
        _check_git_identity(git_path, answers)  # before anything is written
        if commit and author and author != (answers["author_name"], answers["author_email"]):
            _check_git_identity(git_path, {"author_name": author[0], "author_email": author[1]})
    created: list[Path] = []
    staging = None
    # From the move into place until the project is announced, a stop signal waits: a
    # project that exists has always been reported ("Created ..."), then newproject stops.
    held = contextlib.ExitStack()
    try:
        with _signals_as_interrupt():
            _prepare_output_dir(output_dir, created)
            if os.path.lexists(target):
                raise TargetExistsError(
                    f"{shown(target)} already exists; choose another name or output folder"
                )
            staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=output_dir))
            project = _generate(gap, answers, staging, moment, check_answers)
            if git_path:
                identity = author or (answers["author_name"], answers["author_email"])
                _git_first_commit(git_path, project, identity if commit else None)
            if os.path.lexists(target):
                raise TargetExistsError(
                    f"{shown(target)} appeared while rendering; left it untouched"
                )
            raise_if_interrupted()
            held.enter_context(_signals_blocked())
            os.rename(project, target)
    except OSError as error:
        _clean_up(staging, created)
        held.close()
        raise OutputError(_describe(error, staging, target, output_dir)) from None
    except BaseException:
        _clean_up(staging, created)
        held.close()
        raise
    with held:
        _clean_up(staging, [])
        if announce is not None:
            announce(target)
    return target


def _prepare_output_dir(folder: Path, created: list[Path]) -> None:
    """Make sure `folder` is a usable folder, creating it and its missing parents.

    Each folder made is appended to `created` (outermost first) as soon as it exists.
    """
    missing = []
    probe = folder
    while True:
        try:
            mode = os.stat(probe).st_mode
            break
        except FileNotFoundError:
            if os.path.islink(probe):
                raise OutputError(
                    f"output folder {shown(probe)} is a symbolic link to nothing"
                ) from None
            missing.append(probe)
            probe = probe.parent
        except OSError as error:
            raise OutputError(
                f"cannot use the output folder {shown(probe)}: {_reason(error)}"
            ) from None
    if not stat.S_ISDIR(mode):
        raise OutputError(f"output folder {shown(probe)} is not a folder")
    for path in reversed(missing):
        try:
            path.mkdir()
        except OSError as error:
            raise OutputError(f"cannot create {shown(path)}: {_reason(error)}") from None
        created.append(path)


def _clean_up(staging: Path | None, created: list[Path]) -> None:
    """Remove the staging folder and the folders newproject made; a second Ctrl-C waits."""
    with _signals_blocked():
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created:  # the outermost folder newproject made holds all the others
            shutil.rmtree(created[0], ignore_errors=True)


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def _describe(error: OSError, staging: Path | None, target: Path, output_dir: Path) -> str:
    """One line naming the path that failed (as the user knows it) and the cause."""
    if isinstance(error.__cause__, OSError) and error.__cause__.errno:
        error = error.__cause__  # cookiecutter re-raises some without errno or path
    if error.filename:
        path = Path(os.fsdecode(error.filename))
    else:  # a failed write names no file: say which project it was writing
        path = target if staging is not None else output_dir
    if path.parent == output_dir and path.name.startswith(_STAGING_PREFIX):
        return f"cannot write in {shown(output_dir)}: {_reason(error)}"
    if staging is not None and path.is_relative_to(staging):
        inside = path.relative_to(staging).parts[1:]  # below the rendered project folder
        path = target.joinpath(*inside)
    return f"cannot write {shown(path)}: {_reason(error)}"


def _generate(
    gap: Gap, answers: Mapping[str, str], staging: Path, created: str, check: bool = True
) -> Path:
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_files
    from jinja2 import TemplateError

    if check:
        _check_as_the_hook_does(gap, answers)
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
        with (
            _importable(gap.path),
            _compiled_caches_hidden(),
            _shared_hooks_in_process(),
            _clock_at(created),
        ):
            # The context goes in as data: generate_files never renders values again
            # (cookiecutter's extra_context path would, which is why it is not used).
            project = Path(
                generate_files(repo_dir=str(gap.path), context=context, output_dir=str(staging))
            )
    except (CookiecutterException, TemplateError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RenderError(f"template {gap.id} failed to render: {one_line(message)}") from None
    # What the shared post_gen_project hook does under stock cookiecutter.
    template_identity().complete_record(project, gap.path, created)
    return project


def _check_as_the_hook_does(gap: Gap, answers: Mapping[str, str]) -> None:
    """The shared pre_gen_project hook's check, in-process: the same rules, the same line."""
    rules = answer_rules()
    try:
        rules.check_context(gap.context, answers, gap.path / "templates")
    except rules.AnswerError as error:
        raise InvalidAnswerError(str(error)) from None


@contextlib.contextmanager
def _shared_hooks_in_process() -> Iterator[None]:
    """Hand cookiecutter only the template's own hooks: newproject does the shared hooks'
    work in-process (`_check_as_the_hook_does`, `complete_record`), without a Python
    process each."""
    import cookiecutter.hooks as hooks

    real_find = hooks.find_hook

    def find_own_hooks(hook_name, hooks_dir="hooks"):
        scripts = [
            script
            for script in real_find(hook_name, hooks_dir) or []
            if not _is_shared_hook(Path(script))
        ]
        return scripts or None

    hooks.find_hook = find_own_hooks
    try:
        yield
    finally:
        hooks.find_hook = real_find


def _is_shared_hook(script: Path) -> bool:
    try:
        with open(script, encoding="utf-8") as handle:
            return handle.readline().startswith(SHARED_HOOK_MARKER)
    except (OSError, UnicodeDecodeError):
        return False


class _FrozenArrow:
    """`arrow` as cookiecutter's `{% now %}` tag sees it, with the clock stopped."""

    def __init__(self, real_arrow, moment: str):
        self._arrow = real_arrow
        self._moment = moment

    def __getattr__(self, name):
        return getattr(self._arrow, name)

    def now(self, tz="local"):
        return self._arrow.get(self._moment).to(tz)


@contextlib.contextmanager
def _clock_at(moment: str) -> Iterator[None]:
    """Render the templates' dates (`{% now %}`) at `moment`, the record's creation time."""
    import cookiecutter.extensions as extensions

    real = extensions.arrow
    extensions.arrow = _FrozenArrow(real, moment)
    try:
        yield
    finally:
        extensions.arrow = real


class _WalkWithoutCaches:
    """`os` as cookiecutter's generate module sees it, with a walk that skips bytecode."""

    def __init__(self, real_os):
        self._os = real_os

    def __getattr__(self, name):
        return getattr(self._os, name)

    def walk(self, top, *args, **kwargs):
        for root, dirs, files in self._os.walk(top, *args, **kwargs):
            dirs[:] = [name for name in dirs if name != "__pycache__"]
            files[:] = [name for name in files if not name.endswith((".pyc", ".pyo"))]
            yield root, dirs, files


@contextlib.contextmanager
def _compiled_caches_hidden() -> Iterator[None]:
    """Keep __pycache__ and *.pyc of the templates (pip compiles the installed ones) out of
    the render: cookiecutter has no exclude option, so its walk is given one."""
    import cookiecutter.generate as generate

    real_os = generate.os
    generate.os = _WalkWithoutCaches(real_os)
    try:
        yield
    finally:
        generate.os = real_os


def _check_git_identity(git: str, answers: Mapping[str, str]) -> None:
    """Ask git whether it takes the author identity, so a commit never fails late."""
    for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        result = subprocess.run(
            [git, *_identity(answers), "var", ident],
            capture_output=True,
            text=True,
            env=environment_for_git(),
            cwd=os.sep,  # outside any repository, whose config or ownership could interfere
        )
        if result.returncode != 0:
            raise InvalidAnswerError(
                f"git refuses the author {shown(answers.get('author_name'))} "
                f"<{shown(answers.get('author_email'))}>: {_git_message(result.stderr)}"
            )


def _identity(answers: Mapping[str, str]) -> list[str]:
    return [
        "-c",
        f"user.name={answers.get('author_name') or 'newproject'}",
        "-c",
        f"user.email={answers.get('author_email') or 'newproject@localhost'}",
    ]


def _git_message(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    chosen = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    return one_line(chosen or (lines[-1] if lines else "no message"))


def _git_first_commit(git: str, project: Path, author: tuple[str, str] | None) -> None:
    """`git init` and, when there is an `author`, a first commit in the project.

    The commit says which tree it holds (a pristine render): `newproject update` finds it
    there as the base of a later three-way merge, even once newproject no longer ships
    this version of the template.
    """
    env = environment_for_git()

    def run(step: str, command: list[str]) -> str:
        result = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise RenderError(
                f"git {step} failed in the new project: {_git_message(result.stderr)}"
            )
        return result.stdout.strip()

    run("init", [git, "init", "--quiet", "--initial-branch=main"])
    run("add", [git, "add", "--all"])
    tree = run("write-tree", [git, "write-tree"])
    message = f"{FIRST_COMMIT_SUBJECT}\n\n{SNAPSHOT_TRAILER}: {tree}\n"
    if author is None:  # `git commit --no-edit` takes this message once git knows the user
        (project / ".git" / "MERGE_MSG").write_text(message, encoding="utf-8")
        return
    identity = {"author_name": author[0], "author_email": author[1]}
    run(
        "commit",
        [
            git,
            *_identity(identity),
            "commit",
            "--quiet",
            "--no-verify",
            "--no-gpg-sign",
            "-m",
            message,
        ],
    )


@contextlib.contextmanager
def _importable(folder: Path) -> Iterator[None]:
    """Let `_extensions` import modules from the gap folder, as stock cookiecutter does."""
    saved = list(sys.path)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path[:] = saved
