"""Known answers of the tracking metrics (HOTA, DetA, AssA, MOTA, IDF1, IDSW) on hand-made
cases, computed by TrackEval through this project's preparation of its input; and the ID
switch causes add up to TrackEval's count."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.evaluation.errors import id_switch_causes
from {{ cookiecutter.package_name }}.evaluation.tracking_eval import BoxTable, evaluate_tracking

BOX = [10.0, 10.0, 30.0, 50.0]


def table(rows, gt: bool = False) -> BoxTable:
    """rows: (frame, id, box) or (frame, id, box, ignore / occlusion for ground truth)."""
    frame = np.array([r[0] for r in rows], dtype=np.int64)
    ids = np.array([r[1] for r in rows], dtype=np.int64)
    boxes = np.array([r[2] for r in rows], dtype=float).reshape(-1, 4)
    extra = {}
    if gt:
        extra["ignore"] = np.array([len(r) > 3 and r[3] == "ignore" for r in rows])
        extra["occlusion"] = np.array([r[4] if len(r) > 4 else 0.0 for r in rows])
    else:
        extra["score"] = np.ones(len(rows))
    return BoxTable(frame, ids, np.zeros(len(rows), dtype=np.int64), boxes, **extra)


def scores(gt_rows, tracker_rows, length):
    result = evaluate_tracking(
        [("seq", length, table(gt_rows, gt=True), table(tracker_rows))], ["object"]
    )
    return result["all"]


def test_perfect_tracking_scores_one():
    gt = [(t, 1, BOX) for t in range(4)]
    result = scores(gt, [(t, 7, BOX) for t in range(4)], 4)
    for key in ("hota", "deta", "assa", "mota", "idf1"):
        assert result[key] == pytest.approx(1.0), key
    assert result["idsw"] == 0


def test_one_identity_switch_halfway():
    gt = [(t, 1, BOX) for t in range(4)]
    result = scores(gt, [(t, 1 if t < 2 else 2, BOX) for t in range(4)], 4)
    assert result["idsw"] == 1
    assert result["mota"] == pytest.approx(1 - 1 / 4)  # 1 - (FN + FP + IDSW) / GT
    assert result["idf1"] == pytest.approx(2 * 2 / (4 + 4))  # IDTP = 2 (one id, half the frames)
    assert result["deta"] == pytest.approx(1.0)
    assert result["assa"] == pytest.approx(0.5)  # each match: 2 / (4 + 2 - 2)
    assert result["hota"] == pytest.approx(np.sqrt(0.5))


def test_a_miss_and_a_false_positive():
    gt = [(0, 1, BOX), (1, 1, BOX)]
    far = [100.0, 100.0, 120.0, 140.0]
    result = scores(gt, [(0, 5, BOX), (1, 5, far)], 2)
    assert (result["tp"], result["fn"], result["fp"]) == (1, 1, 1)
    assert result["mota"] == pytest.approx(0.0)  # 1 - (1 + 1) / 2
    assert result["deta"] == pytest.approx(1 / 3)  # TP / (TP + FN + FP)
    assert result["assa"] == pytest.approx(1 / 3)  # 1 / (2 + 2 - 1)
    assert result["hota"] == pytest.approx(1 / 3)
    assert result["idf1"] == pytest.approx(2 * 1 / (2 + 2))


def test_hota_averages_over_localisation_thresholds():
    # IoU 0.62 in every frame: matched at alpha = 0.05 ... 0.60 (12 of the 19 thresholds).
    gt = [(t, 1, [0.0, 0.0, 100.0, 100.0]) for t in range(3)]
    shifted = [(t, 1, [0.0, 0.0, 100.0, 62.0]) for t in range(3)]
    result = scores(gt, shifted, 3)
    assert result["hota"] == pytest.approx(12 / 19)
    assert result["mota"] == pytest.approx(1.0)  # CLEAR matches at IoU 0.5


def test_a_box_on_an_ignored_object_is_neither_hit_nor_false_positive():
    gt = [(0, 1, BOX), (0, 2, [50.0, 10.0, 70.0, 50.0], "ignore")]
    result = scores(gt, [(0, 3, BOX), (0, 4, [50.0, 10.0, 70.0, 50.0])], 1)
    assert (result["tp"], result["fp"], result["fn"]) == (1, 0, 0)
    assert result["mota"] == pytest.approx(1.0)


def test_id_switch_causes_count_what_trackeval_counts():
    rng = np.random.default_rng(3)
    gt_rows, tracker_rows = [], []
    for t in range(30):
        for obj in range(3):
            box = [20.0 * obj + t, 5.0 * obj, 20.0 * obj + t + 15, 5.0 * obj + 30]
            occluded = 0.8 if 10 <= t < 14 and obj == 0 else 0.0
            gt_rows.append((t, obj + 1, box, "", occluded))
            if occluded or rng.random() < 0.1:
                continue  # hidden, or a missed detection
            tracker_id = obj + 1 + 10 * int(rng.random() < 0.08)  # now and then a new id
            if obj == 0 and t >= 14:
                tracker_id = 50  # back from behind the occluder under a new id
            tracker_rows.append((t, tracker_id, box))
    gt, tracks = table(gt_rows, gt=True), table(tracker_rows)
    causes = id_switch_causes(gt, tracks, label=0, length=30)
    total = scores(gt_rows, tracker_rows, 30)["idsw"]
    assert total > 0 and sum(causes.values()) == total
    assert causes["occlusion"] >= 1  # object 0 came back from behind something
