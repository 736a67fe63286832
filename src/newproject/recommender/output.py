"""A Recommendation as text for people and as JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path

from .profiles import Profiles
from .score import RankedGap, Recommendation


def as_data(recommendation: Recommendation, profiles: Profiles) -> dict:
    """Plain data: the answers, the role, every gap's score and its parts, the order."""
    answers = recommendation.answers
    return {
        "answers": answers.as_dict(),
        "role": {
            "id": recommendation.role.id,
            "title": recommendation.role.title,
            "expected": recommendation.expected,
        },
        "domain": {"id": answers.domain, "label": profiles.domains[answers.domain]},
        "top": [ranked.gap.id for ranked in recommendation.top],
        "order": list(recommendation.order),
        "order_notes": list(recommendation.order_notes),
        "choice_notes": list(recommendation.choice_notes),
        "command": recommendation.command,
        "ranking": [
            _ranked_data(rank, ranked) for rank, ranked in enumerate(recommendation.ranking, 1)
        ],
        "unranked": [{"gap": gap, "reason": why} for gap, why in recommendation.unranked],
        "nothing_to_close": recommendation.nothing_to_close,
        "scale": {str(level.value): level.name for level in profiles.levels},
    }


def as_json(recommendation: Recommendation, profiles: Profiles, created: Path | None = None) -> str:
    """as_data as indented JSON, with the project folder --then-new created, if any."""
    data = as_data(recommendation, profiles)
    if created is not None:
        data["created"] = str(created)
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_text(recommendation: Recommendation, profiles: Profiles) -> str:
    """The recommendation as a person reads it: top gaps, reasons, order, the command."""
    import shutil
    import textwrap

    width = min(100, max(40, shutil.get_terminal_size((100, 24)).columns - 1))
    answers = recommendation.answers
    role = recommendation.role
    domain = profiles.domains[answers.domain]
    rated = ", ".join(
        f"{profiles.skills[skill].label} {level}" for skill, level in _in_order(answers, profiles)
    )
    lines = [
        f"Aiming at: {role.title} ({role.short}); domain: {domain}.",
        *textwrap.wrap(f"Your levels (0-{profiles.top_level}): {rated}.", width),
        "",
        *textwrap.wrap(
            f"The {len(recommendation.top)} gaps to close, in the order to do them (score = "
            f"levels of the {role.short} role's shortfall a gap closes; docs/recommender.md):",
            width,
        ),
    ]
    total = len(recommendation.ranking)
    if recommendation.nothing_to_close:
        lines += textwrap.wrap(
            f"You already meet what the {role.short} role expects in every skill these gaps "
            "exercise: these go furthest beyond it.",
            width,
        )
    elif len(recommendation.top) < min(3, total):
        lines += textwrap.wrap(
            f"Only {len(recommendation.top)} of the {total} gaps close part of your shortfall; "
            "you already meet what the others exercise.",
            width,
        )
    for step, ranked in enumerate(recommendation.in_order(), 1):
        rank = recommendation.rank_of(ranked.gap.id)
        lines += ["", *_ranked_text(step, rank, total, ranked, width)]
    if recommendation.order_notes:
        lines += ["", "Why this order:"]
    for note in recommendation.order_notes:
        lines += textwrap.wrap(note, width, initial_indent="  - ", subsequent_indent="    ")
    if recommendation.choice_notes:
        lines += ["", "Why these:"]
    for note in recommendation.choice_notes:
        lines += textwrap.wrap(note, width, initial_indent="  - ", subsequent_indent="    ")
    for gap, why in recommendation.unranked:
        lines.append(f"Not ranked: {gap} ({why}).")
    lines += ["", "Start with:", f"  {recommendation.command}"]
    return "\n".join(lines)


def _in_order(answers, profiles: Profiles):
    return [(skill, answers.levels[skill]) for skill in profiles.skills if skill in answers.levels]


def _ranked_text(step: int, rank: int, total: int, ranked: RankedGap, width: int) -> list[str]:
    import textwrap

    score = _number(ranked.score)
    lines = [f"{step}. {ranked.gap.title} ({ranked.gap.id}): score {score}, #{rank} of {total}"]
    for reason in ranked.reasons:
        lines += textwrap.wrap(reason, width, initial_indent="   - ", subsequent_indent="     ")
    lines += textwrap.wrap(
        f"Shows a reviewer: {ranked.gap.shows}",
        width,
        initial_indent="   ",
        subsequent_indent="   ",
    )
    return lines


def _ranked_data(rank: int, ranked: RankedGap) -> dict:
    return {
        "rank": rank,
        "gap": ranked.gap.id,
        "title": ranked.gap.title,
        "score": _number(ranked.score, text=False),
        "closes": ranked.closes,
        "beyond": ranked.beyond,
        "serves_role": ranked.serves_role,
        "domain_factor": _number(ranked.domain_factor or 1, text=False),
        "other_domain": ranked.elsewhere,
        "multiplier": _number(ranked.multiplier, text=False),
        "skills": {
            gain.skill: {
                "rated": gain.rated,
                "expected": gain.expected,
                "exercised": gain.exercised,
                "closes": gain.closes,
                "beyond": gain.beyond,
            }
            for gain in ranked.gains
        },
        "reasons": list(ranked.reasons),
        "shows": ranked.gap.shows,
        "command": f"newproject new {ranked.gap.id}",
    }


def _number(value, *, text: bool = True):
    rounded = round(float(value), 4)
    if not text:
        return int(rounded) if rounded.is_integer() else rounded
    return f"{rounded:g}"
