"""One figure per claim: every seed as a point, the mean with its confidence interval, and the
paper's value as a line (where the paper gives one in our metric's units)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .analysis import ClaimResult  # noqa: E402

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
PAPER = "#444444"


def _jitter(count: int, width: float = 0.08) -> np.ndarray:
    return np.linspace(-width, width, count) if count > 1 else np.zeros(1)


def _mean_and_interval(ax, x: float, summary, colour: str) -> None:
    low, high = (summary.interval.low, summary.interval.high) if summary.interval else (None, None)
    if low is not None:
        ax.errorbar(
            [x + 0.22], [summary.mean], yerr=[[summary.mean - low], [high - summary.mean]],
            fmt="D", color=colour, capsize=5, markersize=6, label=None,
        )  # fmt: skip
    else:
        ax.plot([x + 0.22], [summary.mean], "D", color=colour)


def _paper_line(ax, result: ClaimResult, what: str = "paper") -> None:
    value = result.claim.reported.get("value")
    if value is None:
        return
    ax.axhline(value, color=PAPER, linestyle="--", linewidth=1.2, label=f"{what}: {value:g}")
    tolerance = result.claim.rule.get("tolerance")
    if tolerance:
        ax.axhspan(value - tolerance, value + tolerance, color=PAPER, alpha=0.12, linewidth=0)


def _points(ax, x: float, values, diverged: int, colour: str, label: str | None = None) -> None:
    xs = x + _jitter(len(values))
    ax.scatter(xs, values, color=colour, s=28, zorder=3, label=label)
    if diverged:
        ax.annotate(f"{diverged} diverged", (x, float(np.min(values))), textcoords="offset points",
                    xytext=(0, -14), ha="center", fontsize=8, color=colour)  # fmt: skip


def plot_claim(result: ClaimResult, path: str | Path) -> Path:
    """Draw `result` into `path` (PNG) and return the path."""
    claim, rule = result.claim, result.claim.rule
    metric = claim.metric_label
    percent = int(round(100 * float(rule.get("confidence", 0.95))))
    level = f"{percent}% {result.interval_method} interval"
    if rule["name"] == "difference":
        fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.6), width_ratios=(2, 1))
        arms = [rule["baseline"], rule["treatment"]]
        for index, arm in enumerate(arms):
            _points(left, index, result.values[arm], result.diverged.get(arm, 0), COLOURS[index])
            _mean_and_interval(left, index, result.summaries[arm], COLOURS[index])
        if result.comparison.paired:
            pairs = zip(result.values[arms[0]], result.values[arms[1]], strict=True)
            for offset, (a, b) in zip(_jitter(len(result.values[arms[0]])), pairs, strict=True):
                left.plot([offset, 1 + offset], [a, b], color="#999999", linewidth=0.7, zorder=1)
        left.set_xticks([0, 1], arms)
        left.set_xlim(-0.5, 1.6)
        left.set_ylabel(metric)
        left.set_title("seeds (points), mean and " + level, fontsize=9)
        differences = np.asarray(result.values[arms[1]]) - np.asarray(result.values[arms[0]])
        if result.comparison.paired:
            _points(right, 0, differences, 0, COLOURS[2])
        _mean_and_interval(right, 0, result.comparison.difference, COLOURS[2])
        right.axhline(0, color="black", linewidth=0.8)
        _paper_line(right, result, "paper's effect")
        right.set_xticks([0], [f"{arms[1]} - {arms[0]}"])
        right.set_xlim(-0.5, 0.7)
        right.set_title(
            "paired differences" if result.comparison.paired else "difference", fontsize=9
        )
        if claim.reported.get("value") is not None:
            right.legend(fontsize=8, loc="best")
        axes = (left, right)
    elif rule["name"] == "trend":
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
        arm = claim.rule_arm
        points = claim.points(arm)
        xs = np.arange(len(points))
        means = []
        for index, point in enumerate(points):
            _points(
                ax,
                index,
                result.values[point.label],
                result.diverged.get(point.label, 0),
                COLOURS[0],
            )
            _mean_and_interval(ax, index, result.summaries[point.label], COLOURS[1])
            means.append(result.summaries[point.label].mean)
        ax.plot(xs + 0.22, means, color=COLOURS[1], linewidth=1)
        _paper_line(ax, result)
        sweep = claim.data["experiments"][arm]["sweep"]
        ax.set_xticks(xs, [str(point.x) for point in points])
        ax.set_xlabel(sweep["key"])
        ax.set_ylabel(metric)
        ax.set_title(f"{arm}: seeds (points), mean and {level}", fontsize=9)
        axes = (ax,)
    else:
        fig, ax = plt.subplots(figsize=(4.8, 3.8))
        arm = claim.rule_arm
        _points(ax, 0, result.values[arm], result.diverged.get(arm, 0), COLOURS[0], "seeds")
        _mean_and_interval(ax, 0, result.summaries[arm], COLOURS[1])
        _paper_line(ax, result)
        ax.set_xticks([0], [arm])
        ax.set_xlim(-0.5, 0.8)
        ax.set_ylabel(metric)
        ax.set_title(f"seeds, mean and {level}; band: paper ± tolerance", fontsize=9)
        ax.legend(fontsize=8, loc="best")
        axes = (ax,)
    for ax in axes:
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"{claim.id}: {result.label}", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
