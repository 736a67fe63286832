"""Which template a project was rendered from: the identity `.newproject.json` records.

The identity is a content hash of everything the gap's render reads (its cookiecutter.json,
the project folder, the shared folder and these hooks; not gap.toml, which only describes
the gap), the same for a git checkout and for the installed wheel, which holds the shared
files as copies. Beside it: the git commit when the templates are a checkout (and whether
the gap's files differ from it), and the newproject release the templates belong to.

Used by newproject and by the shared `post_gen_project` hook under stock cookiecutter, so
it uses the standard library only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

RECORD = ".newproject.json"
# Written into each gap of a wheel by newproject's build (no git there): commit, version.
SOURCE_FILE = "template_source.json"
_NOT_INPUTS = {"gap.toml", f"hooks/{SOURCE_FILE}"}
# Caches of Python and of the tools a template author runs beside the templates: no input.
_CACHE_DIRS = {"__pycache__", ".git", ".ruff_cache", ".pytest_cache", ".mypy_cache"}
_CACHE_SUFFIXES = (".pyc", ".pyo")
_VERSION = re.compile(r'^version\s*=\s*"([^"]+)"', re.MULTILINE)


def input_files(gap_dir: Path) -> list[str]:
    """The gap's render inputs, as sorted relative paths (shared files reached by links)."""
    found = []
    for folder, dirs, files in os.walk(gap_dir, followlinks=True):
        dirs[:] = sorted(name for name in dirs if name not in _CACHE_DIRS)
        for name in files:
            if name.endswith(_CACHE_SUFFIXES):
                continue
            relative = Path(folder, name).relative_to(gap_dir).as_posix()
            if relative not in _NOT_INPUTS:
                found.append(relative)
    return sorted(found)


def content_hash(gap_dir: Path) -> str:
    """`sha256:` and the hex digest of every input's path and content."""
    digest = hashlib.sha256()
    for relative in input_files(gap_dir):
        content = (gap_dir / relative).read_bytes()
        digest.update(relative.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return f"sha256:{digest.hexdigest()}"


def source(gap_dir: Path) -> dict:
    """{"commit", "modified", "newproject_version"} of the templates, each None if unknown.

    A wheel carries them in SOURCE_FILE; a checkout is asked with git; anything else
    (a templates folder of one's own outside git) leaves them unknown.
    """
    baked = gap_dir / "hooks" / SOURCE_FILE
    if baked.is_file():
        data = json.loads(baked.read_text(encoding="utf-8"))
        return {key: data.get(key) for key in ("commit", "modified", "newproject_version")}
    commit, modified = _git_commit(gap_dir)
    return {"commit": commit, "modified": modified, "newproject_version": _version(gap_dir)}


def _git_commit(gap_dir: Path) -> tuple[str | None, bool | None]:
    """HEAD of the checkout holding the gap, and whether any input differs from it (one
    `git status`, which names the commit too)."""
    here = gap_dir.resolve()
    inputs = {here} | {
        (gap_dir / name).resolve() for name in ("templates", "hooks") if (gap_dir / name).exists()
    }
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    try:
        status = subprocess.run(
            [
                "git",
                "status",
                "--porcelain=v2",
                "--branch",
                "--untracked-files=all",
                "--",
                *sorted(os.path.relpath(path, here) for path in inputs),
            ],
            cwd=here,
            capture_output=True,
            text=True,
            env=env,
        )
    except (OSError, ValueError):  # no git
        return None, None
    if status.returncode != 0:  # not a checkout
        return None, None
    lines = status.stdout.splitlines()
    heads = [line.split()[-1] for line in lines if line.startswith("# branch.oid ")]
    if not heads or heads[0] == "(initial)":
        return None, None
    return heads[0], any(not line.startswith("#") for line in lines)


def _version(gap_dir: Path) -> str | None:
    """The version in the pyproject.toml of the newproject checkout holding `gap_dir`."""
    pyproject = gap_dir.resolve().parent.parent / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return None
    if not re.search(r'^name\s*=\s*"newproject"', text, re.MULTILINE):
        return None
    found = _VERSION.search(text)
    return found.group(1) if found else None


def now() -> str:
    """The current moment as the record writes it (UTC, whole seconds)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: UP017 (3.8+)


def complete_record(project_dir: Path, gap_dir: Path, created: str | None = None) -> None:
    """Fill the identity, the version and the creation time into the project's record.

    The rendered record holds the gap and the answers; this adds what the template alone
    cannot know. A project without a record (a template of one's own) is left alone.
    """
    path = project_dir / RECORD
    if not path.is_file():
        return
    record = json.loads(path.read_text(encoding="utf-8"))
    known = source(gap_dir)
    record["newproject_version"] = known["newproject_version"]
    record["created"] = created or now()
    record["template"] = {
        "hash": content_hash(gap_dir),
        "commit": known["commit"],
        "modified": known["modified"],
    }
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
