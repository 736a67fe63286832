"""The ranking: a transparent score of how much of the role's shortfall each gap closes.

For the target role R in domain D (R's expected levels e_s, with D's overrides), the person's
levels p_s and a gap G exercising skill s at level g_s:

    closes_s = max(0, min(g_s, e_s) - p_s)        levels of the shortfall G closes
    score(G) = sum_s closes_s * role_factor * domain_factor

role_factor is 1 when G lists R among its roles, else `not_for_role`; domain_factor is 1 when
G fits D (it lists D or "general") or `specialised` when the person named no particular domain
and G is aimed at particular ones (the constants live in role_profiles.toml). A gap aimed at
other domains than the one the person named is ranked after every gap that fits it. Ties go to
more levels closed, then the better fit, then the gap that exercises more of R's profile
(sum of min(g_s, e_s)), then the more focused gap (fewer levels beyond what R asks:
beyond_s = max(0, g_s - max(p_s, e_s))), then the gap id: the same answers always give the
same result.

The top 3 are chosen one at a time: each step takes the gap that closes the most of what the
ones already chosen leave open, per slot, a gap whose `requires` (in its gap.toml) the person
lacks coming with the best-ranked gap that teaches that level. Slots left over go to the
best-ranked of the rest, marked as adding little; only gaps that close something are shown
(when none does, the ranking goes by levels beyond the role instead). The suggested order puts
a gap that teaches what another requires before it. docs/recommender.md has a worked example.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import NewprojectError
from .answers import Answers
from .gaps import GapProfile
from .profiles import Profiles, Role

TOP = 3
SCORE_DIGITS = 6
MAX_REASONS = 3


class SkillGain(NamedTuple):
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


@dataclass(frozen=True, eq=False)  # compared by identity: one object per gap and answers
class RankedGap:
    """A gap with its score, the parts of it, and the reasons in words."""

    gap: GapProfile
    gains: tuple[SkillGain, ...]
    serves_role: bool
    domain_factor: float
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

    @property
    def elsewhere(self) -> bool:
        """Aimed at other domains than the one the person named: ranked after those that fit."""
        return self.domain_factor == 0

    def sort_key(self) -> tuple:
        return (
            self.elsewhere,
            -self.score,
            -self.closes,
            -self.multiplier,
            -self.relevance,
            self.beyond,  # at equal merit, the more focused gap
            self.gap.id,
        )

    def stretch_key(self) -> tuple:
        """The order when no gap closes anything: the one that goes furthest beyond the role."""
        return (self.elsewhere, -self.beyond, -self.multiplier, -self.relevance, self.gap.id)

    def teaches(self, skill: str, level: int) -> bool:
        return self.gap.exercises.get(skill, 0) >= level


@dataclass(frozen=True)
class Recommendation:
    """The ranked catalog for one set of answers, the chosen top gaps, their order and why."""

    answers: Answers
    role: Role
    expected: dict[str, int]
    ranking: tuple[RankedGap, ...]
    top: tuple[RankedGap, ...]
    order: tuple[str, ...]
    order_notes: tuple[str, ...]
    choice_notes: tuple[str, ...]
    unranked: tuple[tuple[str, str], ...]
    nothing_to_close: bool = False

    @property
    def first(self) -> str:
        """The gap to start with: the head of the suggested order."""
        return self.order[0]

    @property
    def command(self) -> str:
        """The command that renders the first gap."""
        return f"newproject new {self.first}"

    def rank_of(self, gap_id: str) -> int:
        """The 1-based place of `gap_id` in the ranking by score."""
        return next(i for i, ranked in enumerate(self.ranking, 1) if ranked.gap.id == gap_id)

    def in_order(self) -> list[RankedGap]:
        """The top gaps in the suggested order."""
        by_id = {ranked.gap.id: ranked for ranked in self.top}
        return [by_id[gap_id] for gap_id in self.order]


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
    """Rank every gap for `answers`, choose and order the top ones (see the module docstring)."""
    if not gaps:
        why = "; ".join(f"{gap_id}: {reason}" for gap_id, reason in unranked) or "no gaps"
        raise NewprojectError(f"no gap can be ranked ({why})")
    role = profiles.roles[answers.role]
    expected = role.expected_in(answers.domain)
    words = _Words(profiles, role, answers)
    ranked = [_rank(gap, answers, expected, profiles, words) for gap in gaps]
    nothing_to_close = not any(r.score for r in ranked)
    key = RankedGap.stretch_key if nothing_to_close else RankedGap.sort_key
    ranking = tuple(sorted(ranked, key=key))
    picked, choice_notes = _choose_top(ranking, answers, expected, nothing_to_close, words)
    order, notes = _suggested_order(picked, answers.levels, words)
    top = tuple(sorted(picked, key=ranking.index))
    return Recommendation(
        answers=answers,
        role=role,
        expected=expected,
        ranking=ranking,
        top=top,
        order=order,
        order_notes=notes,
        choice_notes=tuple(choice_notes),
        unranked=tuple(unranked),
        nothing_to_close=nothing_to_close,
    )


def _rank(gap: GapProfile, answers: Answers, expected, profiles: Profiles, words) -> RankedGap:
    gains = tuple(
        SkillGain(skill, answers.levels.get(skill, 0), expected[skill], gap.exercises[skill])
        for skill in profiles.skills
        if gap.exercises.get(skill, 0) > 0
    )
    weights = profiles.weights
    serves_role = answers.role in gap.roles
    if gap.fits(answers.domain):
        domain_factor = 1.0
    elif answers.domain == "general":
        domain_factor = weights.specialised
    else:
        domain_factor = 0.0  # not a factor: `elsewhere` ranks it after every gap that fits
    multiplier = (1.0 if serves_role else weights.not_for_role) * (domain_factor or 1.0)
    closes = sum(gain.closes for gain in gains)
    return RankedGap(
        gap=gap,
        gains=gains,
        serves_role=serves_role,
        domain_factor=domain_factor,
        multiplier=multiplier,
        # Rounded so that equal scores reached by different products tie exactly.
        score=round(closes * multiplier, SCORE_DIGITS),
        reasons=words.reasons(gap, gains, serves_role, domain_factor),
    )


def _unmet(gap: GapProfile, levels) -> list[tuple[str, int, int]]:
    """(skill, level required, level rated) for each requirement of `gap` the person lacks."""
    return [
        (skill, needed, levels.get(skill, 0))
        for skill, needed in gap.requires.items()
        if levels.get(skill, 0) < needed
    ]


def _choose_top(
    ranking: Sequence[RankedGap], answers: Answers, expected, nothing_to_close: bool, words
) -> tuple[list[RankedGap], list[str]]:
    """Up to TOP gaps that together close the most of the shortfall, and notes on the choice.

    One at a time: each step takes the gap (with the gap that teaches what it requires and the
    person lacks, if no chosen one does) that closes the most of what is still open, per slot.
    Slots no gap can fill that way go to the best-ranked of the rest, marked as adding little.
    Gaps aimed at another domain than the one named come in only when nothing else is left.
    """
    levels = answers.levels
    if nothing_to_close:
        return list(ranking[:TOP]), []
    pool = [r for r in ranking if not r.elsewhere] or list(ranking)
    reached = {skill: levels.get(skill, 0) for skill in expected}
    chosen: list[RankedGap] = []
    while len(chosen) < TOP:
        best, best_value = None, 0.0
        for candidate in pool:
            if candidate in chosen:
                continue
            bundle = _with_teachers(candidate, pool, chosen, reached, levels)
            if len(chosen) + len(bundle) > TOP:
                continue
            state, value = reached, 0.0
            for member in bundle:
                value += _still_open(member, state)
                state = _after(member, state)
            per_slot = round(value / len(bundle), SCORE_DIGITS)
            if per_slot > best_value:  # ties keep the better-ranked candidate
                best, best_value = bundle, per_slot
        if best is None:
            break
        for member in best:
            chosen.append(member)
            reached = _after(member, reached)
    rest = [r for r in (*pool, *ranking) if r.score > 0 and r not in chosen]
    fillers = list(dict.fromkeys(rest))[: TOP - len(chosen)]
    picked = chosen + fillers
    notes = [words.adds_little(r, chosen, reached) for r in fillers]
    notes += [
        words.left_out(r, rank, reached)
        for rank, r in enumerate(ranking, 1)
        if r.score > 0 and r not in picked and rank < max(ranking.index(p) + 1 for p in picked)
    ]
    return picked, notes


def _still_open(ranked: RankedGap, reached) -> float:
    """The score `ranked` would still earn once the person has reached `reached`."""
    closes = sum(max(0, min(g.exercised, g.expected) - reached[g.skill]) for g in ranked.gains)
    return closes * ranked.multiplier


def _after(ranked: RankedGap, reached) -> dict:
    """The levels reached once `ranked` is done."""
    return {**reached, **{g.skill: max(reached[g.skill], g.exercised) for g in ranked.gains}}


def _with_teachers(candidate, ranking, chosen, reached, levels) -> list[RankedGap]:
    """`candidate` preceded by a gap teaching each level it requires that is still missing."""
    bundle: list[RankedGap] = []
    for skill, needed, _ in _unmet(candidate.gap, levels):
        if reached.get(skill, 0) >= needed or any(m.teaches(skill, needed) for m in bundle):
            continue
        teachers = [
            other
            for other in ranking
            if other is not candidate and other not in chosen and other.teaches(skill, needed)
        ]
        if not teachers:
            continue  # nobody teaches it: learnt on the way (the order says so)
        ready = [
            t for t in teachers if all(reached.get(s, 0) >= n for s, n in t.gap.requires.items())
        ]
        bundle.append((ready or teachers)[0])
    return [*bundle, candidate]


def _suggested_order(top: Sequence[RankedGap], levels, words) -> tuple[tuple, tuple]:
    """Best first, except that a gap teaching what another requires (and the person lacks)
    goes before it."""
    order: list[str] = []
    before: dict[tuple[str, str, int, int], list[str]] = {}
    on_the_way: list[str] = []

    def place(ranked: RankedGap, chain: tuple[str, ...]) -> None:
        if ranked.gap.id in order:
            return
        for skill, needed, rated in _unmet(ranked.gap, levels):
            teachers = sorted(
                (
                    other
                    for other in top
                    if other is not ranked
                    and other.gap.id not in chain
                    and other.teaches(skill, needed)
                ),
                # One already placed, else one the person is ready for, else the best ranked.
                key=lambda other: (other.gap.id not in order, bool(_unmet(other.gap, levels))),
            )
            if teachers:
                before.setdefault((teachers[0].gap.id, skill, needed, rated), []).append(
                    ranked.gap.id
                )
                place(teachers[0], (*chain, ranked.gap.id))
            else:
                on_the_way.append(words.on_the_way(ranked.gap.id, skill, needed, rated))
        order.append(ranked.gap.id)

    for ranked in top:
        place(ranked, ())
    notes = [words.before(first, *rest, then) for (first, *rest), then in before.items()]
    return tuple(order), tuple(notes + on_the_way)


class _Words:
    """The plain-word sentences, each pointing at the answer that drove it."""

    def __init__(self, profiles: Profiles, role: Role, answers: Answers):
        self.profiles = profiles
        self.role = role
        self.answers = answers
        self.top = profiles.top_level
        self.overridden = set(role.domain_overrides.get(answers.domain, {}))

    def domain(self, domain_id: str) -> str:
        """A domain's label mid-sentence: "autonomous driving", but "AR / VR"."""
        label = self.profiles.domains[domain_id]
        return label if label[1:2].isupper() else label[:1].lower() + label[1:]

    def label(self, skill: str) -> str:
        return self.profiles.skills[skill].label

    def level(self, value: int) -> str:
        return f"{value} ({self.profiles.level_name(value)})"

    def expects(self, skill: str, expected: int) -> str:
        where = f" in {self.domain(self.answers.domain)}" if skill in self.overridden else ""
        return f"the {self.role.short} role expects {expected}{where}"

    def reasons(self, gap, gains, serves_role: bool, domain_factor: float) -> tuple[str, ...]:
        fit = []
        if not serves_role:
            factor = self.profiles.weights.not_for_role
            fit.append(f"it is not made for the {self.role.short} role (score x {factor:g})")
        aimed = _join([self.domain(d) for d in gap.domains])
        if domain_factor == 0:
            fit.append(
                f"it is aimed at {aimed}, not {self.domain(self.answers.domain)}: "
                "ranked after the gaps that fit your domain"
            )
        elif domain_factor != 1:
            fit.append(
                f"it is aimed at {aimed} and you named no particular domain "
                f"(score x {domain_factor:g})"
            )
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
        if len(reasons) < 2 and domain_factor == 1 and self.answers.domain != "general":
            reasons.append(f"it suits {self.domain(self.answers.domain)}, the domain you named")
        return tuple(reasons)

    def before(self, first: str, skill: str, needed: int, rated: int, then: list[str]) -> str:
        dependents = _join(then)
        verb = "expects" if len(then) == 1 else "expect"
        return (
            f"{first} first: {dependents} {verb} {self.label(skill)} at {self.level(needed)} "
            f"and you rated {rated}"
        )

    def _covered(self, ranked: RankedGap, reached) -> list[str]:
        return [
            self.label(g.skill)
            for g in ranked.gains
            if g.closes and reached[g.skill] >= min(g.exercised, g.expected)
        ]

    def adds_little(self, ranked: RankedGap, chosen, reached) -> str:
        before = _join([r.gap.id for r in chosen]) or "the others"
        verb = "is" if len(chosen) == 1 else "are"
        covered = self._covered(ranked, reached)
        what = f" (already covered: {_join(covered)})" if covered else ""
        return f"{ranked.gap.id} adds little once {before} {verb} done{what}"

    def left_out(self, ranked: RankedGap, rank: int, reached) -> str:
        covered = self._covered(ranked, reached)
        what = (
            f"the chosen gaps already close what it would ({_join(covered)})"
            if len(covered) == len([g for g in ranked.gains if g.closes])
            else "the chosen gaps close more of what is open"
        )
        return f"{ranked.gap.id} (#{rank}, score {ranked.score:g}) is left out: {what}"

    def on_the_way(self, gap_id: str, skill: str, needed: int, rated: int) -> str:
        return (
            f"{gap_id} expects {self.label(skill)} at {self.level(needed)} and you rated {rated}: "
            "expect to learn it on the way"
        )


def _join(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = list(items)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)
