"""The ablation table's comparisons: the winner is bolded only where the seeds support it (a
paired t-test over seeds at 5%), the sentence under the table says which outcome it was, and
the baseline row is marked."""

from __future__ import annotations

import math

import pytest

from {{ cookiecutter.package_name }} import ablate
from {{ cookiecutter.package_name }}.compare import RULE, paired_p_value, winner

ONE_SAMPLE = 1 / 360  # one image of the digits test split


def test_paired_p_value_matches_the_t_distribution_by_hand():
    a, b = [0.90, 0.91, 0.93], [0.80, 0.82, 0.81]
    differences = [x - y for x, y in zip(a, b, strict=True)]
    mean = sum(differences) / 3
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / 2)
    t = mean / (sd / math.sqrt(3))
    # Student's t with 2 degrees of freedom: P(|T| > t) = 1 - t / sqrt(2 + t^2).
    assert paired_p_value(a, b) == pytest.approx(1 - t / math.sqrt(2 + t * t), rel=1e-9)


def test_identical_and_constant_differences():
    assert paired_p_value([0.9, 0.8], [0.9, 0.8]) == 1.0
    assert paired_p_value([0.9778, 0.9778], [0.9528, 0.9528]) == 0.0  # every seed agrees


def test_a_gap_every_seed_supports_is_the_winner():
    verdict = winner(
        {
            "cnn": {0: 0.90, 1: 0.91, 2: 0.93},
            "vit": {0: 0.80, 1: 0.82, 2: 0.81},
            "mixer": {0: 0.70, 1: 0.75, 2: 0.72},
        }
    )
    assert (verdict.best, verdict.runner_up, verdict.winner) == ("cnn", "vit", "cnn")
    assert verdict.p_value < 0.05 and verdict.seeds == 3
    assert verdict.sentence() == (
        f"`cnn` beats the runner-up `vit` (p = {verdict.p_value:.3g} over 3 seeds): bolded."
    )


def test_less_than_one_test_sample_over_two_seeds_is_no_winner():
    cnn, cnn_se = {0: 0.97778, 1: 0.97778}, {0: 0.97778, 1: 0.97778 - ONE_SAMPLE}
    verdict = winner({"cnn": cnn, "cnn_se": cnn_se})
    mean_gap = sum(cnn.values()) / 2 - sum(cnn_se.values()) / 2
    assert mean_gap < ONE_SAMPLE
    assert verdict.best == "cnn" and verdict.winner is None
    assert verdict.p_value == pytest.approx(0.5)  # differences 0 and 1 sample: t = 1, df = 1
    assert verdict.sentence().startswith("No variant is bolded: `cnn` has the best mean")
    assert "`cnn_se`" in verdict.sentence()


def test_a_large_but_inconsistent_gap_is_no_winner():
    verdict = winner({"a": {0: 0.99, 1: 0.90, 2: 0.99}, "b": {0: 0.90, 1: 0.95, 2: 0.90}})
    assert verdict.best == "a" and verdict.p_value > 0.05 and verdict.winner is None


def test_one_seed_allows_no_test():
    verdict = winner({"cnn": {0: 0.98}, "vit": {0: 0.90}})
    assert verdict.p_value is None and verdict.winner is None
    assert "allow no paired test" in verdict.sentence()
    assert winner({"cnn": {0: 0.98}}).sentence() == "`cnn` is the only variant: nothing to compare."


def table_for(accuracies: dict[str, list[float]]) -> str:
    cells = [
        {"variant": name, "seed": seed, "accuracy": value, "train_seconds": 1.0}
        for name, values in accuracies.items()
        for seed, value in enumerate(values)
    ]
    cost = {"parameters": 1000, "flops": 2000, "cpu_latency_ms": 0.1, "gpu_latency_ms": None}
    rows = ablate.summarize(cells, {name: dict(cost) for name in accuracies})
    cfg = {
        "data": {"name": "digits"},
        "epochs": 2,
        "batch_size": 64,
        "optimizer": {"name": "adamw", "lr": 0.003},
    }
    return ablate.ablation_table(rows, cfg, "python -m pkg.ablate")


def test_the_table_bolds_a_supported_winner_and_says_so():
    table = table_for({"cnn": [0.90, 0.91, 0.93], "vit": [0.80, 0.82, 0.81]})
    assert "| **0.9133 ± 0.0153** |" in table and table.count("**") == 2
    assert RULE in table and "`cnn` beats the runner-up `vit`" in table


def test_the_table_bolds_nothing_the_seeds_do_not_support():
    table = table_for({"cnn": [0.97778, 0.97778], "cnn_se": [0.97778, 0.97778 - ONE_SAMPLE]})
    assert "**" not in table
    assert RULE in table and "No variant is bolded: `cnn` has the best mean" in table


def test_the_table_marks_cnn_as_its_baseline_row_else_the_first_variant():
    table = table_for({"vit": [0.90, 0.91], "cnn": [0.80, 0.82], "mixer": [0.7, 0.71]})
    assert "| `cnn` (baseline) |" in table and table.count("(baseline)") == 2  # row + notes
    table = table_for({"vit": [0.90, 0.91], "mixer": [0.7, 0.71]})
    assert "| `vit` (baseline) |" in table and "| `mixer` |" in table
