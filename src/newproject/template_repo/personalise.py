"""Personalise a repository created from a newproject template repository.

GitHub's "Use this template" copies the template repository as it is: a complete project with
neutral names. On the new repository's first push, .github/workflows/template-setup.yml runs
this script, which renders the project anew from the gap's template kept in
.github/newproject-template/template/, with the project, package and distribution names taken
from the new repository's name and the author from whoever created it, exactly as
`newproject new GAP --set ...` renders it; replaces the tree with it (removing
.github/newproject-template/) and, with --commit, commits the result.

GitHub's token may not change files under .github/workflows/, so nothing there changes: the
script stops, changing nothing, if the new render's workflows differ from the ones in the
repository. template-setup.yml stays behind; the workflow disables it after this run.

The commit is the project's pristine snapshot, as the first commit of `newproject new` is: its
trailers name the tree of the render (`Newproject-Snapshot: <tree>`) and the files it holds
besides the render (`Newproject-Snapshot-Extra: .github/workflows/template-setup.yml`), so a
later `newproject update` finds its base in the repository's history, with no copy of this
version of the template installed (newproject.snapshot).

Standalone on purpose (the standard library and cookiecutter, see requirements.txt beside it):
newproject is not installed where it runs. newproject's tests run it through the workflow's
own steps and compare the result with `newproject new`.

Environment, as GitHub Actions sets it: GITHUB_REPOSITORY (owner/name), GITHUB_ACTOR,
GITHUB_ACTOR_ID; optional NEWPROJECT_AUTHOR_NAME (the actor's display name),
NEWPROJECT_PROJECT_NAME, NEWPROJECT_PACKAGE_NAME, NEWPROJECT_DESCRIPTION (overrides, from the
workflow's manual-run inputs) and GITHUB_STEP_SUMMARY.
"""

from __future__ import annotations

import argparse
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(".github") / "newproject-template"
WORKFLOWS_DIR = Path(".github") / "workflows"
SETUP_WORKFLOW = WORKFLOWS_DIR / "template-setup.yml"
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
OVERRIDES = {
    "project_name": "NEWPROJECT_PROJECT_NAME",
    "package_name": "NEWPROJECT_PACKAGE_NAME",
    "description": "NEWPROJECT_DESCRIPTION",
}
_PEP508_NAME = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
_PACKAGE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# newproject.snapshot's trailers (this script cannot import newproject; a test keeps them equal).
SNAPSHOT_TRAILER = "Newproject-Snapshot"
SNAPSHOT_EXTRA_TRAILER = "Newproject-Snapshot-Extra"


class SetupError(Exception):
    """A reason to stop, changing nothing, in one line."""


def derive_answers(
    neutral: dict[str, str],
    repository: str,
    actor: str,
    actor_id: str = "",
    author_name: str = "",
    overrides: dict[str, str] | None = None,
) -> dict[str, str]:
    """The template's answers with the names of the new repository and its creator.

    `point-cloud-lab` gives the project name "Point Cloud Lab", the distribution name
    `point-cloud-lab` (PEP 503 normalised) and the package `point_cloud_lab`; the author is the
    actor's display name (else the login) with GitHub's no-reply address for the actor.
    """
    owner, _, name = repository.partition("/")
    if not owner or not name or not actor:
        raise SetupError("GITHUB_REPOSITORY (owner/name) and GITHUB_ACTOR must be set")
    slug = re.sub(r"[-_.]+", "-", name).strip("-").lower()
    words = [word for word in re.split(r"[-_.]+", name) if word]
    login = actor.strip()
    derived = {
        "project_name": " ".join(word[:1].upper() + word[1:] for word in words),
        "project_slug": slug,
        "package_name": slug.replace("-", "_"),
        "author_name": " ".join(author_name.split()) or login,
        "author_email": (
            f"{actor_id}+{login}@users.noreply.github.com"
            if actor_id
            else f"{login}@users.noreply.github.com"
        ),
    }
    for key, value in (overrides or {}).items():
        if value.strip():
            derived[key] = " ".join(value.split())
    answers = dict(neutral)
    answers.update({key: value for key, value in derived.items() if key in neutral})
    return answers


