"""Write the results of the evaluated runs into README.md: ``python -m PACKAGE.report``.

Reads every run folder (``core/results.load_runs``) and writes, between the README's results
markers: the detection table (COCO metrics of every evaluated run), per-class scores,
tracking (every tracker variant on the main run's detections), the ablation over seeds (mean
± std, from ``make ablate``), error analysis, per-frame latency, the ONNX export check when
there is one, and the figures (copied into docs/figures/). Reads JSON only: no PyTorch import.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from .core.errors import ProjectError, run_main
from .core.results import (
    code,
    load_runs,
    markdown_table,
    mean_std,
    publish_figure,
    seed_groups,
    write_results,
)

VARIANT_LABELS = {
    "iou_only": "IoU only (no motion model)",
    "kalman": "+ Kalman (SORT)",
    "kalman_low_score": "+ low-score stage (ByteTrack)",
    "kalman_low_score_appearance": "+ appearance embedding",
    "tracker": "configured tracker",
}
# The row the other trackers are read against: association by IoU alone, no motion model.
BASELINE_TRACKER = "iou_only"
FP_LABELS = {
    "duplicate": "duplicate (object already found)",
    "localization": "localization (IoU 0.1-0.5)",
    "class": "wrong class",
    "background": "background (no object)",
}


def fmt(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and value == -1.0:
        return "n/a"  # COCO's "nothing to score here"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def variant_label(name: str) -> str:
    return VARIANT_LABELS.get(name, name)


def _index(names: list[str], wanted: str) -> int | None:
    return names.index(wanted) if wanted in names else None


def detection_table(runs, baseline: str | None = None) -> str:
    """COCO metrics of every evaluated run; the run named `baseline` is marked as such."""
    rows = []
    for run in runs:
        test = run.test
        coco = test["coco"]
        rows.append(
            [
                run.name,
                run.config.get("model", {}).get("name", "?"),
                f"{run.metrics.get('num_parameters', 0):,}",
                fmt(test["coco_map"]),
                fmt(test["coco_ap50"]),
                fmt(test["coco_ap75"]),
                fmt(coco.get("ap_small")),
                fmt(coco.get("ap_medium")),
                fmt(coco.get("ap_large")),
                fmt(coco.get("ar100")),
                fmt(run.metrics.get("train_seconds"), 0),
                code(run.command),
            ]
        )
    header = ["run", "model", "params", "mAP", "AP50", "AP75", "AP small", "AP medium",
              "AP large", "AR100", "train s", "command"]  # fmt: skip
    names = [run.name for run in runs]
    return markdown_table(header, rows, "llrrrrrrrrrl", baseline=_index(names, baseline))


def per_class_table(run) -> str:
    test = run.test
    rows = []
    for name, scores in test["coco"]["per_class"].items():
        tracking = test["tracking"]["per_class"].get(name, {})
        rows.append(
            [
                name,
                fmt(scores.get("ap")),
                fmt(scores.get("ap50")),
                fmt(scores.get("ap75")),
                fmt(tracking.get("hota")),
                fmt(tracking.get("idf1")),
                fmt(tracking.get("mota")),
                tracking.get("idsw", "n/a"),
            ]
        )
    header = ["class", "AP", "AP50", "AP75", "HOTA", "IDF1", "MOTA", "IDSW"]
    return markdown_table(header, rows, "lrrrrrrr")


def tracking_table(run) -> str:
    test = run.test
    latency = test.get("latency", {}).get("tracker_ms", {})
    rows = []
    for name, scores in test["tracking_variants"].items():
        rows.append(
            [
                variant_label(name),
                fmt(scores["hota"]),
                fmt(scores["deta"]),
                fmt(scores["assa"]),
                fmt(scores["mota"]),
                fmt(scores["idf1"]),
                scores["idsw"],
                fmt(latency.get(name), 2),
            ]
        )
    header = ["tracker", "HOTA", "DetA", "AssA", "MOTA", "IDF1", "IDSW", "ms / frame"]
    baseline = _index(list(test["tracking_variants"]), BASELINE_TRACKER)
    return markdown_table(header, rows, "lrrrrrrr", baseline=baseline)


def ablation_table(runs) -> tuple[str, list[str]] | None:
    """Mean ± std over seeds of each tracker variant, for the largest group of seed repeats."""
    best = None
    for label, members in seed_groups(
        [r for r in runs if r.test and "tracking_variants" in r.test]
    ):
        by_seed = {}
        for run in members:  # one run per seed (the smoke run and ablate-seed0 are repeats)
            by_seed.setdefault(run.config.get("seed"), run)
        if len(by_seed) >= 2 and (best is None or len(by_seed) > len(best[1])):
            best = (label, by_seed)
    if best is None:
        return None
    _, by_seed = best
    members = list(by_seed.values())
    names = list(members[0].test["tracking_variants"])
    rows = []
    for name in names:
        values = {
            key: [m.test["tracking_variants"][name][key] for m in members
                  if name in m.test["tracking_variants"]]
            for key in ("hota", "idf1", "mota", "idsw")
        }  # fmt: skip
        rows.append(
            [
                variant_label(name),
                mean_std(values["hota"]),
                mean_std(values["idf1"]),
                mean_std(values["mota"]),
                mean_std(values["idsw"], digits=1),
            ]
        )
    rows.append(
        [
            "detector mAP (COCO)",
            mean_std([m.test["coco_map"] for m in members]),
            "",
            "",
            "",
        ]
    )
    header = ["variant", "HOTA", "IDF1", "MOTA", "IDSW"]
    seeds = sorted(by_seed, key=lambda s: (s is None, s))
    table = markdown_table(header, rows, "lrrrr", baseline=_index(names, BASELINE_TRACKER))
    return table, [str(s) for s in seeds]


def error_tables(run) -> str:
    errors = run.test["errors"]
    fp = errors["false_positives"]
    total = max(1, errors["confident_detections"])
    fp_table = markdown_table(
        ["false positive", "count", "share of confident detections"],
        [[FP_LABELS.get(k, k), v, f"{v / total:.1%}"] for k, v in fp.items()],
        "lrr",
    )
    misses = markdown_table(
        ["occlusion", "objects", "missed", "miss rate"],
        [
            [row["occlusion"], row["objects"], row["missed"], fmt(row["miss_rate"])]
            for row in errors["misses_by_occlusion"]
        ],
        "lrrr",
    )
    switches = markdown_table(
        ["ID switch cause", "count"], [[k, v] for k, v in errors["id_switches"].items()], "lr"
    )
    return (
        f"Confident detections (score >= {errors['score_threshold']}): "
        f"{errors['confident_detections']}.\n\n{fp_table}\n\n{misses}\n\n{switches}"
    )


def latency_table(run) -> str:
    latency = run.test["latency"]
    tracker = latency["tracker_ms"]
    rows = [
        ["detector forward (batch 1)", fmt(latency["detector_forward_ms"], 2)],
        ["decoding + NMS", fmt(latency["decode_nms_ms"], 2)],
        *[[f"tracker: {variant_label(k)}", fmt(v, 2)] for k, v in tracker.items()],
        ["pipeline (detector + configured tracker)", fmt(latency["pipeline_ms"], 2)],
    ]
    size = "x".join(str(v) for v in latency.get("image_size", []))
    note = (
        f"Median per frame on {latency['device']} ({latency.get('threads', 1)} thread), "
        f"{size} frames: {latency['pipeline_fps']:.0f} frames/s end to end."
    )
    return note + "\n\n" + markdown_table(["stage", "ms / frame"], rows, "lr")


def export_section(run) -> str | None:
    path = Path(run.dir) / "export.json"
    if not path.exists():
        return None
    export = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        [
            r["batch_size"],
            fmt(r["torch_ms"], 2),
            fmt(r["onnxruntime_ms"], 2),
            f"{r['speedup']:.2f}x",
        ]
        for r in export["latency"]
    ]
    table = markdown_table(["batch", "PyTorch ms", "onnxruntime ms", "speed-up"], rows, "rrrr")
    return (
        f"`make export RUN={run.dir}`: {export['file']} ({export['file_mb']} MB, opset "
        f"{export['opset']}); largest head difference PyTorch vs onnxruntime "
        f"{export['max_abs_diff']:.1e}, same detections on {export['detection_agreement']:.1%} "
        f"of the test frames ({'ok' if export['parity_ok'] else 'FAILED'}).\n\n{table}"
    )


def build_report(runs, main, command: str, project: Path) -> str:
    # The per-run sections below are all written by one evaluation of `main`.
    evaluated = f"Reproduce: `python -m {__spec__.parent}.evaluate --run {main.dir}`."
    parts = [
        "### Detection (COCO metrics through faster-coco-eval, test split)",
        "",
        f"Reproduce: `{command}`. Each row: a run evaluated by "
        f"`python -m {__spec__.parent}.evaluate --run runs/NAME`.",
        "",
        detection_table(runs, baseline=main.name),
        "",
        f"### Per class (`{main.name}`)",
        "",
        evaluated,
        "",
        per_class_table(main),
        "",
        "### Tracking (TrackEval, on "
        + (
            "the public detections, det/det.txt)"
            if main.test.get("tracked_detections") == "public"
            else f"the detections of `{main.name}`)"
        ),
        "",
        evaluated,
        "",
        tracking_table(main),
    ]
    ablation = ablation_table(runs)
    if ablation is not None:
        table, seeds = ablation
        parts += [
            "",
            f"### Ablation over seeds {', '.join(seeds)} (mean ± std)",
            "",
            "Reproduce: `make ablate` (one detector per seed, every tracker variant on its "
            "detections).",
            "",
            table,
        ]
    parts += ["", f"### Error analysis (`{main.name}`)", "", evaluated, "", error_tables(main)]
    parts += ["", "### Latency", "", evaluated, "", latency_table(main)]
    export = export_section(main)
    if export is not None:
        parts += ["", "### ONNX export", "", export]
    figures = main.test.get("figures", {})
    shown = []
    for key, title in (("pr_curve", "precision-recall"), ("frames", "frames with tracks"),
                       ("tracks_gif", "a test sequence with tracks")):  # fmt: skip
        name = figures.get(key)
        if name and (Path(main.dir) / "figures" / name).exists():
            target = publish_figure(Path(main.dir) / "figures" / name, name, project)
            shown.append(f"![{title}]({target})")
    if shown:
        parts += ["", "### Figures", "", *(f"{s}\n" for s in shown)]
    return "\n".join(parts).strip() + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.parent}.report",
        description="Write the evaluated runs' results into README.md.",
    )
    parser.add_argument("--runs", default="runs", help="the runs folder")
    parser.add_argument("--run", default="runs/quick", help="the run the details are about")
    parser.add_argument("--readme", default="README.md")
    parser.add_argument("--command", default="make smoke", help="the command shown to reproduce")
    args = parser.parse_args(argv)
    if not Path(args.readme).is_file():
        raise ProjectError(f"{args.readme} not found: run the report from the project folder")
    runs = [run for run in load_runs(args.runs) if run.test and "coco_map" in run.test]
    if not runs:
        raise ProjectError(f"no evaluated runs in {args.runs}: run make smoke (or make evaluate)")
    wanted = Path(args.run).name
    main_run = next((run for run in runs if run.name == wanted), runs[0])
    project = Path(args.readme).resolve().parent
    body = build_report(runs, main_run, args.command, project)
    write_results(args.readme, body, runs)
    print(f"results of {len(runs)} run(s) written to {args.readme} (details: {main_run.name})")
    return body


if __name__ == "__main__":
    run_main(main)
