"""The catalog of skill gaps: one folder under templates/ per gap.

A gap folder holds `cookiecutter.json` (its questions) and `gap.toml` (what
`newproject list` and `info` show). Adding a gap is adding such a folder.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import NewprojectError, UnknownGapError, shown

TEMPLATES_ENV = "NEWPROJECT_TEMPLATES"
_METADATA_KEYS = ("title", "pitch", "shows", "skills", "datasets", "time")


@dataclass(frozen=True)
class Question:
    """One cookiecutter variable the user may answer."""

    name: str
    default: str
    prompt: str
    choices: tuple[str, ...] = ()
    # False when the prompt text lists the choices itself (a `_choices` question: stock
    # cookiecutter shows it as free text, so its prompt names them).
    show_choices: bool = True


@dataclass(frozen=True)
class Gap:
    """A skill gap and the template that closes it."""

    id: str
    path: Path
    title: str
    pitch: str
    shows: str
    skills: tuple[str, ...]
    datasets: tuple[str, ...]
    time: str

    @cached_property
    def context(self) -> dict:
        """The raw `cookiecutter.json` of this gap."""
        return _read_json(self.path / "cookiecutter.json")

    @property
    def questions(self) -> list[Question]:
        """The variables a user answers, in template order (private `_` keys excluded).

        A list is a cookiecutter choice (its first item the default); a string with an
        entry in `_choices` is a choice whose default need not come first, which stock
        cookiecutter asks as free text (see docs/templates.md).
        """
        prompts = self.context.get("__prompts__", {})
        listed = self.context.get("_choices", {})
        questions = []
        for name, raw in self.context.items():
            if name.startswith("_"):
                continue
            prompt = prompts.get(name, name)
            if isinstance(raw, list):
                label = prompt.get("__prompt__", name) if isinstance(prompt, dict) else prompt
                choices = tuple(str(choice) for choice in raw)
                questions.append(Question(name, choices[0], label, choices))
            elif name in listed:
                choices = tuple(str(choice) for choice in listed[name])
                questions.append(Question(name, str(raw), str(prompt), choices, False))
            else:
                questions.append(Question(name, str(raw), str(prompt)))
        return questions

    def as_dict(self) -> dict:
        """Plain data for `--json` output."""
        return {
            "id": self.id,
            "title": self.title,
            "pitch": self.pitch,
            "shows": self.shows,
            "skills": list(self.skills),
            "datasets": list(self.datasets),
            "time": self.time,
        }


def templates_root() -> Path:
    """Where the templates live: $NEWPROJECT_TEMPLATES, the installed wheel, or the checkout."""
    override = os.environ.get(TEMPLATES_ENV)
    if override:
        return Path(override).expanduser().resolve()
    return packaged_templates()


def packaged_templates() -> Path:
    """newproject's own templates: inside the installed wheel, or the checkout's."""
    packaged = Path(__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def load_catalog(root: Path | None = None) -> dict[str, Gap]:
    """Every gap under `root`, sorted by id."""
    root = root or templates_root()
    if not root.is_dir():
        raise NewprojectError(f"templates folder not found: {shown(root)}")
    gaps = {}
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(("_", ".")) or not (folder / "gap.toml").is_file():
            continue
        gaps[folder.name] = _read_gap(folder)
    return gaps


def get_gap(gap_id: str, root: Path | None = None) -> Gap:
    """The gap named `gap_id`, or an error listing the valid ids and the closest one."""
    catalog = load_catalog(root)
    if gap_id in catalog:
        return catalog[gap_id]
    import difflib

    valid = ", ".join(catalog)
    close = difflib.get_close_matches(gap_id, list(catalog), n=1, cutoff=0.3)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UnknownGapError(f"unknown gap {shown(gap_id)}. Valid gaps: {valid}.{hint}")


def read_gap(folder: Path, context: dict | None = None) -> Gap:
    """The gap in `folder`; `context` stands in for its cookiecutter.json when given."""
    gap = _read_gap(folder, need_context=context is None)
    if context is not None:
        gap.__dict__["context"] = context  # what the cached property would hold
    return gap


def _read_gap(folder: Path, *, need_context: bool = True) -> Gap:
    try:
        metadata = tomllib.loads((folder / "gap.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise NewprojectError(f"cannot read {shown(folder / 'gap.toml')}: {error}") from None
    missing = [key for key in _METADATA_KEYS if key not in metadata]
    if missing:
        raise NewprojectError(f"{shown(folder / 'gap.toml')} lacks: {', '.join(missing)}")
    if need_context and not (folder / "cookiecutter.json").is_file():
        raise NewprojectError(f"{shown(folder)} has gap.toml but no cookiecutter.json")
    return Gap(
        id=folder.name,
        path=folder,
        title=str(metadata["title"]),
        pitch=str(metadata["pitch"]),
        shows=str(metadata["shows"]),
        skills=tuple(metadata["skills"]),
        datasets=tuple(metadata["datasets"]),
        time=str(metadata["time"]),
    )


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise NewprojectError(f"cannot read {shown(path)}: {error}") from None
