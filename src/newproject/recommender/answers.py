"""The person's answers: target role, domain, a self-rated level per skill, and project answers.

They come from an answers file (YAML or JSON), from flags, and from the questionnaire, in
rising priority, and are checked against the role profiles before anything is ranked or
written. Every problem is a UsageError (exit 2) in one line that names it.

    role: applied-cv
    domain: driving
    levels: {dl-fundamentals: 1, model-design: 1, deployment: 4}
    project: {author_name: Ada Lovelace}    # answers for the project --then-new renders
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from .profiles import Profiles

FILE_KEYS = ("role", "domain", "levels", "project")
DEFAULT_DOMAIN = "general"


@dataclass
class PartialAnswers:
    """Answers as given so far; what is missing is asked or reported."""

    role: str | None = None
    domain: str | None = None
    levels: dict[str, int] = field(default_factory=dict)
    project: dict[str, str] = field(default_factory=dict)

    def updated(self, other: PartialAnswers) -> PartialAnswers:
        """These answers with `other`'s on top."""
        return PartialAnswers(
            role=other.role or self.role,
            domain=other.domain or self.domain,
            levels={**self.levels, **other.levels},
            project={**self.project, **other.project},
        )


@dataclass(frozen=True)
class Answers:
    """A complete, checked set of answers."""

    role: str
    domain: str
    levels: dict[str, int]
    project: dict[str, str]

    def as_dict(self) -> dict:
        """Plain data, in the answers-file format (it reads back as the same answers)."""
        data = {"role": self.role, "domain": self.domain, "levels": dict(self.levels)}
        if self.project:
            data["project"] = dict(self.project)
        return data


def read_answers_file(path: Path, profiles: Profiles) -> PartialAnswers:
    """Answers from a YAML or JSON file (`.json` is read as JSON, anything else as YAML)."""
    where = f"answers file {path}: "
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{where}not UTF-8 text") from None
    except OSError as error:
        raise UsageError(f"cannot read answers file {path}: {error.strerror}") from None
    data = _parse(text, path, where)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(f"{where}must hold a mapping with the keys {', '.join(FILE_KEYS)}")
    unknown = [str(key) for key in data if key not in FILE_KEYS]
    if unknown:
        raise UsageError(f"{where}unknown key {unknown[0]!r}; the keys are {', '.join(FILE_KEYS)}")
    levels = data.get("levels") or {}
    if not isinstance(levels, dict):
        raise UsageError(f"{where}'levels' must map skills to levels")
    project = data.get("project") or {}
    if not isinstance(project, dict):
        raise UsageError(f"{where}'project' must map question names to values")
    return PartialAnswers(
        role=_name(data.get("role"), "role", where, profiles.roles),
        domain=_name(data.get("domain"), "domain", where, profiles.domains),
        levels=check_levels(levels.items(), profiles, where),
        project=_project(project, where),
    )


def answers_from_flags(
    role: str | None, domain: str | None, level_items: Iterable[str], profiles: Profiles
) -> PartialAnswers:
    """Answers from `--role`, `--domain` and `--level SKILL=LEVEL` options."""
    pairs = []
    for item in level_items:
        skill, sep, level = item.partition("=")
        if not sep or not skill.strip() or not level.strip():
            raise UsageError(f"--level expects SKILL=LEVEL, got {item!r}")
        pairs.append((skill.strip(), level.strip()))
    return PartialAnswers(
        role=_name(role, "role", "--role: ", profiles.roles),
        domain=_name(domain, "domain", "--domain: ", profiles.domains),
        levels=check_levels(pairs, profiles, "--level: "),
    )


def complete(partial: PartialAnswers, asked: Iterable[str]) -> Answers:
    """Complete answers, or a UsageError naming what is missing (the domain defaults to general).

    `asked` are the skills the catalog's gaps exercise: each needs a level.
    """
    missing = [] if partial.role else ["role"]
    missing += [skill for skill in asked if skill not in partial.levels]
    if missing:
        raise UsageError(
            f"missing answers: {', '.join(missing)}; give them in --answers FILE or as "
            "--role ROLE / --level SKILL=LEVEL (see `newproject recommend --example`), "
            "or run in a terminal to be asked"
        )
    return Answers(
        role=partial.role,
        domain=partial.domain or DEFAULT_DOMAIN,
        levels=dict(partial.levels),
        project=dict(partial.project),
    )


def check_levels(pairs: Iterable[tuple], profiles: Profiles, where: str) -> dict[str, int]:
    """`(skill, level)` pairs checked: known skills, levels on the scale (number or name)."""
    levels = {}
    for skill, raw in pairs:
        skill = _name(skill, "skill", where, profiles.skills)
        levels[skill] = _level(skill, raw, profiles, where)
    return levels


def _parse(text: str, path: Path, where: str):
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except ValueError as error:
            raise UsageError(f"{where}does not parse as JSON: {error}") from None
    import yaml  # here only: the JSON path and --help stay fast

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or type(error).__name__
        mark = getattr(error, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise UsageError(f"{where}does not parse as YAML: {problem}{at}") from None


def _name(value, kind: str, where: str, known: Mapping) -> str | None:
    """`value` if it names one of `known`, else a UsageError listing them and the closest."""
    if value is None:
        return None
    if isinstance(value, str) and value in known:
        return value
    shown = repr(value) if isinstance(value, str) else repr(str(value))
    import difflib  # the error path only

    close = difflib.get_close_matches(str(value), list(known), n=1, cutoff=0.7)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    plural = "skills" if kind == "skill" else f"{kind}s"
    raise UsageError(f"{where}unknown {kind} {shown}. Valid {plural}: {', '.join(known)}.{hint}")


def _level(skill: str, raw, profiles: Profiles, where: str) -> int:
    top = profiles.top_level
    scale = ", ".join(f"{level.value} {level.name}" for level in profiles.levels)
    by_name = {level.name.lower(): level.value for level in profiles.levels}
    if isinstance(raw, str):
        text = raw.strip()
        if text.lower() in by_name:
            return by_name[text.lower()]
        if text.isascii() and text.lstrip("-").isdigit():
            raw = int(text)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise UsageError(
            f"{where}level for {skill} must be a whole number 0-{top} or a level name "
            f"({scale}); got {raw!r}"
        )
    if not 0 <= raw <= top:
        raise UsageError(f"{where}level for {skill} is {raw}; the scale is 0-{top} ({scale})")
    return raw


def _project(project: dict, where: str) -> dict[str, str]:
    answers = {}
    for key, value in project.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise UsageError(f"{where}project answer {str(key)!r} must be a string or number")
        answers[str(key)] = str(value)
    return answers
