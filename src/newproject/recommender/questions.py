"""The questionnaire: asks, in a terminal, only what the file and flags did not answer."""

from __future__ import annotations

from collections.abc import Sequence

import click

from ..chooser import Option, choose
from .answers import PartialAnswers
from .profiles import Profiles


def ask_missing(
    partial: PartialAnswers, asked: Sequence[str], profiles: Profiles, *, err: bool = False
) -> PartialAnswers:
    """`partial` with the role, the domain and every level in `asked` filled in by the user."""
    skills = [skill for skill in asked if skill not in partial.levels]
    total = (partial.role is None) + (partial.domain is None) + len(skills)
    if total == 0:
        return partial
    click.echo(
        f"{total} quick question{'s' if total > 1 else ''} to find the gap to close first. "
        "Arrow keys or the number shown, Enter to confirm, q to quit.",
        err=err,
    )
    number = iter(range(1, total + 1))
    role, domain, levels = partial.role, partial.domain, dict(partial.levels)
    if role is None:
        roles = list(profiles.roles.values())
        picked = choose(
            f"({next(number)}/{total}) Which role are you aiming at?",
            [Option(str(i), r.title, r.title) for i, r in enumerate(roles, start=1)],
            summary="Role",
            err=err,
        )
        role = roles[picked].id
    if domain is None:
        domains = list(profiles.domains.items())
        picked = choose(
            f"({next(number)}/{total}) In which domain?",
            [Option(str(i), label, label) for i, (_, label) in enumerate(domains, start=1)],
            summary="Domain",
            default=[domain_id for domain_id, _ in domains].index("general"),
            err=err,
        )
        domain = domains[picked][0]
    options = [
        Option(str(lv.value), f"{lv.name} - {lv.description}", f"{lv.value} {lv.name}")
        for lv in profiles.levels
    ]
    for skill_id in skills:
        skill = profiles.skills[skill_id]
        picked = choose(
            f"({next(number)}/{total}) Rate yourself. {skill.question}",
            options,
            summary=skill.label[:1].upper() + skill.label[1:],
            err=err,
        )
        levels[skill_id] = profiles.levels[picked].value
    click.echo(err=err)
    return PartialAnswers(role=role, domain=domain, levels=levels, project=dict(partial.project))