def check_names(answers: dict[str, str], reserved: dict[str, str]) -> None:
    """The names are usable as such (the checks `newproject new` makes of them)."""
    package = answers.get("package_name", "")
    hint = "; choose one with the workflow's package_name input (Actions > template setup > Run)"
    if not _PACKAGE_NAME.match(package):
        raise SetupError(f"package name '{package}' is not a Python package name{hint}")
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        raise SetupError(f"package name '{package}' is a Python keyword{hint}")
    if package in sys.stdlib_module_names:
        raise SetupError(f"package name '{package}' would shadow the standard library{hint}")
    if package in reserved:
        raise SetupError(f"package name '{package}' would shadow {reserved[package]}{hint}")
    slug = answers.get("project_slug", "")
    if not _PEP508_NAME.match(slug):
        raise SetupError(f"distribution name '{slug}' is not a PEP 508 name")
    if not _EMAIL.match(answers.get("author_email", "")):
        raise SetupError(f"author e-mail '{answers.get('author_email')}' is not an address")
    for key, value in answers.items():
        if any(ord(char) < 32 for char in value):
            raise SetupError(f"{key} contains a control character")


def reserved_names(template: Path) -> dict[str, str]:
    """Package names a project must not take, and why: the file newproject checks answers
    against (templates/_shared/reserved_names.json, {"names": {name: reason}})."""
    path = template / "templates" / "reserved_names.json"
    try:
        names = json.loads(path.read_text(encoding="utf-8")).get("names", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}


def render(template: Path, private: dict, answers: dict[str, str], out: Path) -> Path:
    """Render the gap's template with `answers` as data, as newproject's render does: the
    answers go into the context directly (cookiecutter's extra_context would evaluate them as
    Jinja), and caches compiled from the template are dropped."""
    from cookiecutter.generate import generate_files

    # Absolute: cookiecutter runs the template's hooks in the new project's folder, and they
    # find their rules through _repo_dir.
    template, out = template.resolve(), out.resolve()
    context = {
        "cookiecutter": {
            **private,
            **answers,
            "_template": str(template),
            "_repo_dir": str(template),
            "_output_dir": str(out),
            "_checkout": None,
        }
    }
    saved = list(sys.path)
    sys.path.insert(0, str(template))  # the template's _extensions import from its folder
    try:
        project = Path(generate_files(repo_dir=str(template), context=context, output_dir=str(out)))
    finally:
        sys.path[:] = saved
    for cache in sorted(project.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    return project


def _files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def check_workflows(root: Path, rendered: Path) -> None:
    """Nothing under .github/workflows/ may change: GitHub's token cannot push that."""
    ours, theirs = _files(root / WORKFLOWS_DIR), _files(rendered / WORKFLOWS_DIR)
    for name, content in theirs.items():
        if ours.get(name) != content:
            raise SetupError(
                f"{WORKFLOWS_DIR / name} would change, and GitHub's token may not change "
                "workflows: this template cannot be personalised here"
            )
    for name in ours:
        if name not in theirs and WORKFLOWS_DIR / name != SETUP_WORKFLOW:
            raise SetupError(f"{WORKFLOWS_DIR / name} is not part of the project")


def replace_tree(root: Path, rendered: Path) -> None:
    """The repository's files become the rendered project's; .git and the (unchanged)
    workflows stay."""
    for entry in root.iterdir():
        if entry.name == ".git":
            continue
        if entry.name == ".github":
            for inner in entry.iterdir():
                if inner.name != WORKFLOWS_DIR.name:
                    _remove(inner)
            continue
        _remove(entry)
    for source in sorted(rendered.rglob("*")):
        relative = source.relative_to(rendered)
        if relative.parts[:2] == WORKFLOWS_DIR.parts or source.is_dir():
            continue
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _git(root: Path, *args: str, env: dict | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise SetupError(f"git {args[0]} failed: {detail}")
    return result.stdout


def extra_files(root: Path, rendered: Path) -> list[str]:
    """The files the personalised tree keeps besides the render: the workflows the render
    has not (template-setup.yml), which GitHub's token may not delete."""
    theirs = _files(rendered / WORKFLOWS_DIR)
    return [
        (WORKFLOWS_DIR / name).as_posix()
        for name in _files(root / WORKFLOWS_DIR)
        if name not in theirs
    ]


def snapshot_trailers(root: Path, extras: list[str]) -> str:
    """The trailers that make the staged tree the project's pristine snapshot: the tree of
    the render (the index less `extras`) and each of `extras` it holds besides."""
    listed = _git(root, "ls-files", "-z", "--", *extras) if extras else ""
    tracked = [path for path in listed.split("\0") if path]
    with tempfile.TemporaryDirectory(prefix="personalise-index-") as scratch:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch, "index").resolve())}
        _git(root, "read-tree", _git(root, "write-tree").strip(), env=env)
        if tracked:
            _git(root, "update-index", "--force-remove", "--", *tracked, env=env)
        tree = _git(root, "write-tree", env=env).strip()
    return f"{SNAPSHOT_TRAILER}: {tree}\n" + "".join(
        f"{SNAPSHOT_EXTRA_TRAILER}: {path}\n" for path in sorted(tracked)
    )


