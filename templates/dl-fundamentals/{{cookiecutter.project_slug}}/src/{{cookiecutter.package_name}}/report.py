"""Collect the runs into a results table and figures, and put them in README.md:

    python -m {{ cookiecutter.package_name }}.report [--runs runs] [--readme README.md]

The table sets the NumPy engine beside its PyTorch twin (validation and test accuracy,
macro-F1, training seconds, inference time), every row with the command that trained it;
runs of one experiment over several seeds are summarised as mean ± std. Figures go to
docs/figures/. The block between the README's results markers is replaced; everything else in
the README is left alone.
"""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Sequence
from pathlib import Path

from .core.errors import ProjectError, run_main
from .core.results import (
    FIGURES_DIR,
    Run,
    code,
    load_runs,
    markdown_table,
    mean_std,
    seed_groups,
    write_results,
)

MODEL_ORDER = {"mlp": 0, "cnn": 1, "attention": 2}
BASELINE_MODEL = "mlp"  # no spatial structure: what convolution and attention must beat


def model_of(run: Run) -> str:
    return str(run.config.get("model", {}).get("name", "?"))


def ordered_runs(runs_dir: str | Path) -> list[Run]:
    """Every trained run, MLP first, then CNN, then attention, then by name."""
    runs = load_runs(runs_dir)
    return sorted(runs, key=lambda run: (MODEL_ORDER.get(model_of(run), 9), run.name))


def engines(run: Run) -> list[tuple[dict, dict | None]]:
    """(validation, test) metrics of each engine the run trained: NumPy, then PyTorch."""
    test = run.test or {}
    pairs = [(run.metrics, run.test)]
    if run.metrics.get("torch"):
        pairs.append((run.metrics["torch"], test.get("torch")))
    return pairs


def _score(metrics: dict | None, key: str) -> str:
    return f"{metrics[key]:.4f}" if metrics and key in metrics else "n/a"


def results_table(runs: list[Run]) -> str:
    """One row per run and engine; the MLP rows are the baseline the CNN and attention rows
    are read against."""
    header = ["run", "model", "engine", "val accuracy", "test accuracy", "test macro-F1"]
    header += ["train time (s)", "inference (µs/image)", "parameters", "command"]
    rows, baseline = [], []
    for run in runs:
        for val, test in engines(run):
            if model_of(run) == BASELINE_MODEL:
                baseline.append(len(rows))
            rows.append(
                [
                    run.name,
                    model_of(run),
                    val["engine"],
                    _score(val, "accuracy"),
                    _score(test, "accuracy"),
                    _score(test, "macro_f1"),
                    f"{val['train_seconds']:.2f}",
                    f"{1000 * val['inference_ms_per_sample']:.1f}",
                    f"{val['parameters']:,}",
                    code(run.command),
                ]
            )
    return markdown_table(header, rows, align="lllrrrrrrl", baseline=baseline)


def seed_table(runs: list[Run]) -> str | None:
    """Mean ± std of test accuracy per engine over runs that differ only by their seed."""
    rows = []
    for label, members in seed_groups(runs):
        by_seed: dict[object, Run] = {}
        for run in members:
            if run.test:
                by_seed.setdefault(run.config.get("seed"), run)  # one run per seed
        if len(by_seed) < 2:
            continue
        chosen = [engines(run) for run in by_seed.values()]
        for index, (val, _) in enumerate(chosen[0]):
            values = [p[index][1]["accuracy"] for p in chosen if len(p) > index and p[index][1]]
            if len(values) > 1:
                model = model_of(next(iter(by_seed.values())))
                rows.append([label, model, val["engine"], len(values), mean_std(values, 4)])
    if not rows:
        return None
    header = ["runs", "model", "engine", "seeds", "test accuracy (mean ± std)"]
    return markdown_table(header, rows, align="lllrr")


