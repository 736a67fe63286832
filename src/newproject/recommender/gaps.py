"""What each gap tells the recommender: the `[recommend]` table of its gap.toml.

    [recommend]
    exercises = { model-design = 3, experiment-rigor = 3 }  # skill -> level the project shows
    requires = { dl-fundamentals = 2 }         # optional: level to have before starting
    roles = ["applied-cv", "research-engineer"]  # roles it serves
    domains = ["general"]                      # domains it fits; "general" fits all

Together with the gap's `title` and `shows` (what it shows a reviewer) that is all the ranking
needs, so a new gap is ranked as soon as its folder exists.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

from ..catalog import Gap
from ..errors import NewprojectError
from .profiles import Profiles

TABLE = "recommend"
_REQUIRED = ("exercises", "roles", "domains")
_OPTIONAL = ("requires",)


@dataclass(frozen=True)
class GapProfile:
    """One gap as the recommender sees it."""

    id: str
    title: str
    shows: str
    exercises: dict[str, int]
    requires: dict[str, int]
    roles: tuple[str, ...]
    domains: tuple[str, ...]

    def fits(self, domain: str) -> bool:
        """Whether the gap suits projects in `domain`."""
        return "general" in self.domains or domain in self.domains


def read_gap_profiles(
    gaps: Iterable[Gap], profiles: Profiles
) -> tuple[list[GapProfile], list[tuple[str, str]]]:
    """The gaps that can be ranked, and (id, why not) for those without a `[recommend]` table.

    A table that is there but wrong is an error naming the file: it is a template bug.
    """
    ranked, unranked = [], []
    for gap in gaps:
        path = gap.path / "gap.toml"
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get(TABLE)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise NewprojectError(f"cannot read {path}: {error}") from None
        if table is None:
            unranked.append((gap.id, f"its gap.toml has no [{TABLE}] table"))
            continue
        ranked.append(_GapChecker(path, profiles).profile(gap, table))
    return ranked, unranked


class _GapChecker:
    def __init__(self, path, profiles: Profiles):
        self.path = path
        self.profiles = profiles

    def fail(self, problem: str):
        raise NewprojectError(f"{self.path} [{TABLE}]: {problem}")

    def profile(self, gap: Gap, table) -> GapProfile:
        if not isinstance(table, dict):
            self.fail("must be a table")
        unknown = sorted(set(table) - set(_REQUIRED) - set(_OPTIONAL))
        if unknown:
            known = ", ".join((*_REQUIRED, *_OPTIONAL))
            self.fail(f"unknown key(s) {', '.join(unknown)}; known: {known}")
        missing = [key for key in _REQUIRED if key not in table]
        if missing:
            self.fail(f"lacks {', '.join(missing)}")
        exercises = self.skill_levels(table["exercises"], "exercises")
        if not any(exercises.values()):
            self.fail("exercises names no skill above level 0")
        return GapProfile(
            id=gap.id,
            title=gap.title,
            shows=gap.shows,
            exercises=exercises,
            requires=self.skill_levels(table.get("requires", {}), "requires"),
            roles=self.names(table["roles"], "roles", self.profiles.roles),
            domains=self.names(table["domains"], "domains", self.profiles.domains),
        )

    def skill_levels(self, raw, key: str) -> dict[str, int]:
        if not isinstance(raw, dict):
            self.fail(f"{key} must map skills to levels")
        top = self.profiles.top_level
        for skill, level in raw.items():
            if skill not in self.profiles.skills:
                known = ", ".join(self.profiles.skills)
                self.fail(f"{key}: unknown skill '{skill}'; known: {known}")
            if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= top:
                self.fail(f"{key}: {skill} = {level!r} is not a level 0-{top}")
        return dict(raw)

    def names(self, raw, key: str, known) -> tuple[str, ...]:
        if not isinstance(raw, list) or not raw or not all(isinstance(n, str) for n in raw):
            self.fail(f"{key} must be a non-empty list of names")
        for name in raw:
            if name not in known:
                self.fail(f"{key}: unknown name '{name}'; known: {', '.join(known)}")
        return tuple(raw)
