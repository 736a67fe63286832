"""Evaluate a trained run: ``python -m PACKAGE.evaluate --run runs/quick [--split test]``.

The shared entry point (``engine/evaluation.py``) rebuilds the run, scores the split with the
task's summable statistics and writes ``runs/NAME/<split>_metrics.json``; this module adds the
benchmarks' own numbers and everything the report shows, computed on the same split:

* detection: COCO metrics through faster-coco-eval on the split's ground truth and the
  detector's results, both written in COCO's formats (``<split>/coco_gt.json``,
  ``<split>/coco_results.json``): ``coco_map`` (0.50:0.95), ``coco_ap50`` and the rest;
* tracking: the configured tracker (``tracker:``) and every ablation variant
  (``ablation.variants``) on the detector's own detections, scored by TrackEval: ``hota``,
  ``deta``, ``assa``, ``mota``, ``idf1``, ``idsw``; the tracks are written as MOTChallenge
  results beside MOTChallenge ground truth (``<split>/mot/``), the layout TrackEval reads;
* error analysis (false positives by kind, misses by occlusion, ID switches by cause);
* latency per frame of the detector (forward, decoding) and of each tracker;
* figures in ``runs/NAME/figures/``: precision-recall curves, frames with tracks, a GIF.
"""

from __future__ import annotations

import copy
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
from .pipeline import detect_video, ground_truth, track_video, variant_config
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


def extras(run, split: str, metrics: dict, scoring: dict | None = None) -> dict:
    """What this project adds to <split>_metrics.json (see the module docstring). `scoring`
    replaces the run's tracker / ablation / evaluate sections (default: the run's own)."""
    task, model = run.task, run.model
    cfg = {**run.cfg, **{k: v for k, v in (scoring or {}).items() if k in SCORING_SECTIONS}}
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

    # Tracking: the configured tracker and every ablation variant, scored by TrackEval.
    gt = ground_truth(video, task.min_visibility)
    write_mot_ground_truth(video, task.min_visibility, folder / "mot" / "gt")
    variants, timings, main_tables, done = {}, {}, None, []
    for name, tracker_cfg in tracker_variants(cfg).items():
        same = next((other for other, config in done if config == tracker_cfg), None)
        if same is not None:  # a variant equal to one already run (often the main tracker)
            variants[name], timings[name] = variants[same], timings[same]
            continue
        done.append((name, tracker_cfg))
        tables, seconds = track_video(video, detections, tracker_cfg)
        sequences = [
            (s.name, s.length, g, t) for s, g, t in zip(video.sequences, gt, tables, strict=True)
        ]
        scores = evaluate_tracking(sequences, task.class_names)
        variants[name] = {**scores["all"], "per_class": scores["per_class"], "config": tracker_cfg}
        timings[name] = 1000 * statistics.median(seconds) if seconds else float("nan")
        write_mot_results(video, tables, folder / "mot" / "trackers" / name / "data")
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


def write_mot_ground_truth(video, min_visibility: float, folder: Path) -> None:
    """MOTChallenge ground truth of the split (seqinfo.ini, gt/gt.txt per sequence), in
    original pixels. The class column is the label + 1 (the order of data.classes); objects
    less visible than min_visibility are written as distractors (class 8), as MOTChallenge
    marks people who are not to be scored."""
    ann = video.annotations
    for sequence in video.sequences:
        rows = (ann.frame >= sequence.start) & (ann.frame < sequence.start + sequence.length)
        mot_files.write_seqinfo(
            folder / sequence.name / "seqinfo.ini", sequence.name, sequence.length,
            int(sequence.width or video.image_size[0]), int(sequence.height or video.image_size[1]),
            float(sequence.fps or 10.0),
        )  # fmt: skip
        visibility = ann.visibility[rows]
        mot_files.write_gt(
            ann.frame[rows] - sequence.start + 1,
            ann.track_id[rows],
            sequence.to_original(ann.boxes[rows]),
            np.where(visibility < min_visibility, 8, ann.label[rows] + 1),
            visibility,
            np.ones(int(rows.sum()), dtype=np.int64),
            folder / sequence.name / "gt" / "gt.txt",
        )


def write_mot_results(video, tables, folder: Path) -> None:
    """A tracker's results, one MOTChallenge txt per sequence."""
    for sequence, table in zip(video.sequences, tables, strict=True):
        mot_files.write_results(
            table.frame + 1,
            table.track_id,
            sequence.to_original(table.boxes),
            table.score,
            folder / f"{sequence.name}.txt",
        )


def main(argv=None):
    # Small models on a CPU: a few threads at most (on a 2-core machine, one) beat them all.
    torch.set_num_threads(max(1, min(4, (os.cpu_count() or 1) // 2)))
    return evaluate_main(build_task, argv, extras=extras)


if __name__ == "__main__":
    run_main(main)