def commit(
    root: Path,
    answers: dict[str, str],
    repository: str,
    manifest: dict,
    extras: list[str] | None = None,
) -> None:
    """One commit, authored by the new owner, committed by GitHub's bot, naming the render's
    tree (and the `extras` it holds besides) for `newproject update`."""
    _git(root, "add", "--all")
    touched = _git(root, "diff", "--cached", "--name-only", "--", WORKFLOWS_DIR.as_posix())
    if touched.strip():
        raise SetupError(f"the commit would change workflows: {touched.split()}")
    env = {**os.environ, "GIT_COMMITTER_NAME": BOT_NAME, "GIT_COMMITTER_EMAIL": BOT_EMAIL}
    lines = "\n".join(f"  {key}: {value}" for key, value in answers.items())
    message = (
        f"Personalise the template for {repository}\n\n"
        f"Rendered anew from the {manifest['gap']} gap (newproject "
        f"{manifest['newproject_version']}) with:\n{lines}\n\n"
        "The render is the project's pristine snapshot, the base of `newproject update`.\n\n"
        f"{snapshot_trailers(root, extras or [])}"
    )
    author = f"{answers['author_name']} <{answers['author_email']}>"
    _git(
        root,
        "-c",
        f"user.name={BOT_NAME}",
        "-c",
        f"user.email={BOT_EMAIL}",
        "commit",
        "--quiet",
        "--no-verify",
        "--no-gpg-sign",
        f"--author={author}",
        "-m",
        message,
        env=env,
    )


def write_summary(path: str | None, answers: dict[str, str], repository: str) -> None:
    """A job summary: the answers used, and what is left to the owner."""
    if not path:
        return
    rows = "\n".join(f"| `{key}` | {value.replace('|', '/')} |" for key, value in answers.items())
    text = (
        f"## {repository} personalised\n\n| question | answer |\n|---|---|\n{rows}\n\n"
        f"`{SETUP_WORKFLOW}` has done its work and is disabled; delete it whenever you like "
        "(GitHub's token may not). Next: `make setup && make smoke`, then "
        "`newproject check`.\n"
    )
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def personalise(root: Path, environ: dict[str, str], *, make_commit: bool) -> dict[str, str]:
    """Personalise the repository at `root`; returns the answers it used."""
    here = root / TEMPLATE_DIR
    manifest_path = here / "template.json"
    if not manifest_path.is_file():
        raise SetupError(f"no {TEMPLATE_DIR / 'template.json'}: already personalised?")
    if (root / ".git").exists() and _git(root, "status", "--porcelain").strip():
        raise SetupError("the work tree has uncommitted changes; personalise a clean checkout")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    repository = environ.get("GITHUB_REPOSITORY", "")
    answers = derive_answers(
        manifest["answers"],
        repository,
        environ.get("GITHUB_ACTOR", ""),
        environ.get("GITHUB_ACTOR_ID", ""),
        environ.get("NEWPROJECT_AUTHOR_NAME", ""),
        {key: environ.get(variable, "") for key, variable in OVERRIDES.items()},
    )
    template = here / "template"
    check_names(answers, reserved_names(template))
    with tempfile.TemporaryDirectory(prefix="personalise-") as scratch:
        rendered = render(template, manifest["private"], answers, Path(scratch))
        check_workflows(root, rendered)
        extras = extra_files(root, rendered)
        replace_tree(root, rendered)
    if make_commit:
        commit(root, answers, repository, manifest, extras)
    write_summary(environ.get("GITHUB_STEP_SUMMARY"), answers, repository)
    return answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="the repository (default: here)")
    parser.add_argument("--commit", action="store_true", help="commit the result")
    args = parser.parse_args(argv)
    try:
        answers = personalise(Path(args.root), dict(os.environ), make_commit=args.commit)
    except SetupError as error:
        print(f"::error::{error}", file=sys.stderr)
        return 1
    print(f"Personalised as {answers['project_name']} ({answers['package_name']}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
