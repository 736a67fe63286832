"""What the rules look at, read once from a project folder and only when a rule asks.

Everything here relies on the gap contract (docs/templates.md), not on one gap's layout: the
README's results markers and the report's stamp, the run folders under runs/, the recorded
answers in .newproject.json, the files every project has.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

START, END = "<!-- results:start -->", "<!-- results:end -->"
# core/results.write_results: `<!-- written by the report at <ISO time>[ from runs: a, b] -->`
STAMP = re.compile(r"<!--\s*written by the report at (\S+?)(?: from runs: (.*?))?\s*-->")
# Folders that are never part of what a project publishes.
_NOT_PUBLISHED = {".git", ".venv", "venv", "runs", "__pycache__", "node_modules", "build", "dist"}
# Keys that never make two runs different experiments (core/results.NOT_AN_EXPERIMENT), used
# when the project's own core/config.py cannot be read.
_NOT_AN_EXPERIMENT = ("seed", "run_name", "runs_dir")
# What every gap's cookiecutter.json asks for author and e-mail, when the gap is unknown here.
GENERIC_PLACEHOLDERS = {"author_name": "Your Name", "author_email": "you@example.com"}


@dataclass(frozen=True)
class Stamp:
    """The report's stamp inside the results markers."""

    written: datetime
    runs: tuple[str, ...]


@dataclass(frozen=True)
class RunFolder:
    """A finished run: a folder under runs/ with a metrics.json (possibly nested, as in an
    ablation's cells)."""

    dir: Path
    name: str
    finished: float  # newest mtime of its *metrics.json files
    config: dict

    @property
    def seed(self):
        return self.config.get("seed")


