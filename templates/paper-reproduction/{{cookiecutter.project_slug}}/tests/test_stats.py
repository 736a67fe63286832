"""Known-answer tests of the statistics: intervals, tests and effect sizes on fixed samples,
checked against values worked out by hand and against scipy.stats called directly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from {{ cookiecutter.package_name }}.reproduction import stats


def test_summary_mean_sample_std_and_t_interval():
    summary = stats.summarize([1, 2, 3, 4, 5])
    assert summary.n == 5 and summary.mean == 3.0
    assert summary.std == pytest.approx(math.sqrt(2.5))  # sample std, n - 1
    # t_{0.975, 4} = 2.776445; sem = sqrt(2.5 / 5) = 0.707107; half width 1.963243
    assert summary.interval.low == pytest.approx(1.036757, abs=1e-6)
    assert summary.interval.high == pytest.approx(4.963243, abs=1e-6)
    low, high = scipy_stats.t.interval(0.95, df=4, loc=3.0, scale=scipy_stats.sem([1, 2, 3, 4, 5]))
    assert (summary.interval.low, summary.interval.high) == pytest.approx((low, high))
    assert summary.interval.method == "t"


def test_a_99_percent_interval_is_wider():
    narrow = stats.summarize([1, 2, 3, 4, 5], confidence=0.95).interval
    wide = stats.summarize([1, 2, 3, 4, 5], confidence=0.99).interval
    assert wide.low < narrow.low and wide.high > narrow.high


def test_one_value_claims_no_interval_and_no_spread():
    summary = stats.summarize([0.5])
    assert summary.interval is None and math.isnan(summary.std)


def test_no_spread_gives_a_zero_width_interval():
    summary = stats.summarize([0.9, 0.9, 0.9])
    assert (summary.interval.low, summary.interval.high) == (0.9, 0.9)


def test_paired_comparison_matches_ttest_rel_and_hand_values():
    baseline, treatment = [0.80, 0.82, 0.81], [0.85, 0.86, 0.84]
    result = stats.compare(baseline, treatment, paired=True)
    # differences 0.05, 0.04, 0.03: mean 0.04, std 0.01, t = 0.04 / (0.01 / sqrt 3) = 6.9282
    assert result.difference.mean == pytest.approx(0.04)
    assert result.difference.std == pytest.approx(0.01)
    assert result.test.statistic == pytest.approx(6.928203, abs=1e-5)
    assert result.test.df == 2
    reference = scipy_stats.ttest_rel(treatment, baseline)
    assert result.test.pvalue == pytest.approx(reference.pvalue)
    assert result.test.pvalue == pytest.approx(0.020204, abs=1e-5)
    # 0.04 +- t_{0.975, 2} * 0.01 / sqrt 3 = 0.04 +- 4.302653 * 0.0057735
    assert result.difference.interval.low == pytest.approx(0.015159, abs=1e-5)
    assert result.difference.interval.high == pytest.approx(0.064841, abs=1e-5)
    assert result.effect_size_name == "Cohen's d_z" and result.effect_size == pytest.approx(4.0)


def test_unpaired_comparison_is_welch_with_hedges_g():
    a, b = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0, 10.0]
    result = stats.compare(a, b, paired=False)
    reference = scipy_stats.ttest_ind(b, a, equal_var=False)
    assert result.test.name == "Welch's t-test"
    assert result.test.statistic == pytest.approx(reference.statistic)
    assert result.test.pvalue == pytest.approx(reference.pvalue)
    # Welch-Satterthwaite: v1 = 1.6667/4, v2 = 10/5 -> df = (0.41667+2)^2 / (0.41667^2/3 + 2^2/4)
    v1, v2 = np.var(a, ddof=1) / 4, np.var(b, ddof=1) / 5
    assert result.test.df == pytest.approx((v1 + v2) ** 2 / (v1**2 / 3 + v2**2 / 4))
    low, high = reference.confidence_interval(0.95)
    assert (result.difference.interval.low, result.difference.interval.high) == pytest.approx(
        (low, high)
    )
    assert result.difference.mean == pytest.approx(3.5)
    pooled = math.sqrt((3 * np.var(a, ddof=1) + 4 * np.var(b, ddof=1)) / 7)
    assert result.effect_size == pytest.approx(3.5 / pooled * (1 - 3 / (4 * 9 - 9)))


def test_paired_differences_without_spread_give_an_infinite_effect_and_a_point_interval():
    result = stats.compare([0.1, 0.1, 0.1], [0.9, 0.95, 1.0], paired=True)
    assert result.effect_size == pytest.approx(0.85 / 0.05)
    flat = stats.compare([0.1, 0.2, 0.3], [0.2, 0.3, 0.4], paired=True)
    assert flat.difference.interval.low == pytest.approx(0.1)
    assert flat.difference.interval.high == pytest.approx(0.1)
    assert flat.effect_size == math.inf and flat.test is None


def test_bootstrap_interval_is_scipys_bca_with_a_fixed_seed():
    values = [0.81, 0.84, 0.79, 0.86, 0.83, 0.80, 0.85, 0.82, 0.88, 0.78]
    mine = stats.summarize(values, interval="bootstrap")
    reference = scipy_stats.bootstrap(
        (np.array(values),), np.mean, confidence_level=0.95, n_resamples=9999, method="BCa",
        **stats._rng_argument(0),
    )  # fmt: skip
    assert mine.interval.method == "bootstrap (BCa)"
    assert (mine.interval.low, mine.interval.high) == pytest.approx(
        tuple(reference.confidence_interval)
    )
    assert mine.interval.low < np.mean(values) < mine.interval.high
    again = stats.summarize(values, interval="bootstrap")
    assert again.interval == mine.interval  # seeded: the same report every time


def test_slopes_are_least_squares_per_seed():
    xs = [1, 2, 4]
    rows = [[1.0, 3.0, 7.0], [0.0, 1.0, 3.0]]  # exactly 2x - 1 and x - 1
    assert stats.slopes(xs, rows).tolist() == pytest.approx([2.0, 1.0])
    logged = stats.slopes([1, 10, 100], [[0.0, 1.0, 2.0]], log_x=True)
    assert logged.tolist() == pytest.approx([1.0])
    assert stats.slopes([1, 2, 3], [[3.0, 1.0, 2.0]])[0] == pytest.approx(
        scipy_stats.linregress([1, 2, 3], [3.0, 1.0, 2.0]).slope
    )


def test_seeds_needed_is_the_normal_approximation():
    # ((z_0.975 + z_0.8) * 1 / 1)^2 = (1.959964 + 0.841621)^2 = 7.849 -> 8 seeds
    assert stats.seeds_needed(1.0, 1.0) == 8
    assert stats.seeds_needed(0.5, 1.0) == 32
    assert stats.seeds_needed(0.0, 1.0) is None


def test_non_finite_values_are_refused():
    with pytest.raises(ValueError, match="finite"):
        stats.summarize([0.1, float("nan")])
