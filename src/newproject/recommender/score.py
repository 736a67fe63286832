"""The ranking: a transparent score of how much of the role's shortfall each gap closes.

For the target role R in domain D (R's expected levels e_s, with D's overrides), the person's
levels p_s and a gap G exercising skill s at level g_s:

    closes_s = max(0, min(g_s, e_s) - p_s)      levels of the shortfall G closes
    beyond_s = max(0, g_s - max(p_s, e_s))      levels G adds above what R asks
    score(G) = (sum closes_s + beyond * sum beyond_s) * role_factor * domain_factor

role_factor is 1 when G lists R among its roles, else `role_mismatch`; domain_factor is 1
when G fits D, else `domain_mismatch` (the constants live in role_profiles.toml). Ties go to
more levels closed, then the better fit, then the gap that exercises more of the role's
profile (sum of min(g_s, e_s)), then the gap id: the same answers always give the same result.
docs/recommender.md explains it with an example.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import NewprojectError
from .answers import Answers
from .gaps import GapProfile
from .profiles import Profiles, Role

TOP = 3
SCORE_DIGITS = 6
MAX_REASONS = 3


@dataclass(frozen=True)
class SkillGain:
    """What one gap does for one skill it exercises."""

    skill: str
    rated: int
    expected: int
    exercised: int

    @property
    def closes(self) -> int:
        """Levels of the role's shortfall in this skill that the gap closes."""
        return max(0, min(self.exercised, self.expected) - self.rated)

    @property
    def beyond(self) -> int:
        """Levels the gap adds above both the person's level and the role's expectation."""
        return max(0, self.exercised - max(self.rated, self.expected))


@dataclass(frozen=True)
class RankedGap:
    """A gap with its score, the parts of it, and the reasons in words."""

    gap: GapProfile
    gains: tuple[SkillGain, ...]
    serves_role: bool
    fits_domain: bool
    multiplier: float
    score: float
    reasons: tuple[str, ...]

    @property
    def closes(self) -> int:
        return sum(gain.closes for gain in self.gains)

    @property
    def beyond(self) -> int:
        return sum(gain.beyond for gain in self.gains)

    @property
    def relevance(self) -> int:
        """How much of the role's profile the gap exercises: sum of min(g_s, e_s)."""
        return sum(min(gain.exercised, gain.expected) for gain in self.gains)

    def sort_key(self) -> tuple:
        return (-self.score, -self.closes, -self.multiplier, -self.relevance, self.gap.id)


@dataclass(frozen=True)
class Recommendation:
    """The ranked catalog for one set of answers, the suggested order and why."""

    answers: Answers
    role: Role
    expected: dict[str, int]
    ranking: tuple[RankedGap, ...]
    order: tuple[str, ...]
    order_notes: tuple[str, ...]
    unranked: tuple[tuple[str, str], ...]

    @property
    def top(self) -> tuple[RankedGap, ...]:
        """The best `TOP` gaps, best first."""
        return self.ranking[:TOP]

    @property
    def first(self) -> str:
        """The gap to start with: the head of the suggested order."""
        return self.order[0]

    @property
    def command(self) -> str:
        """The command that renders the first gap."""
        return f"newproject new {self.first}"


def asked_skills(gaps: Sequence[GapProfile], profiles: Profiles) -> list[str]:
    """The skills some gap exercises, in the data file's order: the ones the person rates."""
    used = {skill for gap in gaps for skill, level in gap.exercises.items() if level > 0}
    return [skill for skill in profiles.skills if skill in used]


def recommend(
    answers: Answers,
    gaps: Sequence[GapProfile],
    profiles: Profiles,
    unranked: Sequence[tuple[str, str]] = (),
) -> Recommendation:
    """Rank every gap for `answers` and explain the top ones (see the module docstring)."""
    if not gaps:
        why = "; ".join(f"{gap_id}: {reason}" for gap_id, reason in unranked) or "no gaps"
        raise NewprojectError(f"no gap can be ranked ({why})")
    role = profiles.roles[answers.role]
    expected = role.expected_in(answers.domain)
    words = _Words(profiles, role, answers)
    ranked = [_rank(gap, answers, expected, profiles, words) for gap in gaps]
    ranking = tuple(sorted(ranked, key=RankedGap.sort_key))
    order, notes = _suggested_order(ranking[:TOP], answers, words)
    return Recommendation(
        answers=answers,
        role=role,
        expected=expected,
        ranking=ranking,
        order=order,
        order_notes=notes,
        unranked=tuple(unranked),
    )


