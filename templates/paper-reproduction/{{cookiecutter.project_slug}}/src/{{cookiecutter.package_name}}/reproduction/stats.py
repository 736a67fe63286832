"""The statistics of a reproduction, all from scipy.stats: summaries with confidence
intervals, paired and unpaired comparisons with effect sizes, trends along a sweep, and the
number of seeds an effect would need.

Intervals are t-intervals by default (``scipy.stats.t``: exact for normally distributed seed
results, honest with 3-10 seeds); ``bootstrap`` gives scipy's BCa bootstrap interval, which
needs more seeds than that to mean anything (with 3 seeds a resample takes one of 10 means).
A sample with no spread (every seed gave the same number) has a zero-width interval: the
seeds cannot tell us more.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

BOOTSTRAP_RESAMPLES = 9999


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    method: str  # "t" or "bootstrap (BCa)"
    confidence: float

    def excludes(self, value: float) -> bool:
        return value < self.low or value > self.high

    def within(self, low: float, high: float) -> bool:
        return low <= self.low and self.high <= high

    def __str__(self) -> str:
        return f"[{self.low:.4g}, {self.high:.4g}]"


@dataclass(frozen=True)
class Summary:
    """n, mean, sample standard deviation and a confidence interval of the mean."""

    n: int
    mean: float
    std: float
    interval: Interval | None  # None with fewer than 2 values

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Test:
    name: str
    statistic: float
    df: float
    pvalue: float


@dataclass(frozen=True)
class Comparison:
    """treatment - baseline: its summary (the per-seed differences when paired), the test and
    the effect size."""

    paired: bool
    difference: Summary
    test: Test | None
    effect_size_name: str
    effect_size: float

    def as_dict(self) -> dict:
        return asdict(self)


def _clean(values) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(array)):
        raise ValueError("statistics need finite values (a diverged run needs metric.diverged)")
    return array


def no_spread(values: np.ndarray) -> bool:
    """Every value the same, up to rounding (0.2 - 0.1 and 0.3 - 0.2 differ in the last bit)."""
    return bool(np.ptp(values) <= 1e-12 * max(1.0, float(np.max(np.abs(values)))))


def t_interval(values, confidence: float = 0.95) -> Interval:
    """Student-t interval of the mean: mean ± t_{(1+c)/2, n-1} * s / sqrt(n)."""
    values = _clean(values)
    mean = float(values.mean())
    if no_spread(values):
        return Interval(mean, mean, "t", confidence)
    sem = float(stats.sem(values))
    low, high = stats.t.interval(confidence, df=len(values) - 1, loc=mean, scale=sem)
    return Interval(float(low), float(high), "t", confidence)


def _rng_argument(seed: int) -> dict:
    # scipy >= 1.15 names the generator `rng`; older releases call it `random_state`.
    import inspect

    name = "rng" if "rng" in inspect.signature(stats.bootstrap).parameters else "random_state"
    return {name: np.random.default_rng(seed)}


def bootstrap_interval(values, confidence: float = 0.95, seed: int = 0) -> Interval:
    """scipy's BCa bootstrap interval of the mean (seeded, so a report is reproducible)."""
    values = _clean(values)
    if no_spread(values):
        mean = float(values.mean())
        return Interval(mean, mean, "bootstrap (BCa)", confidence)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns about degenerate resamples of tiny samples
        result = stats.bootstrap(
            (values,),
            np.mean,
            confidence_level=confidence,
            n_resamples=BOOTSTRAP_RESAMPLES,
            method="BCa",
            **_rng_argument(seed),
        )
    low, high = result.confidence_interval
    if not (math.isfinite(low) and math.isfinite(high)):  # BCa undefined: fall back
        result = stats.bootstrap(
            (values,),
            np.mean,
            confidence_level=confidence,
            n_resamples=BOOTSTRAP_RESAMPLES,
            method="percentile",
            **_rng_argument(seed),
        )
        low, high = result.confidence_interval
        return Interval(float(low), float(high), "bootstrap (percentile)", confidence)
    return Interval(float(low), float(high), "bootstrap (BCa)", confidence)


def summarize(values, interval: str = "t", confidence: float = 0.95) -> Summary:
    """n, mean, sample std (n - 1) and the interval of the mean (`t` or `bootstrap`)."""
    values = _clean(values)
    n = len(values)
    if n == 0:
        raise ValueError("no values to summarize")
    std = (0.0 if no_spread(values) else float(values.std(ddof=1))) if n > 1 else float("nan")
    if n < 2:
        return Summary(n, float(values.mean()), std, None)
    make = t_interval if interval == "t" else bootstrap_interval
    return Summary(n, float(values.mean()), std, make(values, confidence))


