"""nuScenes-style centre-distance AP on cases computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.data.scan import Objects
from {{ cookiecutter.package_name }}.evaluation.center_distance import (
    average_precision,
    center_distance_map,
    class_ap,
    match_by_centre,
)


def objects(xy, names="Car", scores=None) -> Objects:
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    boxes = np.c_[xy, np.zeros(n), np.full((n, 3), [4.0, 1.8, 1.5]), np.zeros(n)]
    names = [names] * n if isinstance(names, str) else list(names)
    return Objects(
        names=np.array(names, dtype="<U16"), boxes=boxes, truncated=np.zeros(n),
        occluded=np.zeros(n, dtype=np.int64), bbox=np.zeros((n, 4)), alpha=np.zeros(n),
        num_points=np.zeros(n, dtype=np.int64),
        scores=None if scores is None else np.asarray(scores, dtype=float),
    )  # fmt: skip


def test_perfect_detections():
    gt = objects([[10, 0], [20, 5], [30, -5]])
    dt = objects([[10, 0], [20, 5], [30, -5]], scores=[0.9, 0.8, 0.7])
    result = center_distance_map([gt], [dt], ("Car",))
    assert result["Car"] == pytest.approx({"0.5": 1.0, "1": 1.0, "2": 1.0, "4": 1.0, "mean": 1.0})
    assert result["mean"] == pytest.approx(1.0)


def test_half_the_objects_found():
    # recall reaches 0.5 at precision 1; the 101-point curve is 1 up to recall 0.50 and 0
    # after (no extrapolation). Recalls 0.11 .. 0.50 (40 of the 90 kept) give 1 - 0.1:
    # AP = 40 * 0.9 / 90 / 0.9 = 4/9
    gt = objects([[10.0 * i, 0] for i in range(1, 11)])
    dt = objects([[10.0 * i, 0] for i in range(1, 6)], scores=np.linspace(0.9, 0.5, 5))
    assert class_ap([gt], [dt], "Car", 2.0) == pytest.approx(4 / 9)


def test_false_positive_first():
    """2 objects, detections in score order: a false positive, then both objects.

    tp = [0, 1, 2], fp = [1, 1, 1]: precision [0, 1/2, 2/3] at recall [0, 1/2, 1]. Linear
    interpolation gives p(r) = r up to 0.5, then 1/2 + (r - 1/2)/3. Over r = k/100,
    k = 11..100: sum of (p - 0.1) is sum_{m=1..40} m/100 = 8.2 for k <= 50, plus
    sum_{j=1..50} (0.4 + j/300) = 24.25 beyond: AP = 32.45 / 90 / 0.9 = 32.45 / 81.
    """
    gt = objects([[10, 0], [20, 0]])
    dt = objects([[50, 0], [10, 0], [20, 0]], scores=[0.9, 0.8, 0.7])
    hits, total = match_by_centre([gt], [dt], "Car", 1.0)
    assert hits.tolist() == [False, True, True] and total == 2
    assert class_ap([gt], [dt], "Car", 1.0) == pytest.approx(32.45 / 81)


def test_distance_thresholds():
    # 0.7 m off: a miss at 0.5 m, a hit at 1, 2 and 4 m (AP 1 there, 0 at 0.5)
    gt = objects([[10, 0]])
    dt = objects([[10, 0.7]], scores=[0.9])
    row = center_distance_map([gt], [dt], ("Car",))["Car"]
    assert row == pytest.approx({"0.5": 0.0, "1": 1.0, "2": 1.0, "4": 1.0, "mean": 0.75})


def test_greedy_by_score_not_by_distance():
    # the higher-scored detection takes the object although the other one is closer
    gt = objects([[10, 0]])
    dt = objects([[10, 1.5], [10, 0.1]], scores=[0.9, 0.5])
    hits, _ = match_by_centre([gt], [dt], "Car", 2.0)
    assert hits.tolist() == [True, False]
    # matches stay inside their frame and their class
    other_frame = match_by_centre([gt, objects([])], [objects([]), dt], "Car", 2.0)[0]
    assert other_frame.tolist() == [False, False]
    wrong_class = objects([[10, 0]], names="Pedestrian", scores=[0.9])
    assert match_by_centre([gt], [wrong_class], "Car", 2.0)[0].tolist() == []


def test_classes_without_objects_are_left_out_of_the_mean():
    gt = objects([[10, 0]])
    dt = objects([[10, 0], [30, 0]], names=["Car", "Cyclist"], scores=[0.9, 0.9])
    result = center_distance_map([gt], [dt], ("Car", "Cyclist"))
    assert result["Cyclist"]["mean"] is None and result["Cyclist"]["2"] is None
    assert result["mean"] == pytest.approx(1.0)
    assert average_precision(np.zeros(3, dtype=bool), 4) == 0.0
    with pytest.raises(ValueError, match="frames"):
        center_distance_map([gt], [], ("Car",))
