"""`newproject template-repo GAP DIR`: a standalone repository for GitHub's "Use this template".

As pushed, DIR is the gap's project rendered with neutral answers (a complete project whose own
CI passes), plus what its first run needs:

    .github/workflows/template-setup.yml   the first-run workflow (disables itself afterwards)
    .github/newproject-template/           removed by the first run:
        personalise.py                     the logic the workflow runs (this package's copy)
        requirements.txt                   the renderer, pinned to the versions that wrote DIR
        template.json                      the gap, the neutral answers, the private context
        template/                          the gap's cookiecutter template, shared folder resolved
        ruff.toml, README.md               keeps the template out of the project's lint; says why

The first run renders the template anew with the new repository's names, so the personalised
tree is what `newproject new GAP` renders with those answers (see personalise.py). GitHub's
token may not change files under .github/workflows/: a gap whose workflows depend on the names
could not be personalised, and is refused here before anything is written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path

from .. import __version__
from ..catalog import Gap
from ..errors import NewprojectError, RenderError, TargetExistsError
from ..shared import template_identity
from .personalise import SETUP_WORKFLOW, TEMPLATE_DIR, WORKFLOWS_DIR

PACKAGE = Path(__file__).resolve().parent
PERSONALISED = ("project_name", "project_slug", "package_name", "author_name", "author_email")
# Renderer packages pinned in requirements.txt: the ones that rendered the neutral tree.
RENDERER = ("cookiecutter", "Jinja2")
# Answers that differ from any gap's in every name the first run would personalise.
_PROBE = {
    "project_name": "Probe Zq Lab",
    "project_slug": "probe-zq-lab",
    "package_name": "probe_zq_lab",
    "author_name": "Probe Author",
    "author_email": "probe@example.org",
}
_ESSENTIALS = ("project_slug", "package_name")


def banner(gap: Gap) -> str:
    """The note above the neutral README (the first run renders the README anew)."""
    return (
        f"> **A template repository** made by newproject from its `{gap.id}` gap. Use GitHub's "
        "*Use this template*: the first run of `.github/workflows/template-setup.yml` renames "
        "the project, package and distribution after your new repository, makes you its "
        "author and commits the result.\n\n"
    )


def write_template_repo(
    gap: Gap, answers: Mapping[str, str], target: Path, *, git: bool = True
) -> Path:
    """Write the template repository for `gap` into `target` (which must not exist)."""
    from ..render import render_project

    target = Path(target).absolute()
    if target.exists() or target.is_symlink():
        raise TargetExistsError(f"{target} already exists; choose another folder")
    missing = [key for key in _ESSENTIALS if key not in answers]
    if missing:
        raise NewprojectError(f"{gap.id} asks no {', '.join(missing)}: no template repo for it")
    created = _make_missing_dirs(target.parent)
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        project = render_project(gap, answers, staging / "neutral", git=False)
        probe = render_project(gap, {**answers, **_probe(answers)}, staging / "probe", git=False)
        _refuse_name_dependent_workflows(gap, project, probe)
        _add_template_files(gap, dict(answers), project)
        if git:
            _git_first_commit(project, gap)
        if target.exists():
            raise TargetExistsError(f"{target} appeared while writing; left it untouched")
        os.rename(project, target)
    except BaseException:
        if created:
            shutil.rmtree(created[0], ignore_errors=True)
        raise
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _probe(answers: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in _PROBE.items() if key in answers}


def _refuse_name_dependent_workflows(gap: Gap, neutral: Path, probe: Path) -> None:
    ours, probed = _workflow_files(neutral), _workflow_files(probe)
    changed = sorted(name for name in set(ours) | set(probed) if ours.get(name) != probed.get(name))
    if changed:
        raise RenderError(
            f"{gap.id}: {', '.join(changed)} depends on the project's names, and GitHub's token "
            "may not change workflows, so a template repository could not be personalised"
        )


def _workflow_files(project: Path) -> dict[str, bytes]:
    folder = project / WORKFLOWS_DIR
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _add_template_files(gap: Gap, answers: dict[str, str], project: Path) -> None:
    here = project / TEMPLATE_DIR
    here.mkdir(parents=True)
    # The gap's template as stock cookiecutter reads it, with the `templates` symlink resolved:
    # a repository made from a template should hold no link out of itself.
    shutil.copytree(
        gap.path,
        here / "template",
        symlinks=False,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    # Inside the new repository, git would name the repository's own commit as the template's:
    # bake the source's commit and version in, as the wheel's build does.
    identity = template_identity()
    source = json.dumps(identity.source(gap.path), indent=2) + "\n"
    (here / "template" / "hooks" / identity.SOURCE_FILE).write_text(source, encoding="utf-8")
    shutil.copyfile(PACKAGE / "personalise.py", here / "personalise.py")
    shutil.copyfile(PACKAGE / "template_folder.md", here / "README.md")
    (here / "requirements.txt").write_text(
        "".join(f"{name}=={version(name)}\n" for name in RENDERER), encoding="utf-8"
    )
    (here / "ruff.toml").write_text(
        "# The template's sources hold Jinja: no part of the project's lint.\nexclude = [\"*\"]\n",
        encoding="utf-8",
    )
    manifest = {
        "gap": gap.id,
        "newproject_version": __version__,
        "answers": answers,
        "personalised": [key for key in PERSONALISED if key in answers],
        "private": {key: value for key, value in gap.context.items() if key.startswith("_")},
    }
    (here / "template.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    workflow = project / SETUP_WORKFLOW
    workflow.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PACKAGE / "setup.yml", workflow)
    readme = project / "README.md"
    if readme.is_file():
        readme.write_text(banner(gap) + readme.read_text(encoding="utf-8"), encoding="utf-8")


def _git_first_commit(project: Path, gap: Gap) -> None:
    """`git init` and one commit, by the user's git identity (newproject's when none is set)."""
    git = shutil.which("git")
    if git is None:
        return
    identity = []
    for key, fallback in (("user.name", "newproject"), ("user.email", "newproject@localhost")):
        configured = subprocess.run([git, "config", key], capture_output=True, text=True)
        if configured.returncode != 0 or not configured.stdout.strip():
            identity += ["-c", f"{key}={fallback}"]
    message = f"Template repository for the {gap.id} gap, from newproject {__version__}"
    steps = {
        "init": [git, "init", "--quiet", "--initial-branch=main"],
        "add": [git, "add", "--all"],
        "commit": [git, *identity, "commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m",
                   message],
    }  # fmt: skip
    for step, command in steps.items():
        result = subprocess.run(command, cwd=project, capture_output=True, text=True)
        if result.returncode != 0:
            detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
            raise RenderError(f"git {step} failed in the template repository: {detail}")


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