def compare(
    baseline, treatment, paired: bool, interval: str = "t", confidence: float = 0.95
) -> Comparison:
    """treatment - baseline. Paired (seed i of one arm with seed i of the other): the paired
    t-test (scipy.stats.ttest_rel) and Cohen's d_z (mean difference / std of the differences).
    Unpaired: Welch's t-test (scipy.stats.ttest_ind, equal_var=False), its interval, and
    Hedges' g (Cohen's d with the pooled std, corrected for small samples)."""
    baseline, treatment = _clean(baseline), _clean(treatment)
    if paired:
        if len(baseline) != len(treatment):
            raise ValueError("a paired comparison needs as many baseline as treatment values")
        differences = treatment - baseline
        summary = summarize(differences, interval, confidence)
        test = None
        if len(differences) > 1 and summary.std > 0:
            result = stats.ttest_rel(treatment, baseline)
            test = Test(
                "paired t-test", float(result.statistic), float(result.df), float(result.pvalue)
            )
            if interval == "t":
                low, high = result.confidence_interval(confidence)
                summary = Summary(
                    summary.n,
                    summary.mean,
                    summary.std,
                    Interval(float(low), float(high), "t", confidence),
                )
        return Comparison(True, summary, test, "Cohen's d_z", _ratio(summary.mean, summary.std))
    n1, n2 = len(treatment), len(baseline)
    mean = float(treatment.mean() - baseline.mean())
    pooled = (
        0.0 if no_spread(treatment) and no_spread(baseline) else _pooled_std(treatment, baseline)
    )
    g = _ratio(mean, pooled) * (1 - 3 / (4 * (n1 + n2) - 9)) if n1 + n2 > 3 else float("nan")
    test, band = None, None
    if n1 > 1 and n2 > 1 and pooled > 0:
        result = stats.ttest_ind(treatment, baseline, equal_var=False)
        test = Test(
            "Welch's t-test", float(result.statistic), float(result.df), float(result.pvalue)
        )
        if interval == "t":
            low, high = result.confidence_interval(confidence)
            band = Interval(float(low), float(high), "t (Welch)", confidence)
        else:
            band = _bootstrap_difference(treatment, baseline, confidence)
    elif n1 > 1 and n2 > 1:
        band = Interval(mean, mean, interval, confidence)
    spread = math.sqrt(
        (treatment.var(ddof=1) if n1 > 1 else 0) / n1 + (baseline.var(ddof=1) if n2 > 1 else 0) / n2
    )
    return Comparison(False, Summary(min(n1, n2), mean, spread, band), test, "Hedges' g", g)


def _bootstrap_difference(treatment, baseline, confidence: float, seed: int = 0) -> Interval:
    def difference(x, y, axis=-1):
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (treatment, baseline),
            difference,
            confidence_level=confidence,
            n_resamples=BOOTSTRAP_RESAMPLES,
            method="percentile",
            **_rng_argument(seed),
        )
    low, high = result.confidence_interval
    return Interval(float(low), float(high), "bootstrap (percentile)", confidence)


def _pooled_std(a: np.ndarray, b: np.ndarray) -> float:
    n1, n2 = len(a), len(b)
    if n1 + n2 <= 2:
        return float("nan")
    variance = (
        (n1 - 1) * a.var(ddof=1 if n1 > 1 else 0) + (n2 - 1) * b.var(ddof=1 if n2 > 1 else 0)
    ) / (n1 + n2 - 2)
    return float(math.sqrt(variance))


def _ratio(mean: float, std: float) -> float:
    if std and math.isfinite(std) and std > 0:
        return mean / std
    if mean == 0:
        return float("nan")
    return math.copysign(math.inf, mean)


def slopes(xs, values_by_seed, log_x: bool = False) -> np.ndarray:
    """Least-squares slope of metric against the swept value (log10 of it with `log_x`), one
    per seed (scipy.stats.linregress): the per-seed evidence of a trend."""
    x = np.log10(np.asarray(xs, dtype=np.float64)) if log_x else np.asarray(xs, dtype=np.float64)
    return np.array([stats.linregress(x, _clean(row)).slope for row in values_by_seed])


def seeds_needed(
    mean: float, std: float, confidence: float = 0.95, power: float = 0.8
) -> int | None:
    """Seeds for a two-sided test at 1 - `confidence` to detect an effect of `mean` with
    probability `power`, if the seed-to-seed std is `std` (normal approximation:
    n = ((z_{1-a/2} + z_power) * std / mean)^2). None when there is no effect to detect."""
    if not (math.isfinite(mean) and math.isfinite(std)) or mean == 0:
        return None
    z = stats.norm.ppf(1 - (1 - confidence) / 2) + stats.norm.ppf(power)
    return max(2, math.ceil((z * std / abs(mean)) ** 2))
