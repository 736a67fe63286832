"""What `newproject recommend` and the menu's "help me choose" entry run (cli.py stays thin)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import click

from ..catalog import Gap, load_catalog
from .answers import PartialAnswers, answers_from_flags, complete, read_answers_file
from .gaps import read_gap_profiles
from .output import as_text
from .profiles import Profiles, load_profiles
from .score import Recommendation, asked_skills, recommend


class MenuEntry(NamedTuple):
    """An entry of the gap menu that is not a gap (the menu shows `title - pitch`)."""

    title: str
    pitch: str


HELP_ME_CHOOSE = MenuEntry(
    "Not sure? Help me choose",
    "a few quick questions about you, then the 3 gaps that fit you best, and why",
)


def gather_recommendation(
    answers_file: Path | None = None,
    role: str | None = None,
    domain: str | None = None,
    level_items: Iterable[str] = (),
    *,
    interactive: bool,
    err: bool = False,
    catalog: Mapping[str, Gap] | None = None,
) -> tuple[Recommendation, Profiles]:
    """Answers from the file, then the flags, then (when `interactive`) the questionnaire, ranked.

    Everything is checked before anything is asked: a bad file fails at once.
    """
    profiles = load_profiles()
    catalog = load_catalog() if catalog is None else catalog
    gaps, unranked = read_gap_profiles(catalog.values(), profiles)
    partial = read_answers_file(answers_file, profiles) if answers_file else PartialAnswers()
    partial = partial.updated(answers_from_flags(role, domain, level_items, profiles))
    asked = asked_skills(gaps, profiles)
    if interactive:
        from .questions import ask_missing

        partial = ask_missing(partial, asked, profiles, err=err)
    answers = complete(partial, asked)
    return recommend(answers, gaps, profiles, unranked), profiles


def help_me_choose(catalog: Mapping[str, Gap]) -> Gap:
    """The menu's "help me choose": the questions, the recommendation, then one gap to render."""
    from ..chooser import Option, choose

    recommendation, profiles = gather_recommendation(interactive=True, catalog=catalog)
    click.echo()
    click.echo(as_text(recommendation, profiles))
    click.echo()
    options = [
        Option(str(index), f"{gap_id} - {catalog[gap_id].title}", gap_id)
        for index, gap_id in enumerate(recommendation.order, start=1)
    ]
    options.append(Option(str(len(options) + 1), "None for now", "none"))
    picked = choose("Create which one now?", options, summary="Create")
    if picked == len(options) - 1:
        click.echo(f"Nothing created. Later: {recommendation.command}")
        raise click.exceptions.Exit(0)
    return catalog[recommendation.order[picked]]


def example_answers(profiles: Profiles | None = None) -> str:
    """An answers file to fill in: every question, with its choices in comments."""
    profiles = profiles or load_profiles()
    scale = "; ".join(f"{level.value} {level.name}" for level in profiles.levels)
    lines = [
        "# Answers for `newproject recommend --answers FILE` (YAML, or JSON with the same keys).",
        f"role: {next(iter(profiles.roles))}  # {' | '.join(profiles.roles)}",
        f"domain: general  # {' | '.join(profiles.domains)}",
        f"# Levels: {scale}.",
    ]
    lines += [f"#   {level.value} {level.name}: {level.description}" for level in profiles.levels]
    lines.append("levels:")
    width = max(len(skill) for skill in profiles.skills)
    for skill in profiles.skills.values():
        lines.append(f"  {skill.id}: 0{' ' * (width - len(skill.id))}  # {skill.question}")
    lines += [
        "# Answers for the project that --then-new renders (see `newproject info GAP --json`):",
        "# project:",
        "#   author_name: Ada Lovelace",
        "#   author_email: ada@example.org",
    ]
    return "\n".join(lines)
