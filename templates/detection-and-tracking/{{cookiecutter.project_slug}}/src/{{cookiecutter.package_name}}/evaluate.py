"""Evaluate a trained run: ``python -m PACKAGE.evaluate --run runs/quick [--split test]
[--detections detector|public]``.

The shared entry point (``engine/evaluation.py``) rebuilds the run, scores the split with the
task's summable statistics and writes ``runs/NAME/<split>_metrics.json``; this module adds the
benchmarks' own numbers and everything the report shows, computed on the same split:

* detection: COCO metrics through faster-coco-eval on the split's ground truth and the
  detector's results, both written in COCO's formats (``<split>/coco_gt.json``,
  ``<split>/coco_results.json``): ``coco_map`` (0.50:0.95), ``coco_ap50`` and the rest;
* tracking: the configured tracker (``tracker:``) and every ablation variant
  (``ablation.variants``) on the detector's own detections, or on the dataset's public ones
  (MOTChallenge ``det/det.txt``) with ``evaluate.detections: public`` or ``--detections
  public``, scored by TrackEval: ``hota``, ``deta``, ``assa``, ``mota``, ``idf1``, ``idsw``;
  the tracks are written as MOTChallenge results beside MOTChallenge ground truth
  (``<split>/mot/``, see ``write_mot_ground_truth``);
* error analysis (false positives by kind, misses by occlusion, ID switches by cause);
* latency per frame of the detector (forward, decoding) and of each tracker;
* figures in ``runs/NAME/figures/``: precision-recall curves, frames with tracks, a GIF.
"""

from __future__ import annotations

import argparse
import copy
import functools
import os
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from .core.errors import run_main
from .data import coco as coco_files
from .data import mot as mot_files
from .detection.decode import decode, select
from .engine.evaluation import evaluate_main
from .engine.latency import time_calls
from .evaluation.coco_eval import coco_metrics
from .evaluation.errors import detection_errors, tracking_errors
from .evaluation.figures import frames_figure, pr_figure, tracks_gif
from .evaluation.tracking_eval import evaluate_tracking
from .pipeline import (
    DETECTION_SOURCES,
    check_public_detections,
    detect_video,
    detection_source,
    ground_truth,
    public_detections,
    track_video,
    variant_config,
)
from .tasks import as_float, build_task

MAIN = "tracker"  # the name of the configured tracker among the variants


def tracker_variants(cfg: dict) -> dict[str, dict]:
    """The configured tracker and each ablation variant (its options over the tracker's)."""
    base = copy.deepcopy(cfg.get("tracker") or {"name": "sort"})
    variants = {MAIN: base}
    for name, overrides in ((cfg.get("ablation") or {}).get("variants") or {}).items():
        variants[str(name)] = variant_config(base, overrides)
    return variants


# The sections that only say how to score a trained detector: `ablate` may replace them.
SCORING_SECTIONS = ("tracker", "ablation", "evaluate")


def extras(
    run, split: str, metrics: dict, scoring: dict | None = None, detections: str | None = None
) -> dict:
    """What this project adds to <split>_metrics.json (see the module docstring). `scoring`
    replaces the run's tracker / ablation / evaluate sections (default: the run's own);
    `detections` ("detector" or "public"), when given, replaces evaluate.detections."""
    task, model = run.task, run.model
    cfg = {**run.cfg, **{k: v for k, v in (scoring or {}).items() if k in SCORING_SECTIONS}}
    if detections is not None:
        cfg["evaluate"] = {**(cfg.get("evaluate") or {}), "detections": detections}
    device = next(model.parameters()).device
    settings = cfg.get("evaluate") or {}
    threads = int(settings.get("threads", 1))
    saved_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _extras(run, split, cfg, task, model, device, settings, threads)
    finally:
        torch.set_num_threads(saved_threads)


