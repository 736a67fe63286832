"""The ablation figure: accuracy against FLOPs and against latency, Pareto front marked."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402


def pareto_front(costs: list[float], scores: list[float]) -> list[int]:
    """Indices of the points no other point beats: none is at most as costly and more accurate,
    or cheaper and at least as accurate. Sorted by cost."""
    order = sorted(range(len(costs)), key=lambda i: (costs[i], -scores[i]))
    front, best = [], float("-inf")
    for index in order:
        if scores[index] > best:
            front.append(index)
            best = scores[index]
    return front


def plot_tradeoffs(rows: list[dict], path: str | Path) -> Path:
    """Two panels of accuracy (mean ± std over seeds) against FLOPs and CPU latency."""
    panels = [("flops", "FLOPs per image (forward, 2 per multiply-add)", True)]
    panels.append(("cpu_latency_ms", "CPU latency at batch 1 (ms, median)", False))
    if all(row.get("gpu_latency_ms") is not None for row in rows):
        panels.append(("gpu_latency_ms", "GPU latency at batch 1 (ms, median)", False))
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.4), squeeze=False)
    means = [row["accuracy_mean"] for row in rows]
    stds = [row["accuracy_std"] for row in rows]
    for ax, (key, label, log_scale) in zip(axes[0], panels, strict=True):
        costs = [float(row[key]) for row in rows]
        front = pareto_front(costs, means)
        ax.errorbar(costs, means, yerr=stds, fmt="none", ecolor="0.6", capsize=3)
        ax.step(
            [costs[i] for i in front],
            [means[i] for i in front],
            where="post",
            color="tab:blue",
            alpha=0.5,
            label="Pareto front",
        )
        dominated = [i for i in range(len(rows)) if i not in front]
        ax.scatter(
            [costs[i] for i in front],
            [means[i] for i in front],
            s=50,
            zorder=3,
            color="tab:blue",
            label="on the front",
        )
        ax.scatter(
            [costs[i] for i in dominated],
            [means[i] for i in dominated],
            s=50,
            zorder=3,
            color="white",
            edgecolors="tab:blue",
            label="dominated",
        )
        for index, row in enumerate(rows):
            ax.annotate(
                row["variant"],
                (costs[index], means[index]),
                textcoords="offset points",
                xytext=(6, -10),
                fontsize=8,
            )
        if log_scale:
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # major ticks only: no overlaps
        ax.margins(x=0.15, y=0.15)
        ax.set_xlabel(label)
        ax.set_ylabel("test accuracy (mean ± std over seeds)")
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