class Project:
    """A project folder and the facts the rules need, each read on first use."""

    def __init__(self, root: Path):
        self.root = Path(root)

    # -- files -------------------------------------------------------------------------
    def read(self, relative: str) -> str | None:
        """A text file of the project, or None when it is missing or unreadable."""
        try:
            return (self.root / relative).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    @cached_property
    def readme(self) -> str | None:
        return self.read("README.md")

    @cached_property
    def pyproject(self) -> dict:
        text = self.read("pyproject.toml")
        try:
            return tomllib.loads(text) if text else {}
        except tomllib.TOMLDecodeError:
            return {}

    @cached_property
    def record(self) -> dict:
        """.newproject.json: the gap and the answers it was rendered with ({} when absent)."""
        text = self.read(".newproject.json")
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @cached_property
    def answers(self) -> dict[str, str]:
        answers = self.record.get("answers", {})
        return {str(k): str(v) for k, v in answers.items()} if isinstance(answers, dict) else {}

    @cached_property
    def gap_id(self) -> str | None:
        gap = self.record.get("gap")
        return gap if isinstance(gap, str) else None

    @cached_property
    def gap_defaults(self) -> dict[str, str] | None:
        """The defaults of the gap's questions in this newproject (None: the gap is unknown)."""
        if self.gap_id is None:
            return None
        from ..catalog import get_gap
        from ..errors import NewprojectError

        try:
            gap = get_gap(self.gap_id)
        except NewprojectError:
            return None
        return {question.name: question.default for question in gap.questions}

    def placeholder(self, name: str) -> str | None:
        """The template's default answer for `name`, the text an owner is meant to replace."""
        defaults = self.gap_defaults
        if defaults is not None and name in defaults:
            return defaults[name]
        return GENERIC_PLACEHOLDERS.get(name)

    @cached_property
    def package_dir(self) -> Path | None:
        """src/<package>/ of the project."""
        named = self.answers.get("package_name")
        if named and (self.root / "src" / named).is_dir():
            return self.root / "src" / named
        found = sorted(path.parent for path in self.root.glob("src/*/__init__.py"))
        return found[0] if found else None

    @cached_property
    def is_torch_gap(self) -> bool:
        """The contract's torch gaps carry the shared engine (and a model card)."""
        return self.package_dir is not None and (self.package_dir / "engine").is_dir()

    @cached_property
    def make_targets(self) -> set[str]:
        """The targets the project's Makefile defines."""
        text = self.read("Makefile") or ""
        return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", text, re.MULTILINE))

    # -- git -----------------------------------------------------------------------------
    @cached_property
    def git_files(self) -> list[str] | None:
        """Files tracked by git under the project (None: not a git work tree, or no git)."""
        git = shutil.which("git")
        if git is None:
            return None
        inside = subprocess.run(
            [git, "rev-parse", "--is-inside-work-tree"],
            cwd=self.root,
            capture_output=True,
            text=True,
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        listed = subprocess.run(
            [git, "ls-files", "-z"], cwd=self.root, capture_output=True, check=False
        )
        if listed.returncode != 0:
            return None
        return [name for name in listed.stdout.decode("utf-8", "replace").split("\0") if name]

    @cached_property
    def git_files_to_come(self) -> list[str] | None:
        """Files git tracks or would add (untracked and not ignored): what `git add -A` and
        a commit would publish (None: not a git work tree, or no git)."""
        if self.git_files is None:
            return None
        listed = subprocess.run(
            [shutil.which("git") or "git", "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            cwd=self.root,
            capture_output=True,
            check=False,
        )  # fmt: skip
        if listed.returncode != 0:
            return None
        names = listed.stdout.decode("utf-8", "replace").split("\0")
        return sorted({name for name in names if name})

    def published_files(self) -> list[str]:
        """What the project publishes: the files git tracks or would add on the next
        `git add -A` (a fresh `git init` has tracked nothing yet), or (outside git) every file
        but runs, environments and caches."""
        if self.git_files_to_come is not None:
            return [name for name in self.git_files_to_come if (self.root / name).is_file()]
        found = []
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if d not in _NOT_PUBLISHED and not d.endswith(".egg-info")]
            for name in files:
                found.append((Path(folder) / name).relative_to(self.root).as_posix())
        return sorted(found)

    # -- results -----------------------------------------------------------------------
    @cached_property
    def results(self) -> str | None:
        """The README's text between the results markers (None: markers missing or out of
        order)."""
        text = self.readme
        if text is None or START not in text or END not in text:
            return None
        head, _, rest = text.partition(START)
        if END not in rest:
            return None
        return rest.partition(END)[0]

    @cached_property
    def stamp(self) -> Stamp | None:
        match = STAMP.search(self.results or "")
        if match is None:
            return None
        try:
            written = datetime.fromisoformat(match.group(1))
        except ValueError:
            return None
        if written.tzinfo is None:
            written = written.replace(tzinfo=UTC)
        names = tuple(n.strip() for n in (match.group(2) or "").split(",") if n.strip())
        return Stamp(written, names)

    @cached_property
    def tables(self):
        from .markdown import tables

        return tables(STAMP.sub("", self.results or ""))

    # -- runs ----------------------------------------------------------------------------
    @cached_property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @cached_property
    def runs(self) -> list[RunFolder]:
        """Every finished run under runs/, nested ones included, sorted by folder."""
        import yaml

        found = []
        if not self.runs_dir.is_dir():
            return found
        for metrics in sorted(self.runs_dir.rglob("metrics.json")):
            folder = metrics.parent
            finished = max(path.stat().st_mtime for path in folder.glob("*metrics.json"))
            try:
                config = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError, UnicodeDecodeError):
                config = None
            found.append(
                RunFolder(
                    dir=folder,
                    name=folder.relative_to(self.runs_dir).as_posix(),
                    finished=finished,
                    config=config if isinstance(config, dict) else {},
                )
            )
        return found

    @cached_property
    def not_an_experiment(self) -> tuple[str, ...]:
        """Top-level config keys that do not change what a run computes: the seed, the name and
        the project's RUNTIME_KEYS (read from its core/config.py without importing it)."""
        keys = list(_NOT_AN_EXPERIMENT)
        if self.package_dir is not None:
            keys += _literal_strings(self.package_dir / "core" / "config.py", "RUNTIME_KEYS")
        return tuple(keys)

    def experiment(self, run: RunFolder) -> tuple:
        """What a run computes apart from its seed: runs with equal keys are repeats."""
        flat = _flatten(run.config)
        ignored = set(self.not_an_experiment)
        return tuple(
            sorted(
                (key, repr(value))
                for key, value in flat.items()
                if key.split(".")[0] not in ignored
            )
        )


def _flatten(config: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _literal_strings(path: Path, name: str) -> list[str]:
    """The strings of a module-level `NAME = (...)` (or frozenset/set/list of them)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return []
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if not any(isinstance(t, ast.Name) and t.id == name for t in targets):
            continue
        value = node.value
        if isinstance(value, ast.Call) and value.args:  # frozenset({...}), tuple([...])
            value = value.args[0]
        try:
            literal = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError):
            return []
        return [item for item in literal if isinstance(item, str)]
    return []
