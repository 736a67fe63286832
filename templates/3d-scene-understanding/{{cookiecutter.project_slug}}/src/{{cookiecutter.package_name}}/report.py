"""Write the latest results into README.md, between the results markers.

    python -m PACKAGE.report [--runs runs] [--readme README.md] [--command "make smoke"]

Reads every evaluated run (``runs/*/metrics.json``), and writes: a results table, mean ± std
over runs that differ only by seed (run names ending in ``-seedN``), per-class and
robustness tables, ONNX parity and latency when the run was exported, and the figures (copied
to ``docs/results/`` so that they survive ``make clean`` and show on GitHub). The command
that produced the numbers is written next to them.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import re
import shutil
import statistics
import time
from pathlib import Path

import torch

START, END = "<!-- results:start -->", "<!-- results:end -->"
SEED_SUFFIX = re.compile(r"-seed\d+$")
SCORES = ("overall_accuracy", "mean_class_accuracy", "miou")


def load_runs(runs_dir: Path) -> list[dict]:
    """metrics.json of every evaluated run, with its folder name, sorted by name."""
    runs = []
    for path in sorted(runs_dir.glob("*/metrics.json")):
        metrics = json.loads(path.read_text(encoding="utf-8"))
        if "evaluated_split" in metrics:
            runs.append({"name": path.parent.name, "dir": path.parent, **metrics})
    return runs


def results_table(runs: list[dict]) -> list[str]:
    lines = [
        "| run | task | model | data | points | OA | mAcc | mIoU | parameters | train (s) "
        "| latency, batch 1 (ms) |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run['name']} | {run['task']} | {run['model']} | {run['dataset']} | "
            f"{run['num_points']} | {run['overall_accuracy']:.3f} | "
            f"{run['mean_class_accuracy']:.3f} | {run['miou']:.3f} | "
            f"{run.get('num_parameters', 0):,} | {run.get('train_seconds', float('nan')):.1f} | "
            f"{run['latency']['batch_1_ms']:.2f} |"
        )
    return lines


def seed_table(runs: list[dict]) -> list[str]:
    """Mean ± standard deviation over runs whose names differ only by their -seedN suffix."""
    groups: dict[str, list[dict]] = {}
    for run in runs:
        if SEED_SUFFIX.search(run["name"]):
            groups.setdefault(SEED_SUFFIX.sub("", run["name"]), []).append(run)
    groups = {name: members for name, members in groups.items() if len(members) > 1}
    if not groups:
        return []
    lines = [
        "",
        "Over seeds (mean ± standard deviation):",
        "",
        "| runs | seeds | OA | mAcc | mIoU |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, members in groups.items():
        cells = []
        for key in SCORES:
            values = [m[key] for m in members]
            spread = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.append(f"{statistics.mean(values):.3f} ± {spread:.3f}")
        lines.append(f"| {name}-seed* | {len(members)} | {' | '.join(cells)} |")
    return lines


def run_details(run: dict, figures_dir: Path, readme_dir: Path) -> list[str]:
    """Per-class, robustness, ONNX tables and figures of one run, in a collapsible block."""
    lines = [
        "",
        f"<details><summary><b>{run['name']}</b>: per class, robustness, "
        "deployment, figures</summary>",
        "",
    ]
    for title, name in (("Per class", "per_class.md"), ("Robustness", "robustness.md")):
        table = run["dir"] / name
        if table.exists():
            lines += [
                f"{title} ({run['evaluated_split']} split):",
                "",
                table.read_text(encoding="utf-8").strip(),
                "",
            ]
    export = run["dir"] / "export.md"
    if export.exists() and "onnx" in run:
        lines += [
            "ONNX export (`make export`):",
            "",
            export.read_text(encoding="utf-8").strip(),
            "",
        ]
    target = figures_dir / run["name"]
    for key, relative in run.get("figures", {}).items():
        source = run["dir"] / relative
        if source.exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / source.name)
            link = (target / source.name).relative_to(readme_dir).as_posix()
            lines += [f"![{run['name']} {key.replace('_', ' ')}]({link})", ""]
    lines.append("</details>")
    return lines


def render(runs: list[dict], command: str, figures_dir: Path, readme_dir: Path) -> str:
    if not runs:
        return "No evaluated runs yet: run `make smoke`."
    device = "GPU" if any(r["latency"]["device"] == "cuda" for r in runs) else "CPU"
    lines = [
        f"Reproduce with `{command}`; generated {time.strftime('%Y-%m-%d %H:%M')} on "
        f"{platform.machine()} {device} ({platform.system()}), Python "
        f"{platform.python_version()}, PyTorch {torch.__version__}. Scores on the held-out "
        "split of each run; OA = overall accuracy, mAcc = mean class accuracy, mIoU = mean "
        "intersection over union.",
        "",
        *results_table(runs),
        *seed_table(runs),
    ]
    for run in runs:
        if SEED_SUFFIX.search(run["name"]) and not run["name"].endswith("-seed0"):
            continue  # one set of details per seed group is enough
        lines += run_details(run, figures_dir, readme_dir)
    lines += [
        "",
        "Commands behind each run: "
        + "; ".join(f"`{r['evaluate_command']}`" for r in runs if "evaluate_command" in r),
    ]
    return "\n".join(lines)


def write_between_markers(readme: Path, body: str) -> None:
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{readme} lacks the markers {START} and {END}")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{body}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description="Write the latest results into README.md.")
    parser.add_argument("--runs", default="runs", help="folder holding the run folders")
    parser.add_argument("--readme", default="README.md")
    parser.add_argument("--figures", default="docs/results", help="where figures are copied")
    parser.add_argument("--command", default="make smoke", help="the command to cite")
    args = parser.parse_args(argv)
    readme = Path(args.readme)
    runs = load_runs(Path(args.runs))
    body = render(runs, args.command, Path(args.figures).resolve(), readme.resolve().parent)
    write_between_markers(readme, body)
    for run in runs:
        scores = ", ".join(f"{k} {run[k]:.3f}" for k in SCORES if not math.isnan(run[k]))
        print(f"{run['name']}: {scores}")
    print(f"wrote the results of {len(runs)} run(s) into {readme}")
    return body


if __name__ == "__main__":
    main()
