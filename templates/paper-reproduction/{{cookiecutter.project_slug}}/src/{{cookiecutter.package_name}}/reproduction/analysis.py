"""From a claim's finished runs to its statistics and verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..core.errors import ProjectError
from . import stats
from .claims import Claim
from .execute import DIVERGED, evaluation_path, read_record
from .plan import Plan, Run
from .verdicts import Verdict, difference_verdict, tolerance_verdict, trend_verdict

NOT_RUN = "not run"


@dataclass
class ClaimResult:
    """Values per arm setting (ordered by seed), their summaries, the rule's statistic, the
    verdict and its reason."""

    claim: Claim
    seeds: list[int]
    values: dict[str, list[float]] = field(default_factory=dict)
    diverged: dict[str, int] = field(default_factory=dict)
    summaries: dict[str, stats.Summary] = field(default_factory=dict)
    comparison: stats.Comparison | None = None
    slopes: list[float] | None = None
    headline: stats.Summary | None = None  # what the verdict is about
    verdict: Verdict | None = None
    runs: dict[str, list[Run]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.verdict.label if self.verdict else NOT_RUN

    @property
    def interval_method(self) -> str:
        return self.claim.rule.get("interval", "t")

    def xs(self, arm: str) -> list:
        return [point.x for point in self.claim.points(arm)]


def metric_value(claim: Claim, run: Run) -> tuple[float | None, bool]:
    """(the claim's metric of `run`, whether it diverged); (None, False) when not run."""
    record = read_record(run.dir)
    if record is None or record.get("config_hash") != run.config_hash:
        return None, False
    metric = claim.metric
    if record.get("status") == DIVERGED:
        if "diverged" not in metric:
            raise claim.error(
                ["metric"],
                f"run {run.dir} diverged ({record.get('message', '')}); say what a diverged "
                "run scores with metric.diverged (e.g. chance accuracy), or change its settings",
            )
        return float(metric["diverged"]), True
    path = evaluation_path(run.dir, metric["split"], metric["checkpoint"])
    if not path.is_file():
        return None, False
    values = json.loads(path.read_text(encoding="utf-8"))
    if metric["name"] not in values:
        known = ", ".join(k for k, v in values.items() if isinstance(v, float))
        raise claim.error(
            ["metric", "name"], f"{metric['name']!r} is not a metric (known: {known})"
        )
    return float(values[metric["name"]]), False


def analyze(claim: Claim, plan: Plan) -> ClaimResult:
    """Statistics and verdict of one claim; verdict None when some of its runs are missing."""
    result = ClaimResult(claim, plan.seeds[claim.id], runs=plan.for_claim(claim.id))
    rule = claim.rule
    interval = rule.get("interval", "t")
    confidence = float(rule.get("confidence", 0.95))
    complete = True
    for label, runs in result.runs.items():
        values, diverged = [], 0
        for run in runs:
            value, did_diverge = metric_value(claim, run)
            if value is None:
                complete = False
                break
            values.append(value)
            diverged += did_diverge
        if len(values) == len(runs):
            result.values[label] = values
            result.diverged[label] = diverged
            result.summaries[label] = stats.summarize(values, interval, confidence)
    if not complete:
        return result
    sign = 1 if claim.metric["direction"] == "higher" else -1
    if rule["name"] == "difference":
        baseline = result.values[rule["baseline"]]
        treatment = result.values[rule["treatment"]]
        paired = rule.get("paired", True)
        result.comparison = stats.compare(baseline, treatment, paired, interval, confidence)
        result.headline = result.comparison.difference
        result.verdict = difference_verdict(
            result.headline,
            sign,
            float(rule.get("min_effect", 0.0)),
            what=f"{rule['treatment']} - {rule['baseline']}",
        )
    elif rule["name"] == "tolerance":
        arm = claim.rule_arm
        result.headline = result.summaries[arm]
        result.verdict = tolerance_verdict(
            result.headline,
            float(claim.reported["value"]),
            float(rule["tolerance"]),
            rule.get("partial_tolerance"),
        )
    elif rule["name"] == "trend":
        arm = claim.rule_arm
        labels = [point.label for point in claim.points(arm)]
        by_seed = [[result.values[label][i] for label in labels] for i in range(len(result.seeds))]
        slopes = stats.slopes(result.xs(arm), by_seed, bool(rule.get("log_x", False)))
        result.slopes = [float(s) for s in slopes]
        result.headline = stats.summarize(slopes, interval, confidence)
        result.verdict = trend_verdict(
            result.headline, 1 if rule["direction"] == "increasing" else -1, what="the slope"
        )
    else:  # the schema admits no other rule
        raise ProjectError(f"{claim.path}: unknown rule {rule['name']!r}")
    return result
