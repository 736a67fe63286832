"""The KITTI protocol on cases whose AP follows from the rules by hand: perfect detection,
half the objects found, false positives above and below the true ones, the difficulty
filter, neighbouring classes, R40 against R11, AOS of a flipped heading, distance bins."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.data.scan import Objects
from {{ cookiecutter.package_name }}.evaluation.kitti_eval import (
    clean,
    evaluate_kitti,
    filter_by_distance,
    flat_metrics,
    sampled_thresholds,
)


def objects(n, names="Car", occluded=0, truncated=0.0, height_px=60.0, x0=10.0, scores=None,
            yaw=0.0):  # fmt: skip
    x = x0 + 6.0 * np.arange(n)
    boxes = np.c_[x, np.zeros(n), np.zeros(n), np.full(n, 4.0), np.full(n, 1.8), np.full(n, 1.5),
                  np.full(n, yaw)]  # fmt: skip
    bbox = np.c_[np.zeros(n), np.zeros(n), np.full(n, 50.0), np.full(n, height_px)]
    return Objects(
        names=np.array([names] * n, dtype="<U16"), boxes=boxes,
        truncated=np.full(n, truncated), occluded=np.full(n, occluded, dtype=np.int64),
        bbox=bbox, alpha=np.full(n, yaw), num_points=np.full(n, 50),
        scores=None if scores is None else np.asarray(scores, dtype=float),
    )  # fmt: skip


def one_frame_each(gt, dt):
    """Each object in its own frame (so boxes never overlap across objects)."""
    frames_gt = [gt.subset([i]) for i in range(len(gt))]
    frames_dt = [dt.subset([i]) if i < len(dt) else dt.subset([]) for i in range(len(gt))]
    return frames_gt, frames_dt


def car(result, metric, recall="R40", level="moderate", overlap="0.7"):
    return result["Car"][overlap][metric][recall][level]


def test_perfect_detections_score_one():
    gt = objects(50)
    dt = objects(50, scores=np.linspace(0.5, 1.0, 50))
    result = evaluate_kitti(*one_frame_each(gt, dt), classes=("Car",))
    for metric in ("bbox", "bev", "3d", "aos"):
        assert car(result, metric) == pytest.approx(1.0)
        assert car(result, metric, "R11") == pytest.approx(1.0)


def test_half_the_objects_found():
    # Recall stops at 0.5: 21 of the 41 sampled positions (0, 0.025, ..., 0.5) have
    # precision 1, so R40 = 20 / 40 and R11 = 6 / 11 (0, 0.1, ..., 0.5).
    gt = objects(50)
    dt = objects(25, scores=np.linspace(0.5, 1.0, 25))
    result = evaluate_kitti(*one_frame_each(gt, dt), classes=("Car",))
    assert car(result, "bev") == pytest.approx(20 / 40)
    assert car(result, "bev", "R11") == pytest.approx(6 / 11)


def test_false_positives_below_every_true_one_cost_nothing_above_they_do():
    gt = objects(50)
    frames_gt, frames_dt = one_frame_each(gt, objects(50, scores=np.full(50, 0.9)))
    far = objects(1, x0=500.0, scores=[0.1])  # a detection on nothing, scored low
    low = [Objects(**{**d.__dict__}) for d in frames_dt]
    low[0] = concat(frames_dt[0], far)
    assert car(evaluate_kitti(frames_gt, low, classes=("Car",)), "bev") == pytest.approx(1.0)
    high = list(frames_dt)
    high[0] = concat(frames_dt[0], objects(1, x0=500.0, scores=[0.99]))
    # every threshold keeps the false positive: precision 50 / 51 at full recall
    assert car(evaluate_kitti(frames_gt, high, classes=("Car",)), "bev") == pytest.approx(50 / 51)


def concat(a: Objects, b: Objects) -> Objects:
    joined = {
        k: None if getattr(a, k) is None else np.concatenate([getattr(a, k), getattr(b, k)])
        for k in a.__dict__
    }
    return Objects(**joined)


def test_difficulty_filter():
    gt = concat(objects(1, occluded=2), objects(1, height_px=30.0, x0=20.0))
    dt = objects(0, scores=[])
    ignored, _, _, counted = clean(gt, dt, "Car", 0)  # easy: neither counts
    assert ignored.tolist() == [1, 1] and counted == 0
    ignored, _, _, counted = clean(gt, dt, "Car", 1)  # moderate: the 30 px one
    assert ignored.tolist() == [1, 0] and counted == 1
    ignored, _, _, counted = clean(gt, dt, "Car", 2)  # hard: both
    assert ignored.tolist() == [0, 0] and counted == 2


def test_vans_are_neither_found_nor_missed_cars():
    gt = concat(objects(50), objects(1, names="Van", x0=400.0))
    dt = concat(objects(50, scores=np.full(50, 0.9)), objects(1, x0=400.0, scores=[0.95]))
    result = evaluate_kitti([gt], [dt], classes=("Car",))
    assert car(result, "bev") == pytest.approx(1.0)  # the car detection on the van is ignored


def test_aos_of_headings_turned_half_way():
    gt = objects(50)
    dt = objects(50, scores=np.linspace(0.5, 1.0, 50))
    dt.alpha = dt.alpha + math.pi  # same box, opposite heading: similarity (1 + cos pi) / 2 = 0
    result = evaluate_kitti(*one_frame_each(gt, dt), classes=("Car",))
    assert car(result, "bev") == pytest.approx(1.0)
    assert car(result, "aos") == pytest.approx(0.0)
    dt.alpha = gt.alpha + math.pi / 2  # a quarter turn: similarity 1/2
    result = evaluate_kitti(*one_frame_each(gt, dt), classes=("Car",))
    assert car(result, "aos") == pytest.approx(0.5)


def test_sampled_thresholds_step_in_recall():
    assert sampled_thresholds([0.9], 1) == [0.9]
    assert len(sampled_thresholds(list(np.linspace(1, 0.1, 40)), 40)) == 40
    assert len(sampled_thresholds(list(np.linspace(1, 0.1, 80)), 80)) == 41


def test_distance_bins_ignore_the_objects_outside():
    gt = objects(8, x0=5.0)  # centres at 5, 11, ..., 47 m
    dt = objects(8, x0=5.0, scores=np.full(8, 0.9))
    near_gt, near_dt = filter_by_distance([gt], [dt], 0.0, 20.0)
    assert len(near_dt[0]) == 3  # 5, 11, 17 m
    assert (near_gt[0].occluded > 2).sum() == 5
    flat = flat_metrics(evaluate_kitti(near_gt, near_dt, classes=("Car",)))
    assert set(flat) >= {
        "car_bev_ap_r40_moderate",
        "car_3d_ap_r11_hard",
        "car_bev_ap_r40_moderate_loose",
    }
