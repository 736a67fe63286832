"""The role profiles data file: skill vocabulary, level scale, domains, roles and weights.

Everything the ranking knows about roles lives in `role_profiles.toml` beside this module, so
a maintainer adjusts an expectation without touching code. This module reads and checks it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from ..errors import NewprojectError

PROFILES_FILE = Path(__file__).with_name("role_profiles.toml")
# Role and domain take two questions; the rest are one self-rating per skill.
MAX_QUESTIONS = 12
MAX_SKILLS = MAX_QUESTIONS - 2


# Plain records are NamedTuples: a dataclass costs about a millisecond to create at import,
# and `recommend --answers` is meant to answer within 150 ms.
class Level(NamedTuple):
    """One step of the self-rating scale."""

    value: int
    name: str
    description: str


class Skill(NamedTuple):
    """A skill the gaps exercise and the person rates."""

    id: str
    label: str
    question: str


@dataclass(frozen=True)
class Role:
    """A target role: the level it expects in every skill, with per-domain overrides."""

    id: str
    title: str
    short: str
    basis: str
    expected: dict[str, int]
    domain_overrides: dict[str, dict[str, int]]

    def expected_in(self, domain: str) -> dict[str, int]:
        """The expected levels in `domain` (the role's own, then the domain's overrides)."""
        return {**self.expected, **self.domain_overrides.get(domain, {})}


class Weights(NamedTuple):
    """The formula's two factors (docs/recommender.md)."""

    not_for_role: float
    specialised: float


@dataclass(frozen=True)
class Profiles:
    """The whole data file, checked."""

    path: Path
    framework: str
    urls: tuple[str, ...]
    levels: tuple[Level, ...]
    skills: dict[str, Skill]
    domains: dict[str, str]
    roles: dict[str, Role]
    weights: Weights

    @property
    def top_level(self) -> int:
        """The highest level of the scale (the "4" of "1 of 4")."""
        return self.levels[-1].value

    def level_name(self, value: int) -> str:
        """The name of level `value`, e.g. "Working"."""
        return self.levels[value].name


@cache
def load_profiles(path: Path = PROFILES_FILE) -> Profiles:
    """Read and check the role profiles file; a broken file is an error naming it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise NewprojectError(f"cannot read role profiles {path}: {error}") from None
    return _Checker(path).profiles(data)


class _Checker:
    """Turns the raw TOML into Profiles, failing on the first problem with its place."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, problem: str) -> None:
        raise NewprojectError(f"role profiles {self.path}: {where}: {problem}")

    def table(self, data: dict, key: str, where: str) -> dict:
        value = data.get(key)
        if not isinstance(value, dict) or not value:
            self.fail(where, f"needs a non-empty [{key}] table")
        return value

    def text(self, data: dict, key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"needs a non-empty string '{key}'")
        return value

    def profiles(self, data: dict) -> Profiles:
        source = self.table(data, "source", "[source]")
        urls = source.get("urls")
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
            self.fail("[source]", "needs 'urls', a non-empty list of strings")
        levels = self.levels(data.get("levels"))
        skills = self.skills(self.table(data, "skills", "[skills]"))
        domains = self.domains(self.table(data, "domains", "[domains]"))
        top = levels[-1].value
        roles = {
            role_id: self.role(role_id, raw, skills, domains, top)
            for role_id, raw in self.table(data, "roles", "[roles]").items()
        }
        return Profiles(
            path=self.path,
            framework=self.text(source, "framework", "[source]"),
            urls=tuple(urls),
            levels=levels,
            skills=skills,
            domains=domains,
            roles=roles,
            weights=self.weights(self.table(data, "weights", "[weights]")),
        )

    def levels(self, raw) -> tuple[Level, ...]:
        if not isinstance(raw, list) or len(raw) < 2:
            self.fail("[[levels]]", "needs at least two levels")
        levels = []
        for index, entry in enumerate(raw):
            where = f"level {index}"
            if not isinstance(entry, dict) or entry.get("value") != index:
                self.fail(where, f"levels must be numbered 0, 1, 2, ... in order; expected {index}")
            name = self.text(entry, "name", where)
            levels.append(Level(index, name, self.text(entry, "description", where)))
        return tuple(levels)

    def skills(self, raw: dict) -> dict[str, Skill]:
        if len(raw) > MAX_SKILLS:
            self.fail(
                "[skills]",
                f"{len(raw)} skills; at most {MAX_SKILLS} keep the questions at {MAX_QUESTIONS}",
            )
        skills = {}
        for skill_id, entry in raw.items():
            where = f"[skills.{skill_id}]"
            if not isinstance(entry, dict):
                self.fail(where, "must be a table")
            skills[skill_id] = Skill(
                skill_id, self.text(entry, "label", where), self.text(entry, "question", where)
            )
        return skills

    def domains(self, raw: dict) -> dict[str, str]:
        if "general" not in raw:
            self.fail("[domains]", "needs 'general' (the domain every gap can fit)")
        for domain_id, label in raw.items():
            if not isinstance(label, str) or not label.strip():
                self.fail(f"[domains] {domain_id}", "needs a label")
        return dict(raw)

    def role(self, role_id, raw, skills, domains, top) -> Role:
        where = f"[roles.{role_id}]"
        if not isinstance(raw, dict):
            self.fail(where, "must be a table")
        expected = self.skill_levels(raw.get("expected"), f"{where} expected", skills, top)
        missing = [skill for skill in skills if skill not in expected]
        if missing:
            self.fail(f"{where} expected", f"lacks {', '.join(missing)} (name every skill)")
        overrides = raw.get("domains", {})
        if not isinstance(overrides, dict):
            self.fail(f"{where}.domains", "must be a table of domains")
        for domain in overrides:
            if domain not in domains:
                self.fail(f"{where}.domains.{domain}", "is not a domain listed in [domains]")
        return Role(
            id=role_id,
            title=self.text(raw, "title", where),
            short=self.text(raw, "short", where),
            basis=self.text(raw, "basis", where),
            expected=expected,
            domain_overrides={
                domain: self.skill_levels(table, f"{where}.domains.{domain}", skills, top)
                for domain, table in overrides.items()
            },
        )

    def skill_levels(self, raw, where, skills, top) -> dict[str, int]:
        if not isinstance(raw, dict):
            self.fail(where, "must map skills to levels")
        for skill, level in raw.items():
            if skill not in skills:
                self.fail(where, f"'{skill}' is not a skill listed in [skills]")
            if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= top:
                self.fail(where, f"{skill} = {level!r} is not a level 0-{top}")
        return dict(raw)

    def weights(self, raw: dict) -> Weights:
        values = {}
        for key in ("not_for_role", "specialised"):
            value = raw.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                self.fail("[weights]", f"{key} must be a number in (0, 1]")
            values[key] = float(value)
        return Weights(**values)