def _extras(run, split, cfg, task, model, device, settings, threads) -> dict:
    folder = Path(run.run_dir) / split
    figures = Path(run.run_dir) / "figures"
    video = task.load_video(cfg, split)
    batch_size = int(cfg.get("eval_batch_size") or cfg["batch_size"])
    source = detection_source(settings.get("detections"))
    if source == "public":
        check_public_detections(video)  # before the detector runs: fail fast

    # Detection, scored by the COCO tools on COCO files.
    start = time.perf_counter()
    detections = detect_video(task, model, video, batch_size, device)
    detect_seconds = time.perf_counter() - start
    gt_path = coco_files.write_coco(
        coco_files.video_to_coco(video, task.min_visibility), folder / "coco_gt.json"
    )
    results = []
    sequence_of = video.frame_sequence()
    for frame, found in enumerate(detections):
        sequence = video.sequences[sequence_of[frame]]
        boxes = sequence.to_original(found.boxes)
        image = coco_files.image_id(video, frame)
        results += [
            coco_files.results_entry(image, int(label) + 1, box, score)
            for box, score, label in zip(boxes, found.scores, found.labels, strict=True)
        ]
    results_path = coco_files.write_coco_results(results, folder / "coco_results.json")
    coco = coco_metrics(gt_path, results_path, task.class_names)

    # Tracking: the configured tracker and every ablation variant, scored by TrackEval, on
    # the detector's detections or on the dataset's public ones.
    tracked = (
        detections if source == "detector" else public_detections(video, model, batch_size, device)
    )
    gt = ground_truth(video, task.min_visibility)
    write_mot_ground_truth(video, task.min_visibility, folder / "mot")
    variants, timings, main_tables, done = {}, {}, None, []
    for name, tracker_cfg in tracker_variants(cfg).items():
        same = next((earlier for earlier in done if earlier[1] == tracker_cfg), None)
        if same is not None:  # a variant equal to one already run (often the main tracker)
            variants[name], timings[name] = variants[same[0]], timings[same[0]]
            write_mot_results(video, same[2], folder / "mot", name)  # its files all the same
            continue
        tables, seconds = track_video(video, tracked, tracker_cfg)
        done.append((name, tracker_cfg, tables))
        sequences = [
            (s.name, s.length, g, t) for s, g, t in zip(video.sequences, gt, tables, strict=True)
        ]
        scores = evaluate_tracking(sequences, task.class_names)
        variants[name] = {**scores["all"], "per_class": scores["per_class"], "config": tracker_cfg}
        timings[name] = 1000 * statistics.median(seconds) if seconds else float("nan")
        write_mot_results(video, tables, folder / "mot", name)
        if name == MAIN:
            main_tables = tables
            idsw_causes = tracking_errors(sequences, task.class_names)
    main = variants[MAIN]

    errors = detection_errors(
        video, detections, task.min_visibility, float(main["config"].get("high_score", 0.5))
    )
    errors["id_switches"] = idsw_causes

    latency = measure_latency(
        task, model, video, device, timings, float(settings.get("latency_budget_s", 0.5))
    )
    latency["threads"] = threads

    figure_files = {}
    if settings.get("figures", True) and len(video.sequences):
        show = int(settings.get("sequence", 0)) % len(video.sequences)
        if coco["pr"]:
            figure_files["pr_curve"] = pr_figure(coco["pr"], figures / "pr_curve.png").name
        figure_files["frames"] = frames_figure(
            video, show, main_tables[show], figures / "frames.png"
        ).name
        figure_files["tracks_gif"] = tracks_gif(
            video,
            show,
            main_tables[show],
            figures / "tracks.gif",
            max_frames=int(settings.get("gif_frames", 24)),
            fps=float(video.sequences[show].fps or 8),
        ).name

    return {
        "coco_map": coco["map"],
        "coco_ap50": coco["ap50"],
        "coco_ap75": coco["ap75"],
        "coco": coco,
        "hota": main["hota"],
        "deta": main["deta"],
        "assa": main["assa"],
        "mota": main["mota"],
        "idf1": main["idf1"],
        "idsw": main["idsw"],
        "tracking": main,
        "tracked_detections": source,
        "tracking_variants": variants,
        "errors": errors,
        "latency": latency,
        "frames": len(video.frames),
        "sequences": len(video.sequences),
        "objects": int((video.annotations.visibility >= task.min_visibility).sum()),
        "detect_seconds": round(detect_seconds, 3),
        "figures": figure_files,
    }


@torch.no_grad()
def measure_latency(task, model, video, device, tracker_ms: dict, budget_s: float) -> dict:
    """Median per-frame times (ms): detector forward at batch 1, decoding + NMS, each tracker."""
    model.eval()
    frame = torch.from_numpy(np.ascontiguousarray(video.frames[:1].transpose(0, 3, 1, 2)))
    frame = as_float(frame.to(device))
    forward = time_calls(lambda: model(frame), device, budget_s=budget_s)
    outputs = model(frame)

    def decode_and_select():
        found = decode(outputs, int(model.stride), task.image_size, task.max_detections)
        return select(found, 0, task.score_threshold, task.nms_iou)

    decoding = time_calls(decode_and_select, device, budget_s=budget_s)
    detector_ms = 1000 * statistics.median(forward)
    decode_ms = 1000 * statistics.median(decoding)
    pipeline_ms = detector_ms + decode_ms + tracker_ms.get(MAIN, 0.0)
    return {
        "device": str(device),
        "detector_forward_ms": detector_ms,
        "decode_nms_ms": decode_ms,
        "tracker_ms": tracker_ms,
        "pipeline_ms": pipeline_ms,
        "pipeline_fps": 1000.0 / max(pipeline_ms, 1e-9),
        "image_size": list(task.image_size),
    }