def speed_lines(runs: list[Run]) -> list[str]:
    """Training time of the from-scratch engine relative to PyTorch, per run."""
    lines = []
    for run in runs:
        numpy, twin = run.metrics, run.metrics.get("torch")
        if twin and twin["train_seconds"] > 0:
            ratio = numpy["train_seconds"] / twin["train_seconds"]
            gap = abs(numpy["accuracy"] - twin["accuracy"])
            lines.append(
                f"- `{run.name}`: NumPy trained in {numpy['train_seconds']:.2f} s, "
                f"PyTorch ({twin.get('device', 'cpu')}) in {twin['train_seconds']:.2f} s "
                f"(time ratio {ratio:.1f}); validation accuracy gap {gap:.4f}."
            )
    return lines


def plot_figures(runs: list[Run], folder: Path) -> list[Path]:
    """learning_curves.png (validation accuracy per epoch, both engines, one panel per run)
    and confusion.png (the test confusion matrix of the NumPy CNN, else of the first
    evaluated run)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, len(runs), figsize=(3.6 * len(runs), 3.2), squeeze=False)
    for ax, run in zip(axes[0], runs, strict=True):
        for (result, _), style in zip(engines(run), ("-", "--"), strict=False):
            history = result["history"]
            ax.plot(history["epoch"], history["val_accuracy"], style, label=result["engine"])
        ax.set(title=run.name, xlabel="epoch", ylabel="validation accuracy")
        ax.set_ylim(top=1.0)
        ax.legend(fontsize=7)
    fig.tight_layout()
    figures = [folder / "learning_curves.png"]
    fig.savefig(figures[0], dpi=110)
    plt.close(fig)

    evaluated = [run for run in runs if run.test and "confusion" in run.test]
    chosen = next((run for run in evaluated if model_of(run) == "cnn"), None)
    chosen = chosen or (evaluated[0] if evaluated else None)
    if chosen is not None:
        confusion = chosen.test["confusion"]
        fig, ax = plt.subplots(figsize=(4.2, 3.8))
        ax.imshow(confusion, cmap="Blues")
        for true, row in enumerate(confusion):
            for predicted, count in enumerate(row):
                if count:
                    ax.text(predicted, true, count, ha="center", va="center", fontsize=7)
        ax.set(
            title=f"{chosen.name} (NumPy): test confusion",
            xlabel="predicted",
            ylabel="true",
            xticks=range(10),
            yticks=range(10),
        )
        fig.tight_layout()
        figures.append(folder / "confusion.png")
        fig.savefig(figures[-1], dpi=110)
        plt.close(fig)
    return figures


def render(runs: list[Run], figures: list[Path], project: Path) -> str:
    """The Markdown that goes between the README's markers."""
    parts = [
        "Validation: 180 digits by default (the learning curves; the model of the last epoch "
        "is kept). Test: 360 held-out digits, scored once by "
        f"`python -m {__package__}.evaluate --run runs/NAME` (the same splits for every run).",
        "",
        results_table(runs),
        "",
    ]
    seeds = seed_table(runs)
    if seeds:
        parts += ["Over seeds (same splits, different initialisation and batch order):", ""]
        parts += [seeds, ""]
    parts += speed_lines(runs)
    parts += [""] + [
        f"![{path.stem}]({Path(os.path.relpath(path, project)).as_posix()})" for path in figures
    ]
    parts += [
        "",
        f"Timings on {platform.machine()} ({os.cpu_count()} CPU cores), one BLAS/PyTorch thread.",
        "Reproduce: `make smoke` (trains `configs/mlp.yaml` and `configs/cnn.yaml` with both "
        f"engines, evaluates both, then runs `python -m {__package__}.report`); `make seeds` "
        "adds the seed runs.",
    ]
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.report",
        description="Write the results table and figures of runs/ into README.md.",
    )
    parser.add_argument("--runs", default="runs", type=Path)
    parser.add_argument("--readme", default="README.md", type=Path)
    args = parser.parse_args(argv)
    runs = ordered_runs(args.runs)
    if not runs:
        raise ProjectError(f"no runs/*/metrics.json under {args.runs}: train first (make smoke)")
    project = args.readme.resolve().parent
    figures = plot_figures(runs, project / FIGURES_DIR)
    block = render(runs, figures, project)
    write_results(args.readme, block, runs)
    print(block)
    return block


if __name__ == "__main__":
    run_main(main)
