"""Write the results of every evaluated run into README.md, between the results markers:

    python -m {{ cookiecutter.package_name }}.report [--runs runs] [--command "make smoke"]

Reads every run folder with a test evaluation (``runs/*/test_metrics.json``) and writes: the
KITTI table of each detection run (BEV / 3D AP and AOS, R40 and R11, per difficulty), the
per-class IoU of each segmentation run, mean ± std over runs that differ only by their seed,
distance and robustness tables, latency, ONNX parity when exported, and the figures
(published to docs/figures/, as runs/ is not committed).
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

DETECTION_SCORES = {
    "car_bev_ap_r40_moderate": "Car BEV AP",
    "car_3d_ap_r40_moderate": "Car 3D AP",
    "pedestrian_bev_ap_r40_moderate": "Ped. BEV AP",
    "cyclist_bev_ap_r40_moderate": "Cyc. BEV AP",
}
SEGMENTATION_SCORES = {"point_miou": "mIoU (points)", "miou": "mIoU (pixels)", "accuracy": "OA"}
DIFFICULTIES = ("easy", "moderate", "hard")
# The smoke runs (and their seed repeats) are the baselines every other run is read against.
BASELINE_RUNS = ("quick-det", "quick-seg")


def evaluated_runs(runs_dir: str | Path) -> list[Run]:
    return [run for run in load_runs(runs_dir) if run.test is not None]


def is_detection(run: Run) -> bool:
    return run.config.get("task", "detection") == "detection"


def fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def overview_table(runs: list[Run], scores: dict) -> str:
    header = ["run", "model", *scores.values(), "parameters", "train (s)", "command"]
    rows = [
        [
            run.name,
            str(run.config.get("model", {}).get("name", "?")),
            *(fmt(run.test.get(key)) for key in scores),
            f"{run.metrics.get('num_parameters', 0):,}",
            f"{run.metrics.get('train_seconds', float('nan')):.1f}",
            code(run.command),
        ]
        for run in runs
    ]
    baseline = [i for i, run in enumerate(runs) if run.name.split("-seed")[0] in BASELINE_RUNS]
    align = "ll" + "r" * (len(scores) + 2) + "l"
    return markdown_table(header, rows, align=align, baseline=baseline)


def kitti_table(test: dict) -> str:
    """Rows class x metric x overlap, columns R40 and R11 per difficulty."""
    header = ["class", "IoU", "metric"]
    header += [f"{recall} {d}" for recall in ("R40", "R11") for d in DIFFICULTIES]
    rows = []
    for name, by_overlap in (test.get("kitti") or {}).items():
        for overlap, by_metric in by_overlap.items():
            for metric in ("bev", "3d", "bbox", "aos"):
                if metric not in by_metric:
                    continue
                values = by_metric[metric]
                rows.append(
                    [name, overlap, metric.upper() if metric != "aos" else "AOS"]
                    + [fmt(values.get(r, {}).get(d)) for r in ("R40", "R11") for d in DIFFICULTIES]
                )
    return markdown_table(header, rows, align="lll" + "r" * 6)


def keyed_table(title: str, table: dict, label: str) -> str:
    """A table of dict[row] -> dict[column] -> float."""
    columns = sorted({key for row in table.values() for key in row})
    rows = [[name, *(fmt(row.get(c)) for c in columns)] for name, row in table.items()]
    return markdown_table([label, *columns], rows, align="l" + "r" * len(columns))


def seed_table(runs: list[Run], scores: dict) -> str | None:
    rows = []
    for label, members in seed_groups(runs):
        seen: dict = {}
        for run in members:
            seen.setdefault(run.config.get("seed"), run)
        members = list(seen.values())
        if len(members) > 1:
            seeds = ", ".join(str(run.config.get("seed")) for run in members)
            cells = [
                mean_std([run.test[key] for run in members])
                if all(run.test.get(key) is not None for run in members)
                else "n/a"
                for key in scores
            ]
            rows.append([label, seeds, *cells])
    if not rows:
        return None
    return markdown_table(["runs", "seeds", *scores.values()], rows, align="ll" + "r" * len(scores))


def details(run: Run, project: Path) -> list[str]:
    test = run.test
    evaluated = f"`python -m {__package__}.evaluate --run {run.dir.as_posix()}`"
    lines = ["", f"<details><summary><b>{run.name}</b>: full tables, figures</summary>", ""]
    sections = []  # (title, table) in the order they are shown
    if is_detection(run):
        sections.append((f"KITTI protocol, test split ({evaluated}):", kitti_table(test)))
        if test.get("center_distance"):
            table = {
                name: {f"{k} m" if k != "mean" else k: v for k, v in row.items()}
                for name, row in test["center_distance"].items()
                if isinstance(row, dict)
            }
            sections.append(("nuScenes-style centre-distance AP:", keyed_table("", table, "class")))
    else:
        ious = {name: {"IoU": v} for name, v in (test.get("point_iou_per_class") or {}).items()}
        if ious:
            title = f"Per-class IoU on every point ({evaluated}):"
            sections.append((title, keyed_table("", ious, "class")))
    if test.get("by_distance"):
        table = keyed_table("", test["by_distance"], "range (m)")
        sections.append(("By distance (R40 moderate):", table))
    if test.get("point_by_distance"):
        table = {k: {"mIoU": v} for k, v in test["point_by_distance"].items()}
        sections.append(("By distance:", keyed_table("", table, "range (m)")))
    if test.get("robustness"):
        table = keyed_table("", test["robustness"], "scans")
        sections.append(("Robustness (the same model on corrupted test scans):", table))
    if test.get("latency_ms"):
        table = {stage: {"ms per scan": ms} for stage, ms in test["latency_ms"].items()}
        sections.append(("Latency, batch 1, one CPU thread:", keyed_table("", table, "stage")))
    for title, table in sections:
        lines += [title, "", table, ""]
    export = run.dir / "export.md"
    if export.exists():
        command = f"python -m {__package__}.export --run {run.dir.as_posix()}"
        lines += [f"ONNX export (`{command}`):", "", export.read_text(encoding="utf-8").strip(), ""]
    for key, relative in (test.get("figures") or {}).items():
        source = run.dir / relative
        if source.exists():
            link = publish_figure(source, f"{run.name}-{source.name}", project)
            lines += [f"![{run.name} {key.replace('_', ' ')}]({link})", ""]
    lines.append("</details>")
    return lines


def render(runs: list[Run], command: str | None, project: Path) -> str:
    if not runs:
        return "No evaluated runs yet: run `make smoke`."
    intro = f"Reproduce every row with `{command}`, or each with its command. " if command else ""
    lines = [
        f"{intro}Made on {platform.machine()} CPU ({platform.system()}), Python "
        f"{platform.python_version()}, PyTorch {torch.__version__}. Held-out test scans of "
        "each run. AP: KITTI's protocol, 40 recall positions, moderate difficulty, IoU 0.7 for "
        "cars and 0.5 for pedestrians and cyclists.",
    ]
    detection = [run for run in runs if is_detection(run)]
    segmentation = [run for run in runs if not is_detection(run)]
    for title, members, scores in (
        ("Detection", detection, DETECTION_SCORES),
        ("Segmentation", segmentation, SEGMENTATION_SCORES),
    ):
        if not members:
            continue
        lines += ["", f"**{title}**", "", overview_table(members, scores)]
        seeds = seed_table(members, scores)
        if seeds:
            lines += ["", "Over seeds (mean ± sample standard deviation):", "", seeds]
        for _, group in seed_groups(members):
            lines += details(group[0], project)
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
        scores = DETECTION_SCORES if is_detection(run) else SEGMENTATION_SCORES
        print(
            f"{run.name}: "
            + ", ".join(f"{label} {fmt(run.test.get(k))}" for k, label in scores.items())
        )
    print(f"wrote the results of {len(runs)} run(s) into {readme}")
    return body


if __name__ == "__main__":
    run_main(main)
