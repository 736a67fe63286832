"""Verdict rules: from the statistics of a claim's runs to reproduced / partially reproduced /
not reproduced / inconclusive, each with its reason in words.

The principle is the same in every rule: the verdict is what the whole confidence interval
supports. An interval that lies entirely on one side of the line that matters decides; one that
straddles it is inconclusive, and the reason says roughly how many seeds would decide it.

difference (treatment vs baseline, signed so that positive is the claimed direction; claimed
size `min_effect`, default 0):
    interval above 0, reaching min_effect      reproduced
    interval above 0, all below min_effect     partially reproduced (direction yes, size no)
    interval below 0                           not reproduced (the opposite holds)
    interval holds 0, all below min_effect > 0 not reproduced (an effect that large is excluded)
    otherwise (interval holds 0)               inconclusive
tolerance (our value vs the paper's value v, band v ± tolerance):
    interval inside the band                   reproduced
    interval outside the band, inside v ± partial_tolerance   partially reproduced
    interval outside the band (and the partial band)          not reproduced
    otherwise (interval crosses a band edge)   inconclusive
trend (per-seed slope of the metric along a sweep, signed so that positive is the claim):
    interval above 0                           reproduced
    interval below 0                           not reproduced
    otherwise                                  inconclusive
"""

from __future__ import annotations

from dataclasses import dataclass

from .stats import Interval, Summary, seeds_needed

REPRODUCED = "reproduced"
PARTIAL = "partially reproduced"
NOT_REPRODUCED = "not reproduced"
INCONCLUSIVE = "inconclusive"
VERDICTS = (REPRODUCED, PARTIAL, NOT_REPRODUCED, INCONCLUSIVE)


@dataclass(frozen=True)
class Verdict:
    label: str
    reason: str


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _signed(interval: Interval, sign: int) -> Interval:
    if sign > 0:
        return interval
    return Interval(-interval.high, -interval.low, interval.method, interval.confidence)


def _more_seeds(summary: Summary, distance: float) -> str:
    needed = seeds_needed(distance, summary.std, summary.interval.confidence)
    if needed is None or needed <= summary.n:
        return "more seeds would narrow it"
    return f"about {needed} seeds would resolve an effect of this size (80% power)"


def _too_few(summary: Summary) -> Verdict | None:
    if summary.n < 2 or summary.interval is None:
        return Verdict(INCONCLUSIVE, f"{summary.n} seed(s) give no interval: run at least 3 seeds")
    return None


def _claimed(sign: int) -> str:
    return "higher" if sign > 0 else "lower"


def difference_verdict(
    comparison_summary: Summary, sign: int, min_effect: float = 0.0, what: str = "the effect"
) -> Verdict:
    """`comparison_summary` is treatment - baseline in metric units; `sign` is +1 when the
    claim says higher, -1 when it says lower. Reasons quote the unsigned numbers."""
    too_few = _too_few(comparison_summary)
    if too_few:
        return too_few
    raw = comparison_summary.interval
    band = _signed(raw, sign)
    mean = sign * comparison_summary.mean
    shown = f"{what} = {_fmt(comparison_summary.mean)}"
    level = f"{raw.confidence:.0%} interval {raw}"
    claimed = f"{_claimed(sign)}, as claimed"
    size = f"{_fmt(sign * min_effect)}"
    if band.low > 0:
        if min_effect > 0 and band.high < min_effect:
            return Verdict(
                PARTIAL,
                f"{shown} ({claimed}; the {level} excludes zero) but smaller than the claimed "
                f"{size}: the whole interval falls short of it",
            )
        return Verdict(
            REPRODUCED,
            f"{shown} ({claimed}); the {level} excludes zero"
            + (f" and reaches the claimed {size}" if min_effect > 0 else ""),
        )
    if band.high < 0:
        return Verdict(
            NOT_REPRODUCED,
            f"{shown}: the opposite of the claim, and the {level} excludes zero",
        )
    if min_effect > 0 and band.high < min_effect:
        return Verdict(
            NOT_REPRODUCED,
            f"{shown}: the {level} includes zero and excludes the claimed {size}",
        )
    return Verdict(
        INCONCLUSIVE,
        f"{shown} but the {level} includes zero: {comparison_summary.n} seeds cannot tell it "
        f"from seed-to-seed noise; {_more_seeds(comparison_summary, mean)}",
    )


def tolerance_verdict(
    summary: Summary, reported: float, tolerance: float, partial_tolerance: float | None = None
) -> Verdict:
    """Our mean's interval against the band `reported` ± `tolerance`."""
    too_few = _too_few(summary)
    if too_few:
        return too_few
    interval = summary.interval
    low, high = reported - tolerance, reported + tolerance
    level = f"{interval.confidence:.0%} interval {interval}"
    band = f"[{_fmt(low)}, {_fmt(high)}] (paper {_fmt(reported)} ± {_fmt(tolerance)})"
    if interval.within(low, high):
        return Verdict(REPRODUCED, f"ours is {_fmt(summary.mean)}; the {level} lies inside {band}")
    if interval.high < low or interval.low > high:
        if partial_tolerance is not None and interval.within(
            reported - partial_tolerance, reported + partial_tolerance
        ):
            return Verdict(
                PARTIAL,
                f"ours is {_fmt(summary.mean)}: the {level} misses {band} but lies within the "
                f"partial band ± {_fmt(partial_tolerance)}",
            )
        return Verdict(
            NOT_REPRODUCED, f"ours is {_fmt(summary.mean)}: the {level} lies outside {band}"
        )
    distance = min(abs(summary.mean - low), abs(summary.mean - high))
    return Verdict(
        INCONCLUSIVE,
        f"ours is {_fmt(summary.mean)} but the {level} crosses the edge of {band}; "
        f"{_more_seeds(summary, distance)}",
    )


def trend_verdict(slope_summary: Summary, sign: int, what: str = "the slope") -> Verdict:
    """`slope_summary` summarizes one least-squares slope per seed; `sign` +1 = increasing."""
    too_few = _too_few(slope_summary)
    if too_few:
        return too_few
    raw = slope_summary.interval
    band = _signed(raw, sign)
    mean = sign * slope_summary.mean
    shown = f"{what} = {_fmt(slope_summary.mean)} per unit"
    level = f"{raw.confidence:.0%} interval {raw}"
    claimed = "rises" if sign > 0 else "falls"
    if band.low > 0:
        return Verdict(
            REPRODUCED, f"the metric {claimed} as claimed: {shown}, the {level} excludes zero"
        )
    if band.high < 0:
        return Verdict(
            NOT_REPRODUCED,
            f"the trend goes the other way: {shown}, the {level} excludes zero",
        )
    return Verdict(
        INCONCLUSIVE, f"{shown} but the {level} includes zero; {_more_seeds(slope_summary, mean)}"
    )