DISTRACTOR = 8  # MOTChallenge's class of people who are there but not to be scored
# Where TrackEval's MOTChallenge evaluation looks for the list of sequences when given none
# (GT_FOLDER/seqmaps/<BENCHMARK>-<SPLIT_TO_EVAL>.txt, defaults MOT17 and train); its script's
# --SEQMAP_FILE flag passes a list where a path is wanted, so this is the location that works.
SEQMAP = Path("seqmaps") / "MOT17-train.txt"


def class_folder(name: str) -> str:
    """A class name as a folder name."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name)) or "_"


def write_mot_ground_truth(video, min_visibility: float, folder: Path) -> None:
    """The split's ground truth in MOTChallenge layout under `folder` (``<split>/mot``), in
    original pixels:

    * ``gt/<sequence>/{seqinfo.ini, gt/gt.txt}``: every class, the class column the label + 1
      (the order of data.classes), objects less visible than min_visibility as distractors
      (class 8), and the sequence list ``gt/seqmaps/MOT17-train.txt`` (``SEQMAP``);
    * ``by_class/<class>/gt/...``: the same, one class at a time, its objects as class 1 and
      its too-hidden ones as class 8. TrackEval's MOTChallenge evaluation scores class 1 only
      (as "pedestrian", treating classes 2, 7, 8 and 12 as distractors) and a results file has
      no class column, so these folders, with ``write_mot_results``' own, are what its scripts
      score per class: the per-class numbers of <split>_metrics.json, exactly.
    """
    folder = Path(folder)
    ann = video.annotations
    targets = [(folder / "gt", None)] + [
        (folder / "by_class" / class_folder(name) / "gt", label)
        for label, name in enumerate(video.class_names)
    ]
    for target, _ in targets:
        (target / SEQMAP).parent.mkdir(parents=True, exist_ok=True)
        (target / SEQMAP).write_text(
            "name\n" + "".join(f"{s.name}\n" for s in video.sequences), encoding="utf-8"
        )
    for sequence in video.sequences:
        rows = (ann.frame >= sequence.start) & (ann.frame < sequence.start + sequence.length)
        for target, label in targets:
            mine = rows if label is None else rows & (ann.label == label)
            mot_files.write_seqinfo(
                target / sequence.name / "seqinfo.ini", sequence.name, sequence.length,
                int(sequence.width or video.image_size[0]),
                int(sequence.height or video.image_size[1]), float(sequence.fps or 10.0),
            )  # fmt: skip
            visibility = ann.visibility[mine]
            classes = ann.label[mine] + 1 if label is None else np.ones(int(mine.sum()), np.int64)
            mot_files.write_gt(
                ann.frame[mine] - sequence.start + 1,
                ann.track_id[mine],
                sequence.to_original(ann.boxes[mine]),
                np.where(visibility < min_visibility, DISTRACTOR, classes),
                visibility,
                np.ones(int(mine.sum()), dtype=np.int64),
                target / sequence.name / "gt" / "gt.txt",
            )


def write_mot_results(video, tables, folder: Path, tracker: str) -> None:
    """A tracker's results, one MOTChallenge txt per sequence: every class in
    ``trackers/<tracker>/data/``, and one class at a time in
    ``by_class/<class>/trackers/<tracker>/data/`` (see ``write_mot_ground_truth``)."""
    folder = Path(folder)
    for sequence, table in zip(video.sequences, tables, strict=True):
        targets = [(folder / "trackers", None)] + [
            (folder / "by_class" / class_folder(name) / "trackers", label)
            for label, name in enumerate(video.class_names)
        ]
        for target, label in targets:
            mine = np.ones(len(table), bool) if label is None else table.label == label
            mot_files.write_results(
                table.frame[mine] + 1,
                table.track_id[mine],
                sequence.to_original(table.boxes[mine]),
                table.score[mine],
                target / tracker / "data" / f"{sequence.name}.txt",
            )


def main(argv=None):
    # Small models on a CPU: a few threads at most (on a 2-core machine, one) beat them all.
    torch.set_num_threads(max(1, min(4, (os.cpu_count() or 1) // 2)))
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--detections",
        choices=DETECTION_SOURCES,
        help="what the trackers track: the detector's detections or the dataset's public ones "
        "(MOTChallenge det/det.txt); default: evaluate.detections of the run's config",
    )
    chosen, _ = options.parse_known_args(argv)
    scored = functools.partial(extras, detections=chosen.detections)
    return evaluate_main(build_task, argv, extras=scored, parents=[options])


if __name__ == "__main__":
    run_main(main)
