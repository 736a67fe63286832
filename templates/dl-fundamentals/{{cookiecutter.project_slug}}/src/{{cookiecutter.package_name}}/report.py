"""Collect runs/*/metrics.json into a results table and figures, and put them in README.md.

    python -m PACKAGE.report [--runs runs] [--readme README.md] [--figures reports]

The table sets the NumPy engine beside its PyTorch twin (accuracy, macro-F1,
training seconds, inference time); runs of one model over several seeds are
summarised as mean +- std. The block between the README's results markers is
replaced; everything else in the README is left alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
from pathlib import Path

START, END = "<!-- results:start -->", "<!-- results:end -->"
MODEL_ORDER = {"mlp": 0, "cnn": 1, "attention": 2}


def load_runs(runs_dir: Path) -> list[dict]:
    """Every run's metrics, MLP first, then CNN, then attention, then by name."""
    runs = [json.loads(path.read_text()) for path in sorted(runs_dir.glob("*/metrics.json"))]
    return sorted(runs, key=lambda m: (MODEL_ORDER.get(m["model"], 9), m["run"]))


def results_table(runs: list[dict]) -> str:
    """One row per run and engine."""
    lines = [
        "| run | model | engine | test accuracy | macro-F1 | train time (s) "
        "| inference (µs/image) | parameters |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for metrics in runs:
        for result in (metrics, metrics.get("torch")):
            if result:
                lines.append(
                    f"| {metrics['run']} | {metrics['model']} | {result['engine']} "
                    f"| {result['accuracy']:.4f} | {result['macro_f1']:.4f} "
                    f"| {result['train_seconds']:.2f} "
                    f"| {1000 * result['inference_ms_per_sample']:.1f} | {result['parameters']:,} |"
                )
    return "\n".join(lines)


def seed_table(runs: list[dict]) -> str | None:
    """Mean +- std of test accuracy per (model, engine) over runs with different seeds."""
    groups: dict[tuple[str, str], dict[int, float]] = {}
    for metrics in runs:
        for result in (metrics, metrics.get("torch")):
            if result:
                key = (metrics["model"], result["engine"])
                groups.setdefault(key, {})[metrics["seed"]] = result["accuracy"]
    rows = [(key, seeds) for key, seeds in groups.items() if len(seeds) > 1]
    if not rows:
        return None
    lines = ["| model | engine | seeds | test accuracy (mean ± std) |", "|---|---|---:|---:|"]
    for (model, engine), seeds in rows:
        values = list(seeds.values())
        lines.append(
            f"| {model} | {engine} | {len(values)} "
            f"| {statistics.mean(values):.4f} ± {statistics.stdev(values):.4f} |"
        )
    return "\n".join(lines)


def speed_lines(runs: list[dict]) -> list[str]:
    """Training time of the from-scratch engine relative to PyTorch, per run."""
    lines = []
    for metrics in runs:
        twin = metrics.get("torch")
        if twin and twin["train_seconds"] > 0:
            ratio = metrics["train_seconds"] / twin["train_seconds"]
            gap = abs(metrics["accuracy"] - twin["accuracy"])
            lines.append(
                f"- `{metrics['run']}`: NumPy trained in {metrics['train_seconds']:.2f} s, "
                f"PyTorch ({twin.get('device', 'cpu')}) in {twin['train_seconds']:.2f} s "
                f"(time ratio {ratio:.1f}); accuracy gap {gap:.4f}."
            )
    return lines


def plot_figures(runs: list[dict], out_dir: Path) -> list[Path]:
    """learning_curves.png (test accuracy per epoch, both engines, one panel per run) and
    confusion.png (the NumPy CNN's, else the first run's, test confusion matrix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, len(runs), figsize=(3.6 * len(runs), 3.2), squeeze=False)
    for ax, metrics in zip(axes[0], runs, strict=True):
        for result, style in ((metrics, "-"), (metrics.get("torch"), "--")):
            if result:
                history = result["history"]
                ax.plot(history["epoch"], history["test_accuracy"], style, label=result["engine"])
        ax.set(title=metrics["run"], xlabel="epoch", ylabel="test accuracy")
        ax.set_ylim(top=1.0)
        ax.legend(fontsize=7)
    fig.tight_layout()
    curves = out_dir / "learning_curves.png"
    fig.savefig(curves, dpi=110)
    plt.close(fig)

    chosen = next((m for m in runs if m["model"] == "cnn"), runs[0])
    fig, ax = plt.subplots(figsize=(4.2, 3.8))
    ax.imshow(chosen["confusion"], cmap="Blues")
    for true, row in enumerate(chosen["confusion"]):
        for predicted, count in enumerate(row):
            if count:
                ax.text(predicted, true, count, ha="center", va="center", fontsize=7)
    ax.set(
        title=f"{chosen['run']} (NumPy): test confusion",
        xlabel="predicted",
        ylabel="true",
        xticks=range(10),
        yticks=range(10),
    )
    fig.tight_layout()
    confusion = out_dir / "confusion.png"
    fig.savefig(confusion, dpi=110)
    plt.close(fig)
    return [curves, confusion]


def render(runs: list[dict], figures: list[Path], readme_dir: Path) -> str:
    """The Markdown that goes between the README's markers."""
    package = __package__ or "PACKAGE"
    parts = [
        "Test set: 360 held-out digits (20 %, stratified, the same split for every run).",
        "",
        results_table(runs),
        "",
    ]
    seeds = seed_table(runs)
    if seeds:
        parts += [
            "Over seeds (same split, different initialisation and batch order):",
            "",
            seeds,
            "",
        ]
    parts += speed_lines(runs)
    parts += [""] + [f"![{path.stem}]({os.path.relpath(path, readme_dir)})" for path in figures]
    parts += [
        "",
        f"Timings on {platform.machine()} ({os.cpu_count()} CPU cores), one BLAS/PyTorch thread.",
        f"Reproduce: `make smoke` (trains `configs/mlp.yaml` and `configs/cnn.yaml` with both "
        f"engines, then runs `python -m {package}.report`); `make seeds` adds the seed runs.",
    ]
    return "\n".join(parts)


def write_readme(readme: Path, block: str) -> None:
    """Replace what lies between the results markers (which must both be present)."""
    text = readme.read_text()
    if START not in text or END not in text:
        raise ValueError(f"{readme} lacks the markers {START} and {END}")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{block}\n{END}{tail}")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="runs", type=Path)
    parser.add_argument("--readme", default="README.md", type=Path)
    parser.add_argument("--figures", default="reports", type=Path)
    args = parser.parse_args(argv)
    runs = load_runs(args.runs)
    if not runs:
        raise SystemExit(f"no runs/*/metrics.json under {args.runs}: train first (make smoke)")
    figures = plot_figures(runs, args.figures)
    block = render(runs, figures, args.readme.resolve().parent)
    write_readme(args.readme, block)
    print(block)
    return block


if __name__ == "__main__":
    main()