def _rank(gap: GapProfile, answers: Answers, expected, profiles: Profiles, words) -> RankedGap:
    gains = tuple(
        SkillGain(skill, answers.levels.get(skill, 0), expected[skill], gap.exercises[skill])
        for skill in profiles.skills
        if gap.exercises.get(skill, 0) > 0
    )
    weights = profiles.weights
    serves_role = answers.role in gap.roles
    fits_domain = gap.fits(answers.domain)
    multiplier = (1.0 if serves_role else weights.role_mismatch) * (
        1.0 if fits_domain else weights.domain_mismatch
    )
    base = sum(g.closes for g in gains) + weights.beyond * sum(g.beyond for g in gains)
    # Rounded so that equal scores reached by different products tie exactly.
    return RankedGap(
        gap=gap,
        gains=gains,
        serves_role=serves_role,
        fits_domain=fits_domain,
        multiplier=multiplier,
        score=round(base * multiplier, SCORE_DIGITS),
        reasons=words.reasons(gains, serves_role, fits_domain),
    )


def _suggested_order(top: Sequence[RankedGap], answers: Answers, words) -> tuple[tuple, tuple]:
    """Best first, except that a gap another one requires (and the person lacks) goes before it."""
    by_id = {ranked.gap.id: ranked.gap for ranked in top}
    order: list[str] = []
    notes: list[str] = []

    def place(gap: GapProfile, chain: tuple[str, ...]) -> None:
        if gap.id in order:
            return
        for skill, needed in gap.requires.items():
            rated = answers.levels.get(skill, 0)
            if rated >= needed:
                continue
            providers = [
                other
                for other in by_id.values()
                if other.id != gap.id
                and other.id not in chain
                and other.exercises.get(skill, 0) >= needed
            ]
            if providers:
                provider = providers[0]
                if provider.id not in order:
                    notes.append(words.before(provider.id, gap.id, skill, needed, rated))
                place(provider, (*chain, gap.id))
            else:
                notes.append(words.on_the_way(gap.id, skill, needed, rated))
        order.append(gap.id)

    for ranked in top:
        place(ranked.gap, ())
    return tuple(order), tuple(notes)


class _Words:
    """The plain-word sentences, each pointing at the answer that drove it."""

    def __init__(self, profiles: Profiles, role: Role, answers: Answers):
        self.profiles = profiles
        self.role = role
        self.answers = answers
        self.top = profiles.top_level
        domain_label = profiles.domains[answers.domain]
        # "Autonomous driving" reads "autonomous driving" mid-sentence; "AR / VR" stays.
        self.domain = (
            domain_label
            if domain_label[1:2].isupper()
            else domain_label[:1].lower() + domain_label[1:]
        )
        self.overridden = set(role.domain_overrides.get(answers.domain, {}))

    def label(self, skill: str) -> str:
        return self.profiles.skills[skill].label

    def level(self, value: int) -> str:
        return f"{value} ({self.profiles.level_name(value)})"

    def expects(self, skill: str, expected: int) -> str:
        where = f" in {self.domain}" if skill in self.overridden else ""
        return f"the {self.role.short} role expects {expected}{where}"

    def reasons(self, gains, serves_role: bool, fits_domain: bool) -> tuple[str, ...]:
        fit = []
        if not serves_role:
            factor = self.profiles.weights.role_mismatch
            fit.append(f"it is not made for the {self.role.short} role (score x {factor:g})")
        if not fits_domain:
            factor = self.profiles.weights.domain_mismatch
            fit.append(f"it is not aimed at {self.domain} (score x {factor:g})")
        closing = sorted(
            (g for g in gains if g.closes), key=lambda g: (-g.closes, -g.expected)
        )  # stable: ties keep the data file's skill order
        skill_reasons = [
            f"you rated {self.label(g.skill)} {g.rated} of {self.top} and "
            f"{self.expects(g.skill, g.expected)}; "
            f"this project works it at {self.level(g.exercised)}"
            for g in closing
        ]
        skill_reasons += [
            f"you rated {self.label(g.skill)} {g.rated} of {self.top}, already at or above the "
            f"{g.expected} {self.role.short} expects; this project takes it on to "
            f"{self.level(g.exercised)}"
            for g in sorted((g for g in gains if g.beyond), key=lambda g: -g.beyond)
        ]
        if not skill_reasons:
            skill_reasons.append(
                f"you already meet what the {self.role.short} role expects in every skill it "
                "exercises, so there is little to close here"
            )
        reasons = skill_reasons[: MAX_REASONS - len(fit)] + fit
        if len(reasons) < 2 and serves_role:
            reasons.append(f"it is made for the {self.role.short} role you are aiming at")
        if len(reasons) < 2 and fits_domain and self.answers.domain != "general":
            reasons.append(f"it suits {self.domain}, the domain you named")
        return tuple(reasons)

    def before(self, first: str, then: str, skill: str, needed: int, rated: int) -> str:
        return (
            f"{first} before {then}: {then} expects {self.label(skill)} at {self.level(needed)} "
            f"and you rated {rated}"
        )

    def on_the_way(self, gap_id: str, skill: str, needed: int, rated: int) -> str:
        return (
            f"{gap_id} expects {self.label(skill)} at {self.level(needed)} and you rated {rated}: "
            "expect to learn it on the way"
        )
