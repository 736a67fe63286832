"""The ablation figure: accuracy against FLOPs and against latency, Pareto front marked.

Two things keep it readable at any scale: the log FLOPs axis labels at least three ticks
(1-2-5 or finer mantissas when the variants span less than a decade, in k/M/G), and each
variant's label is put where it covers no other label and no marker (`place_labels`: the
first free spot of a fixed list around its point, so the same rows give the same figure).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import EngFormatter, LogLocator, NullFormatter  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

DPI = 120
MARKER_SIZE = 50  # scatter marker area, points^2
# Mantissas of the labelled ticks on a log axis, sparsest first: the first set that gives at
# least MIN_TICKS ticks in the view is used (1, 10, 100 ... over several decades; 1-2-5 or
# finer within one).
TICK_SUBS = ((1.0,), (1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 5.0), tuple(float(m) for m in range(1, 10)))
MIN_TICKS = 3
# Where a label may go, in the order tried: (direction x, direction y, ha, va) around its point,
# at growing distances (points); beyond the first ring a thin line joins label and point.
SPOTS = (
    (1, 0, "left", "center"),
    (1, 1, "left", "bottom"),
    (1, -1, "left", "top"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
    (-1, 0, "right", "center"),
    (-1, 1, "right", "bottom"),
    (-1, -1, "right", "top"),
)
RINGS = (6, 14, 24, 36, 50)
LEADER = {"arrowstyle": "-", "color": "0.5", "lw": 0.6, "shrinkA": 0, "shrinkB": 4}


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


def log_view(values: list[float], pad: float = 0.08) -> tuple[float, float, tuple[float, ...]]:
    """Limits of a log axis around `values` and the tick mantissas to label in it: the sparsest
    of TICK_SUBS with at least MIN_TICKS ticks inside; the view widens until one has."""
    low, high = math.log10(min(values)), math.log10(max(values))
    margin = max(pad * (high - low), 0.05)
    low, high = low - margin, high + margin
    while True:
        for subs in TICK_SUBS:
            ticks = LogLocator(base=10, subs=subs).tick_values(10**low, 10**high)
            if sum(10**low <= t <= 10**high for t in ticks) >= MIN_TICKS:
                return 10**low, 10**high, subs
        low, high = low - 0.05, high + 0.05


def marker_boxes(ax, xs: list[float], ys: list[float], pad: float = 1.0) -> list[Bbox]:
    """The pixel box of the scatter marker at each (x, y) of `ax`."""
    half = math.sqrt(MARKER_SIZE) / 2 * ax.figure.dpi / 72 + pad
    centres = ax.transData.transform(list(zip(xs, ys, strict=True)))
    return [Bbox.from_extents(x - half, y - half, x + half, y + half) for x, y in centres]


def _overlap(box: Bbox, others: list[Bbox]) -> float:
    """Area of `box` covered by `others` (pixels^2, overlaps counted once per other box)."""
    total = 0.0
    for other in others:
        width = min(box.x1, other.x1) - max(box.x0, other.x0)
        height = min(box.y1, other.y1) - max(box.y0, other.y0)
        total += max(width, 0.0) * max(height, 0.0)
    return total


def _annotate(ax, name, point, offset, ha, va, fontsize, line=None):
    return ax.annotate(
        name,
        point,
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=fontsize,
        arrowprops=line,
    )


def place_labels(ax, xs: list[float], ys: list[float], names: list[str], fontsize: float = 8):
    """Label each point with its name where the label covers no marker and no earlier label and
    stays inside the axes: the first free spot of SPOTS x RINGS (else the least covered one).
    Call after the layout is final. Returns the annotations."""
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = marker_boxes(ax, xs, ys)
    placed = []
    for x, y, name in zip(xs, ys, names, strict=True):
        best = None
        for ring in RINGS:
            for dx, dy, ha, va in SPOTS:
                scale = ring / math.hypot(dx, dy)
                offset = (dx * scale, dy * scale)
                label = _annotate(ax, name, (x, y), offset, ha, va, fontsize)
                box = label.get_window_extent(renderer)
                label.remove()
                outside = box.width * box.height - _overlap(box, [frame])
                cost = _overlap(box, taken) + outside
                if best is None or cost < best[0]:
                    best = (cost, ring, offset, ha, va, box)
                if cost == 0:
                    break
            if best[0] == 0:
                break
        _, ring, offset, ha, va, box = best
        line = LEADER if ring > RINGS[0] else None
        placed.append(_annotate(ax, name, (x, y), offset, ha, va, fontsize, line))
        taken.append(box)
    return placed


def tradeoff_figure(rows: list[dict]) -> Figure:
    """Two panels (three with a GPU) of accuracy (mean ± std over seeds) against FLOPs and
    latency, each variant labelled."""
    panels = [("flops", "FLOPs per image (forward, 2 per multiply-add)", True)]
    panels.append(("cpu_latency_ms", "CPU latency at batch 1 (ms, median)", False))
    if all(row.get("gpu_latency_ms") is not None for row in rows):
        panels.append(("gpu_latency_ms", "GPU latency at batch 1 (ms, median)", False))
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5.2 * len(panels), 4.4), squeeze=False, dpi=DPI
    )
    means = [row["accuracy_mean"] for row in rows]
    stds = [row["accuracy_std"] for row in rows]
    panel_costs = []
    for ax, (key, label, log_scale) in zip(axes[0], panels, strict=True):
        costs = [float(row[key]) for row in rows]
        panel_costs.append(costs)
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
            s=MARKER_SIZE,
            zorder=3,
            color="tab:blue",
            label="on the front",
        )
        ax.scatter(
            [costs[i] for i in dominated],
            [means[i] for i in dominated],
            s=MARKER_SIZE,
            zorder=3,
            color="white",
            edgecolors="tab:blue",
            label="dominated",
        )
        if log_scale:
            ax.set_xscale("log")
            low, high, subs = log_view(costs)
            ax.set_xlim(low, high)
            ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
            ax.xaxis.set_major_formatter(EngFormatter(sep=""))  # 200k, 500k, 1M
            ax.xaxis.set_minor_locator(LogLocator(base=10, subs="all"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        else:
            ax.margins(x=0.15)
        ax.margins(y=0.15)
        ax.set_xlabel(label)
        ax.set_ylabel("test accuracy (mean ± std over seeds)")
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    names = [row["variant"] for row in rows]
    for ax, costs in zip(axes[0], panel_costs, strict=True):  # labels last: on the final layout
        place_labels(ax, costs, means, names)
    return fig


def plot_tradeoffs(rows: list[dict], path: str | Path) -> Path:
    """Write the trade-off figure (tradeoff_figure) as a PNG."""
    fig = tradeoff_figure(rows)
    path = Path(path)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
