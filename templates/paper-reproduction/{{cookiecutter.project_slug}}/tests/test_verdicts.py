"""Every outcome of every verdict rule, on fixed samples."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.reproduction import stats, verdicts
from {{ cookiecutter.package_name }}.reproduction.verdicts import (
    INCONCLUSIVE,
    NOT_REPRODUCED,
    PARTIAL,
    REPRODUCED,
)


def paired(differences):
    """The summary of paired differences treatment - baseline."""
    return stats.compare([0.0] * len(differences), differences, paired=True).difference


@pytest.mark.parametrize(
    ("differences", "sign", "min_effect", "expected", "words"),
    [
        ([0.40, 0.45, 0.50], +1, 0.0, REPRODUCED, "excludes zero"),
        ([0.40, 0.45, 0.50], +1, 0.3, REPRODUCED, "reaches the claimed"),
        ([0.04, 0.05, 0.06], +1, 0.3, PARTIAL, "smaller than the claimed"),
        ([-0.40, -0.45, -0.50], +1, 0.0, NOT_REPRODUCED, "opposite of the claim"),
        ([-0.40, -0.45, -0.50], -1, 0.0, REPRODUCED, "lower, as claimed"),
        ([-0.02, 0.01, 0.02], +1, 0.3, NOT_REPRODUCED, "excludes the claimed"),
        ([-0.10, 0.20, 0.30], +1, 0.0, INCONCLUSIVE, "includes zero"),
        ([0.30], +1, 0.0, INCONCLUSIVE, "give no interval"),
    ],
)
def test_difference_rule(differences, sign, min_effect, expected, words):
    verdict = verdicts.difference_verdict(paired(differences), sign, min_effect, "B - A")
    assert verdict.label == expected, verdict.reason
    assert words in verdict.reason


def test_an_inconclusive_difference_estimates_the_seeds_needed():
    verdict = verdicts.difference_verdict(paired([-0.10, 0.20, 0.30]), +1)
    assert "about " in verdict.reason and "seeds would resolve" in verdict.reason


@pytest.mark.parametrize(
    ("values", "partial", "expected", "words"),
    [
        ([0.99, 1.0, 1.0], None, REPRODUCED, "lies inside"),
        ([0.70, 0.71, 0.72], 0.5, PARTIAL, "partial band"),
        ([0.70, 0.71, 0.72], None, NOT_REPRODUCED, "lies outside"),
        ([0.70, 0.71, 0.72], 0.1, NOT_REPRODUCED, "lies outside"),
        ([0.95, 1.0, 1.02], None, INCONCLUSIVE, "crosses the edge"),
        ([1.0], None, INCONCLUSIVE, "give no interval"),
    ],
)
def test_tolerance_rule(values, partial, expected, words):
    verdict = verdicts.tolerance_verdict(stats.summarize(values), 1.0, 0.02, partial)
    assert verdict.label == expected, verdict.reason
    assert words in verdict.reason


@pytest.mark.parametrize(
    ("slopes", "sign", "expected"),
    [
        ([0.010, 0.012, 0.011], +1, REPRODUCED),
        ([0.010, 0.012, 0.011], -1, NOT_REPRODUCED),
        ([-0.010, -0.012, -0.011], -1, REPRODUCED),
        ([-0.010, 0.020, 0.004], +1, INCONCLUSIVE),
    ],
)
def test_trend_rule(slopes, sign, expected):
    verdict = verdicts.trend_verdict(stats.summarize(slopes), sign)
    assert verdict.label == expected, verdict.reason


def test_every_verdict_label_is_reachable_and_distinct():
    assert len(set(verdicts.VERDICTS)) == 4
    assert {REPRODUCED, PARTIAL, NOT_REPRODUCED, INCONCLUSIVE} == set(verdicts.VERDICTS)
