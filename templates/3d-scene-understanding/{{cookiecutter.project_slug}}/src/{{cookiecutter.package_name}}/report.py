"""Write the results of every evaluated run into README.md, between the results markers:

    python -m {{ cookiecutter.package_name }}.report [--runs runs] [--command "make smoke"]

Reads every run folder with a test evaluation (``runs/*/test_metrics.json``, written by
``python -m {{ cookiecutter.package_name }}.evaluate``) and writes: a results table whose rows
carry the command that trained them, mean ± std over runs that differ only by their seed,
per-class and robustness tables, ONNX parity and latency when the run was exported, and the
figures (published to docs/figures/, as runs/ is not committed).
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import torch

from .core.errors import run_main
from .core.results import (
    Run,
    code,
    load_runs,
    markdown_table,
    mean_std,
    publish_figure,
    seed_groups,
    write_results,
)

SCORES = {"accuracy": "OA", "mean_class_accuracy": "mAcc", "miou": "mIoU"}


def evaluated_runs(runs_dir: str | Path) -> list[Run]:
    """The runs evaluated on their test split, sorted by name."""
    return [run for run in load_runs(runs_dir) if run.test is not None]


# The runs every other row is read against: the smoke runs, the compact PointNet classifier
# (configs/quick.yaml) and the segmentation baseline (configs/quick_seg.yaml).
BASELINE_RUNS = ("quick-cls", "quick-seg")


def results_table(runs: list[Run]) -> str:
    header = ["run", "task", "model", "data", "points", *SCORES.values()]
    header += ["parameters", "train (s)", "latency, batch 1 (ms)", "command"]
    rows = []
    for run in runs:
        test = run.test
        rows.append(
            [
                run.name,
                test.get("task", "?"),
                test.get("model", "?"),
                test.get("dataset", "?"),
                test.get("num_points", "?"),
                *(f"{test[key]:.3f}" for key in SCORES),
                f"{run.metrics.get('num_parameters', 0):,}",
                f"{run.metrics.get('train_seconds', float('nan')):.1f}",
                f"{test.get('latency', {}).get('batch_1_ms', float('nan')):.2f}",
                code(run.command),
            ]
        )
    baseline = [index for index, run in enumerate(runs) if run.name in BASELINE_RUNS]
    align = "llllr" + "r" * (len(SCORES) + 3) + "l"
    return markdown_table(header, rows, align=align, baseline=baseline)


def one_per_seed(members: list[Run]) -> list[Run]:
    """The first run of each seed (a repeat of one seed says nothing about the spread)."""
    seen: dict[object, Run] = {}
    for run in members:
        seen.setdefault(run.config.get("seed"), run)
    return list(seen.values())


def seed_table(runs: list[Run]) -> str | None:
    """Mean ± sample standard deviation over runs that differ only by their seed."""
    rows = []
    for label, members in seed_groups(runs):
        members = one_per_seed(members)
        if len(members) > 1:
            seeds = ", ".join(str(run.config.get("seed")) for run in members)
            scores = [mean_std([run.test[key] for run in members]) for key in SCORES]
            rows.append([label, seeds, *scores])
    if not rows:
        return None
    return markdown_table(["runs", "seeds", *SCORES.values()], rows, align="ll" + "r" * len(SCORES))


def run_details(run: Run, project: Path) -> list[str]:
    """Per-class, robustness, ONNX tables and figures of one run, in a collapsible block."""
    lines = [
        "",
        f"<details><summary><b>{run.name}</b>: per class, robustness, deployment, figures"
        "</summary>",
        "",
    ]
    # Each table carries the command that made it (newproject check, RES004).
    evaluated = f"`python -m {__package__}.evaluate --run {run.dir.as_posix()}`"
    for title, name in (("Per class", "test_per_class.md"), ("Robustness", "test_robustness.md")):
        table = run.dir / name
        if table.exists():
            text = table.read_text(encoding="utf-8").strip()
            lines += [f"{title} (test split; {evaluated}):", "", text, ""]
    export = run.dir / "export.md"
    if export.exists() and (run.dir / "export.json").exists():
        command = f"python -m {__package__}.export --run {run.dir.as_posix()}"
        lines += [f"ONNX export (`{command}`):", "", export.read_text(encoding="utf-8").strip(), ""]
    for key, relative in run.test.get("figures", {}).items():
        source = run.dir / relative
        if source.exists():
            link = publish_figure(source, f"{run.name}-{source.name}", project)
            lines += [f"![{run.name} {key.replace('_', ' ')}]({link})", ""]
    lines.append("</details>")
    return lines


def render(runs: list[Run], command: str | None, project: Path) -> str:
    if not runs:
        return "No evaluated runs yet: run `make smoke`."
    devices = {run.test.get("latency", {}).get("device") for run in runs}
    intro = f"Reproduce every row with `{command}`, or each with its command. " if command else ""
    lines = [
        f"{intro}Made on {platform.machine()} {'GPU' if 'cuda' in devices else 'CPU'} "
        f"({platform.system()}), Python {platform.python_version()}, PyTorch "
        f"{torch.__version__}. Scores on the held-out test split of each run "
        f"(`python -m {__package__}.evaluate --run runs/NAME`); OA = overall accuracy, "
        "mAcc = mean class accuracy, mIoU = mean intersection over union. Latency on one CPU "
        "thread (or the GPU).",
        "",
        results_table(runs),
    ]
    seeds = seed_table(runs)
    if seeds:
        lines += ["", "Over seeds (mean ± sample standard deviation):", "", seeds]
    for _, members in seed_groups(runs):
        lines += run_details(members[0], project)  # one set of details per experiment
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.report",
        description="Write the results of every evaluated run into README.md.",
    )
    parser.add_argument("--runs", default="runs", help="folder holding the run folders")
    parser.add_argument("--readme", default="README.md")
    parser.add_argument("--command", help="one command that reproduces every row (to cite)")
    args = parser.parse_args(argv)
    readme = Path(args.readme)
    runs = evaluated_runs(args.runs)
    body = render(runs, args.command, readme.parent)
    write_results(readme, body, runs)
    for run in runs:
        scores = ", ".join(f"{label} {run.test[key]:.3f}" for key, label in SCORES.items())
        print(f"{run.name}: {scores}")
    print(f"wrote the results of {len(runs)} run(s) into {readme}")
    return body


if __name__ == "__main__":
    run_main(main)
