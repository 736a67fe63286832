"""Evaluate a trained run: ``python -m PACKAGE.evaluate --run runs/quick-det [--split test]``.

The shared entry point (``engine/evaluation.py``) rebuilds the run, scores the split with the
task's summable statistics and writes ``runs/NAME/<split>_metrics.json``; this module adds the
benchmarks' own numbers, on the same split:

* detection: the KITTI protocol (``evaluation/kitti_eval.py``): 2D, BEV and 3D AP and AOS
  with 40 and 11 recall positions, per class and difficulty, at KITTI's overlaps (car 0.7,
  pedestrian and cyclist 0.5) and the loose ones; nuScenes' centre-distance mAP; AP by
  distance (0-20, 20-40, 40+ m); a robustness table (half the beams, range noise, point
  dropout); latency per stage; detections in KITTI's submission format (``<split>/kitti/``);
* segmentation: per-class IoU and mIoU over SemanticKITTI's 19 classes on every point (the
  range image's predictions carried back to the points, kNN-refined when configured), by
  distance, under the same corruptions, and latency per stage.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from .core.errors import run_main
from .data import corruptions
from .engine.evaluation import evaluate_main
from .tasks import build_task

DISTANCE_BINS = ((0.0, 20.0), (20.0, 40.0), (40.0, float("inf")))
HEADLINE = (
    "car_bev_ap_r40_moderate", "car_3d_ap_r40_moderate", "car_aos_r40_moderate",
    "pedestrian_bev_ap_r40_moderate", "pedestrian_3d_ap_r40_moderate",
    "cyclist_bev_ap_r40_moderate", "cyclist_3d_ap_r40_moderate",
)  # fmt: skip


def robustness_cases(sensor_beams: int | None = None) -> dict:
    """The corruptions of the robustness table: name -> function(scan, rng) -> scan."""
    return {
        "clean": lambda scan, rng: scan,
        "half_beams": lambda scan, rng: corruptions.fewer_beams(scan, keep_every=2),
        "range_noise_0.05m": lambda scan, rng: corruptions.range_noise(scan, 0.05, rng),
        "point_dropout_0.3": lambda scan, rng: corruptions.point_dropout(scan, 0.3, rng),
    }


def extras(run, split: str, metrics: dict) -> dict:
    cfg = run.cfg
    settings = cfg.get("evaluate") or {}
    saved = torch.get_num_threads()
    torch.set_num_threads(int(settings.get("threads", 1)))
    try:
        if cfg.get("task", "detection") == "segmentation":
            return segmentation_extras(run, split, settings)
        return detection_extras(run, split, settings)
    finally:
        torch.set_num_threads(saved)


def detection_extras(run, split: str, settings: dict) -> dict:
    from .data import kitti
    from .detection.predict import detect_scans, scored_ground_truth
    from .evaluation.center_distance import center_distance_map
    from .evaluation.figures import bev_figure
    from .evaluation.kitti_eval import (
        counted_objects,
        evaluate_kitti,
        filter_by_distance,
        flat_metrics,
    )
    from .geometry.boxes import default_calibration

    task, model, cfg = run.task, run.model, run.cfg
    device = next(model.parameters()).device
    batch_size = int(cfg.get("eval_batch_size") or cfg["batch_size"])
    threshold = float(settings.get("score_threshold", 0.05))
    scans = task.scans(cfg, split)
    classes = [name for name in ("Car", "Pedestrian", "Cyclist") if name in task.class_names]
    gt = scored_ground_truth(scans, task.grid)
    found, latency = detect_scans(task, model, scans, batch_size, device, threshold)
    result = evaluate_kitti(gt, found, classes=tuple(classes))
    flat = flat_metrics(result)
    # The headline numbers at the top (the engine prints them); every other one under "kitti".
    out = {key: flat[key] for key in HEADLINE if key in flat}
    out["kitti"], out["kitti_flat"] = result, flat
    out["center_distance"] = center_distance_map(gt, found, tuple(classes))
    out["by_distance"] = {}
    for low, high in DISTANCE_BINS:
        near_gt, near_found = filter_by_distance(gt, found, low, high)
        flat = flat_metrics(evaluate_kitti(near_gt, near_found, classes=tuple(classes)))
        # A class with no moderate object in the bin has no AP there (n/a), not AP 0.
        counted = {name: counted_objects(near_gt, near_found, name) for name in classes}
        out["by_distance"][f"{low:g}-{high:g}"] = {
            f"{name.lower()}_bev_ap_r40_moderate": (
                flat[f"{name.lower()}_bev_ap_r40_moderate"] if counted[name] else None
            )
            for name in classes
        }
    rng = np.random.default_rng(0)
    out["robustness"] = {}
    for name, corrupt in robustness_cases().items():
        if name == "clean":
            scores = flat_metrics(result)
        else:
            corrupted = [corrupt(scan, rng) for scan in scans]
            noisy, _ = detect_scans(task, model, corrupted, batch_size, device, threshold)
            scores = flat_metrics(evaluate_kitti(gt, noisy, classes=tuple(classes)))
        out["robustness"][name] = {
            k: v for k, v in scores.items() if k.endswith("r40_moderate") and "_loose" not in k
        }
    _, one = detect_scans(task, model, scans[: min(8, len(scans))], 1, device, threshold)
    out["latency_ms"] = {stage: 1000 * seconds for stage, seconds in one.items()}
    folder = Path(run.run_dir) / split / "kitti"
    for number, (scan, objects) in enumerate(zip(scans, found, strict=True)):
        name = scan.frame_id or f"{number:06d}"
        kitti.write_label(folder / f"{name}.txt", objects, scan.calib or default_calibration())
    figure = bev_figure(
        scans[0].points, gt[0], found[0], task.grid.x_range, task.grid.y_range,
        Path(run.run_dir) / "figures" / "bev.png",
    )  # fmt: skip
    out["figures"] = {"bev": str(figure.relative_to(run.run_dir))}
    return out


def segmentation_extras(run, split: str, settings: dict) -> dict:
    from .evaluation.segmentation import by_distance, confusion, iou_per_class, miou
    from .segmentation.task import CLASS_NAMES, learning_map, predict_points

    task, model, cfg = run.task, run.model, run.cfg
    scans = task.scans(cfg, split)
    classes = len(CLASS_NAMES) + 1

    def score(chosen):
        total = np.zeros((classes, classes), dtype=np.int64)
        bins = None
        seconds: dict = {}
        for scan in chosen:
            predicted = predict_points(model, scan, cfg, seconds)
            target = learning_map(scan.semantic)
            total += confusion(predicted, target, classes)
            binned = by_distance(scan.points, predicted, target, classes)
            bins = binned if bins is None else [a + b for a, b in zip(bins, binned, strict=True)]
        per_scan = {stage: 1000 * s / max(1, len(chosen)) for stage, s in seconds.items()}
        return total, bins, {**per_scan, "per_scan": sum(per_scan.values())}

    total, bins, latency = score(scans)
    ious = iou_per_class(total)
    out = {
        "point_miou": float(miou(total)),
        "point_iou_per_class": {
            name: (None if np.isnan(v) else float(v))
            for name, v in zip(CLASS_NAMES, ious[1:], strict=True)
        },
        "point_by_distance": {
            f"{low:g}-{high:g}": float(miou(conf))
            for (low, high), conf in zip(DISTANCE_BINS, bins or [], strict=False)
        },
        "latency_ms": latency,
    }
    out["figures"] = segmentation_figures(model, scans[0], cfg, Path(run.run_dir) / "figures")
    rng = np.random.default_rng(0)
    out["robustness"] = {"clean": {"miou": out["point_miou"]}}
    for name, corrupt in robustness_cases().items():
        if name != "clean":
            noisy, _, _ = score([corrupt(scan, rng) for scan in scans])
            out["robustness"][name] = {"miou": float(miou(noisy))}
    return out


def segmentation_figures(model, scan, cfg: dict, folder: Path) -> dict:
    """The range image of one test scan coloured by predicted and true class, and the scan in
    3D coloured by prediction; paths relative to the run folder."""
    from .evaluation.figures import range_figure, scatter_figure
    from .segmentation.task import (
        CLASS_NAMES,
        learning_map,
        predict_points,
        project_scan,
        range_image_options,
    )

    options = range_image_options(cfg)
    predicted = predict_points(model, scan, cfg)
    _, _, pixel_index = project_scan(scan, options, normalised=False)
    shape = (int(options["height"]), int(options["width"]))
    images = {"predicted": np.zeros(shape, np.int64), "truth": np.zeros(shape, np.int64)}
    # Farthest first, so the nearest point of a pixel is the one drawn (as in the projection).
    order = np.argsort(-np.linalg.norm(scan.points[:, :3], axis=1))
    rows, cols = pixel_index[order, 0], pixel_index[order, 1]
    images["predicted"][rows, cols] = predicted[order]
    images["truth"][rows, cols] = learning_map(scan.semantic)[order]
    ranged = range_figure(images["predicted"], images["truth"], folder / "range.png", CLASS_NAMES)
    scatter = scatter_figure(scan.points, predicted, folder / "scan_3d.png", names=CLASS_NAMES)
    return {name: str(path.relative_to(folder.parent)) for name, path in
            (("range_image", ranged), ("scan_3d", scatter))}  # fmt: skip


def main(argv=None):
    # Small models on a CPU: a few threads at most (on a 2-core machine, one) beat them all.
    torch.set_num_threads(max(1, min(4, (os.cpu_count() or 1) // 2)))
    return evaluate_main(build_task, argv, extras=extras)


if __name__ == "__main__":
    run_main(main)
