"""The KITTI protocol on cases whose AP follows from the devkit's rules by hand.

One rule shapes every expected number: the devkit samples its thresholds from the true
positives' scores at recall steps of 1/40, one threshold per step at most, and precision[k]
is the (interpolated) precision at the k-th threshold. With 41 or more objects the k-th
threshold sits at recall ~k/40; with fewer, each true positive is one threshold and the
curve is cut short, so a lone perfect detection scores R40 = 0 and R11 = 1/11 (OpenPCDet
prints 0.00 and 9.09). Most cases below therefore use 41 objects or more.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.data.scan import Objects
from {{ cookiecutter.package_name }}.evaluation.kitti_eval import (
    class_curve,
    clean,
    counted_objects,
    difficulty_of,
    evaluate_kitti,
    filter_by_distance,
    flat_metrics,
    overlaps_for,
    sampled_thresholds,
)

BEV = ("bev",)  # the one metric most cases need: a third of the work


def objects(n, names="Car", occluded=0, truncated=0.0, height_px=60.0, x0=10.0, scores=None,
            yaw=0.0, top=0.0):  # fmt: skip
    """n cars 6 m apart along x (never overlapping), image boxes 50 px wide side by side."""
    x = x0 + 6.0 * np.arange(n)
    boxes = np.c_[x, np.zeros(n), np.zeros(n), np.full(n, 4.0), np.full(n, 1.8), np.full(n, 1.5),
                  np.full(n, yaw)]  # fmt: skip
    left = x * 10.0
    bbox = np.c_[left, np.full(n, top), left + 50.0, np.full(n, top + height_px)]
    return Objects(
        names=np.array([names] * n, dtype="<U16"), boxes=boxes,
        truncated=np.full(n, truncated), occluded=np.full(n, occluded, dtype=np.int64),
        bbox=bbox, alpha=np.full(n, yaw), num_points=np.full(n, 50),
        scores=None if scores is None else np.asarray(scores, dtype=float),
    )  # fmt: skip


def concat(*parts: Objects) -> Objects:
    fields = parts[0].__dict__
    return Objects(**{
        k: None if fields[k] is None else np.concatenate([getattr(p, k) for p in parts])
        for k in fields
    })  # fmt: skip


def per_frame(gt: Objects, dt: Objects):
    """Object i and detection i in frame i (no cross-talk between objects)."""
    return [gt.subset([i]) for i in range(len(gt))], [dt.subset([i]) for i in range(len(gt))]


def car(result, metric, recall="R40", level="moderate", overlap="0.7"):
    return result["Car"][overlap][metric][recall][level]


def scores(n):
    return np.linspace(1.0, 0.5, n)


def test_perfect_detections_score_one_everywhere():
    gt = objects(41)
    result = evaluate_kitti(*per_frame(gt, objects(41, scores=scores(41))), classes=("Car",))
    for overlap in ("0.7", "0.5"):
        for metric in ("bbox", "bev", "3d", "aos"):
            for recall in ("R40", "R11"):
                for level in ("easy", "moderate", "hard"):
                    assert car(result, metric, recall, level, overlap) == pytest.approx(1.0)


def test_few_objects_cut_the_curve_short_as_the_devkit_does():
    # 1 object: one threshold, precision [1, 0, ...]: R40 skips position 0, R11 keeps it
    one = evaluate_kitti([objects(1)], [objects(1, scores=[0.9])], classes=("Car",), metrics=BEV)
    assert car(one, "bev") == 0.0
    assert car(one, "bev", "R11") == pytest.approx(1 / 11)
    # 40 objects: 40 thresholds, precision 1 at positions 0..39, 0 at 40
    forty = evaluate_kitti(*per_frame(objects(40), objects(40, scores=scores(40))),
                           classes=("Car",), metrics=BEV)  # fmt: skip
    assert car(forty, "bev") == pytest.approx(39 / 40)
    assert car(forty, "bev", "R11") == pytest.approx(10 / 11)


def test_two_objects_true_false_true():
    """Objects A, B; detections: A at 0.9, a false positive at 0.7, B at 0.5.

    First pass: the true positives' scores are [0.9, 0.5] and, with 2 objects, both become
    thresholds (recall 0.5 and 1). At 0.9: tp 1, fp 0, precision 1; at 0.5: tp 2, fp 1,
    precision 2/3. The curve is [1, 2/3, 0 x 39] (already non-increasing), so
    R40 = (2/3) / 40 = 1/60 and R11 = 1/11 (positions 0, 4, ..., 40: only position 0 is set).
    """
    gt = objects(2)
    fp = objects(1, x0=200.0, scores=[0.7])
    dt = concat(objects(1, scores=[0.9]), fp, objects(1, x0=16.0, scores=[0.5]))
    overlaps = [overlaps_for("bev", gt, dt)]
    curve = class_curve([gt], [dt], "Car", 1, "bev", 0.7, overlaps)
    assert curve["thresholds"] == pytest.approx([0.9, 0.5])
    assert curve["precision"][:3] == pytest.approx([1.0, 2 / 3, 0.0])
    result = evaluate_kitti([gt], [dt], classes=("Car",), metrics=BEV)
    assert car(result, "bev") == pytest.approx(1 / 60)
    assert car(result, "bev", "R11") == pytest.approx(1 / 11)


def test_the_same_pattern_with_enough_objects():
    """41 frames of that pattern: 82 objects, 41 true positives above the 41 false ones
    (scores 0.9-ish > 0.7-ish) and 41 below (0.5-ish).

    Precision is 1 up to recall 0.5 and then 2r / (2r + 1) (tp 82r, fp 41), rising to 2/3 at
    recall 1, so the interpolated curve is 1 up to 0.5 and 2/3 beyond. R40: positions
    1..20 give 1, 21..40 give 2/3: (20 + 40/3) / 40 = 5/6. R11: positions 0, 0.1, ..., 0.5
    give 1, 0.6..1.0 give 2/3: (6 + 10/3) / 11 = 28/33.
    """
    frames_gt, frames_dt = [], []
    for i in range(41):
        frames_gt.append(objects(2))
        high, false, low = 0.9 + i * 1e-3, 0.7 + i * 1e-3, 0.5 + i * 1e-3
        frames_dt.append(concat(objects(1, scores=[high]), objects(1, x0=200.0, scores=[false]),
                                objects(1, x0=16.0, scores=[low])))  # fmt: skip
    result = evaluate_kitti(frames_gt, frames_dt, classes=("Car",), metrics=BEV)
    assert car(result, "bev") == pytest.approx(5 / 6)
    assert car(result, "bev", "R11") == pytest.approx(28 / 33)


def test_false_positives_below_every_true_one_cost_nothing():
    frames_gt, frames_dt = per_frame(objects(41), objects(41, scores=scores(41)))
    frames_dt[0] = concat(frames_dt[0], objects(1, x0=500.0, scores=[0.1]))
    assert car(evaluate_kitti(frames_gt, frames_dt, classes=("Car",), metrics=BEV), "bev") == 1.0
    # scored above every true positive it is counted at every threshold: the k-th has
    # precision (k + 1) / (k + 2), rising with k, so the interpolated curve is 41 / 42 flat
    frames_dt[0] = concat(frames_dt[0], objects(1, x0=600.0, scores=[2.0]))
    result = evaluate_kitti(frames_gt, frames_dt, classes=("Car",), metrics=BEV)
    assert car(result, "bev") == pytest.approx(41 / 42)
    assert car(result, "bev", "R11") == pytest.approx(41 / 42)


def test_difficulty_filter():
    gt = concat(
        objects(1, occluded=2),
        objects(1, height_px=30.0, x0=20.0),
        objects(1, truncated=0.4, x0=30.0),
        objects(1, height_px=25.0, x0=40.0),
    )
    assert difficulty_of(gt).tolist() == [2, 1, 2, -1]  # 25 px is not above 25: no level
    dt = Objects.empty(with_scores=True)
    ignored, _, _, counted = clean(gt, dt, "Car", 0)  # easy: none counts
    assert ignored.tolist() == [1, 1, 1, 1] and counted == 0
    ignored, _, _, counted = clean(gt, dt, "Car", 1)  # moderate: the 30 px one
    assert ignored.tolist() == [1, 0, 1, 1] and counted == 1
    ignored, _, _, counted = clean(gt, dt, "Car", 2)  # hard: all but the 25 px one
    assert ignored.tolist() == [0, 0, 0, 1] and counted == 3
    # an occlusion-2 car found perfectly: hard AP 1, easy and moderate have nothing to find
    result = evaluate_kitti(*per_frame(objects(41, occluded=2), objects(41, scores=scores(41))),
                            classes=("Car",), metrics=BEV)  # fmt: skip
    assert car(result, "bev", level="hard") == 1.0
    assert car(result, "bev", level="moderate") == car(result, "bev", level="easy") == 0.0


def test_low_detections_are_ignored_below_the_minimum_height():
    frames_gt, frames_dt = per_frame(objects(41), objects(41, scores=scores(41)))
    frames_dt[0] = concat(frames_dt[0], objects(1, x0=500.0, height_px=30.0, scores=[2.0]))
    result = evaluate_kitti(frames_gt, frames_dt, classes=("Car",), metrics=BEV)
    assert car(result, "bev", level="easy") == 1.0  # 30 px < 40: ignored for easy
    assert car(result, "bev", level="moderate") < 1.0  # counted (a false positive) for moderate
    frames_dt[0].bbox[1, 3] = 20.0  # 20 px: ignored for every difficulty
    result = evaluate_kitti(frames_gt, frames_dt, classes=("Car",), metrics=BEV)
    assert car(result, "bev", level="moderate") == car(result, "bev", level="hard") == 1.0


def test_vans_are_neither_found_nor_missed_cars():
    gt = objects(41)
    frames_gt, frames_dt = per_frame(gt, objects(41, scores=scores(41)))
    frames_gt[0] = concat(frames_gt[0], objects(1, names="Van", x0=400.0))
    frames_dt[0] = concat(frames_dt[0], objects(1, x0=400.0, scores=[2.0]))
    assert car(evaluate_kitti(frames_gt, frames_dt, classes=("Car",), metrics=BEV), "bev") == 1.0
    # the same car detection on a truck is a false positive
    frames_gt[0].names[1] = "Truck"
    assert car(evaluate_kitti(frames_gt, frames_dt, classes=("Car",), metrics=BEV), "bev") < 1.0


def test_dontcare_forgives_2d_false_positives_only():
    frames_gt, frames_dt = per_frame(objects(41), objects(41, scores=scores(41)))
    region = objects(1, names="DontCare", x0=400.0)
    region.bbox[0] = [3900.0, 0.0, 4200.0, 100.0]
    frames_gt[0] = concat(frames_gt[0], region)
    inside = objects(1, x0=400.0, scores=[2.0])  # image box 4000..4050 px: inside the region
    frames_dt[0] = concat(frames_dt[0], inside)
    result = evaluate_kitti(frames_gt, frames_dt, classes=("Car",), metrics=("bbox", "bev"))
    assert car(result, "bbox") == 1.0
    assert car(result, "bev") < 1.0  # in BEV the devkit has no DontCare: a false positive


def test_aos_follows_the_heading_error():
    gt = objects(41)
    dt = objects(41, scores=scores(41))
    result = evaluate_kitti(*per_frame(gt, dt), classes=("Car",), metrics=("bbox",))
    assert car(result, "aos") == car(result, "bbox") == 1.0
    dt.alpha = gt.alpha + math.pi / 2  # a quarter turn: similarity (1 + cos pi/2) / 2 = 1/2
    result = evaluate_kitti(*per_frame(gt, dt), classes=("Car",), metrics=("bbox",))
    assert car(result, "aos") == pytest.approx(0.5 * car(result, "bbox"))
    dt.alpha = gt.alpha + math.pi  # opposite heading: similarity 0
    result = evaluate_kitti(*per_frame(gt, dt), classes=("Car",), metrics=("bbox",))
    assert car(result, "aos") == pytest.approx(0.0)


def test_strict_and_loose_overlaps():
    # shifted 1.2 m along its 4 m length: BEV IoU 2.8 / 5.2 = 0.54: a miss at 0.7, a hit at 0.5
    gt = objects(41)
    dt = objects(41, x0=11.2, scores=scores(41))
    result = evaluate_kitti(*per_frame(gt, dt), classes=("Car", "Pedestrian"))
    assert car(result, "bev") == 0.0
    assert car(result, "bev", overlap="0.5") == 1.0
    assert set(result["Pedestrian"]) == {"0.5", "0.25"}
    flat = flat_metrics(result)
    assert flat["car_bev_ap_r40_moderate"] == 0.0
    assert flat["car_bev_ap_r40_moderate_loose"] == 1.0
    expected = {"car_3d_ap_r40_moderate", "car_aos_r40_moderate", "car_bbox_ap_r11_easy",
                "pedestrian_bev_ap_r40_moderate", "pedestrian_aos_r11_hard_loose"}  # fmt: skip
    assert expected <= set(flat)
    assert not any(key.startswith("cyclist") for key in flat)
    assert len(flat) == 2 * 2 * 4 * 2 * 3  # classes x overlap sets x metrics x recalls x levels


def test_sampled_thresholds_step_in_recall():
    assert sampled_thresholds([0.9], 1) == [0.9]
    assert len(sampled_thresholds(list(np.linspace(1, 0.1, 40)), 40)) == 40
    assert len(sampled_thresholds(list(np.linspace(1, 0.1, 80)), 80)) == 41
    # half of 100 objects found: thresholds every 2.5 objects up to recall 0.5
    assert len(sampled_thresholds(list(np.linspace(1, 0.1, 50)), 100)) == 21


def test_distance_bins_ignore_the_objects_outside():
    frames_gt, frames_dt = [], []
    for i in range(41):  # a car at 10 m found, one at 28 m missed, in every frame
        frames_gt.append(concat(objects(1, x0=10.0), objects(1, x0=28.0)))
        frames_dt.append(objects(1, x0=10.0, scores=[1.0 - i / 100]))
    near_gt, near_dt = filter_by_distance(frames_gt, frames_dt, 0.0, 20.0)
    assert len(near_gt[0]) == 2 and (near_gt[0].occluded > 2).tolist() == [False, True]
    assert car(evaluate_kitti(near_gt, near_dt, classes=("Car",), metrics=BEV), "bev") == 1.0
    far_gt, far_dt = filter_by_distance(frames_gt, frames_dt, 20.0, 40.0)
    assert sum(map(len, far_dt)) == 0
    assert car(evaluate_kitti(far_gt, far_dt, classes=("Car",), metrics=BEV), "bev") == 0.0
    overall = car(evaluate_kitti(frames_gt, frames_dt, classes=("Car",), metrics=BEV), "bev")
    assert overall == pytest.approx(20 / 40)  # recall stops at 0.5
    # what the bins count: one car each per frame; none beyond 40 m (AP undefined there)
    assert counted_objects(near_gt, near_dt, "Car") == 41
    assert counted_objects(far_gt, far_dt, "Car") == 41
    beyond_gt, beyond_dt = filter_by_distance(frames_gt, frames_dt, 40.0, math.inf)
    assert counted_objects(beyond_gt, beyond_dt, "Car") == 0
    assert counted_objects(frames_gt, frames_dt, "Pedestrian") == 0


def test_empty_frames_and_bad_arguments():
    flat = flat_metrics(evaluate_kitti([Objects.empty()], [Objects.empty(with_scores=True)]))
    assert len(flat) == 3 * 2 * 4 * 2 * 3 and set(flat.values()) == {0.0}
    with pytest.raises(ValueError, match="frames"):
        evaluate_kitti([objects(1)], [])
    with pytest.raises(ValueError, match="Tram"):
        evaluate_kitti([objects(1)], [objects(1, scores=[1.0])], classes=("Tram",))


SIZES = {
    "Car": (4.0, 1.7, 1.5),
    "Van": (5.0, 2.0, 2.2),
    "Pedestrian": (0.8, 0.6, 1.7),
    "Person_sitting": (0.8, 0.6, 1.2),
    "Cyclist": (1.8, 0.6, 1.7),
    "DontCare": (1, 1, 1),
}
SHARES = (0.45, 0.08, 0.2, 0.04, 0.15, 0.08)


def synthetic_frames(seed: int, count: int):
    """Random labelled frames (every class, DontCare, heights, occlusions, truncations) and
    noisy detections of them plus false positives, some inside DontCare regions."""
    rng = np.random.default_rng(seed)
    gts, dts = [], []
    for _ in range(count):
        n = int(rng.integers(0, 12))
        names = rng.choice(list(SIZES), n, p=SHARES)
        dims = np.array([SIZES[k] for k in names]).reshape(-1, 3) * rng.uniform(0.9, 1.1, (n, 3))
        centre = np.c_[rng.uniform(3, 60, n), rng.uniform(-20, 20, n), rng.uniform(-1.2, -0.6, n)]
        boxes = np.c_[centre, dims, rng.uniform(-math.pi, math.pi, n)]
        left, top, high = rng.uniform(0, 1100, n), rng.uniform(100, 250, n), rng.uniform(15, 120, n)
        bbox = np.c_[left, top, left + high * rng.uniform(0.5, 2, n), top + high]
        alpha = rng.uniform(-math.pi, math.pi, n)
        gts.append(Objects(
            names=names.astype("<U16"), boxes=boxes,
            truncated=rng.choice([0.0, 0.1, 0.2, 0.4, 0.6], n), occluded=rng.integers(0, 4, n),
            bbox=bbox, alpha=alpha, num_points=np.full(n, 10),
        ))  # fmt: skip
        keep = (names != "DontCare") & (rng.uniform(size=n) < 0.85)
        k = int(keep.sum())
        found = names[keep].copy()
        vans = found == "Van"
        found[vans] = np.where(rng.uniform(size=vans.sum()) < 0.6, "Car", "Van")
        found[found == "Person_sitting"] = "Pedestrian"
        noise = rng.normal(0, 1, (k, 7)) * [0.25, 0.25, 0.15, 0.2, 0.1, 0.1, 0.2]
        m = int(rng.integers(0, 6))
        false = rng.choice(["Car", "Pedestrian", "Cyclist"], m)
        false_boxes = np.c_[rng.uniform(3, 60, m), rng.uniform(-20, 20, m), np.full(m, -0.9),
                            np.array([SIZES[c] for c in false]).reshape(-1, 3),
                            rng.uniform(-3, 3, m)]  # fmt: skip
        fl, ft, fh = rng.uniform(0, 1100, m), rng.uniform(100, 250, m), rng.uniform(15, 100, m)
        false_bbox = np.c_[fl, ft, fl + fh, ft + fh]
        regions = np.flatnonzero(names == "DontCare")
        for i in range(min(len(regions), m)):
            false_bbox[i] = bbox[regions[i]] + [2, 2, -2, -2]
        dts.append(Objects(
            names=np.r_[found, false].astype("<U16"),
            boxes=np.r_[boxes[keep] + noise, false_boxes].reshape(-1, 7),
            truncated=np.zeros(k + m), occluded=np.zeros(k + m, dtype=np.int64),
            bbox=np.r_[bbox[keep] + rng.normal(0, 4, (k, 4)), false_bbox].reshape(-1, 4),
            alpha=np.r_[alpha[keep] + rng.normal(0, 0.4, k), rng.uniform(-3, 3, m)],
            num_points=np.zeros(k + m, dtype=np.int64), scores=rng.uniform(0.05, 1, k + m),
        ))  # fmt: skip
    return gts, dts


# OpenPCDet's kitti_object_eval_python (do_eval, our overlap sets) on synthetic_frames(0, 60),
# its boxes turned into camera labels, divided by 100.
OPENPCDET = {
    "car_bbox_ap_r40_moderate": 0.3762195122,
    "car_bbox_ap_r11_moderate": 0.4101995565,
    "car_bev_ap_r40_moderate": 0.0646000000,
    "car_bev_ap_r11_moderate": 0.1461818182,
    "car_3d_ap_r40_moderate": 0.0088607595,
    "car_3d_ap_r11_moderate": 0.0092059839,
    "car_aos_r40_moderate": 0.3570190903,
    "car_aos_r11_moderate": 0.3902194399,
    "car_bbox_ap_r40_moderate_loose": 0.5054347826,
    "car_bbox_ap_r11_moderate_loose": 0.5019762846,
    "car_bev_ap_r40_moderate_loose": 0.4136211573,
    "car_bev_ap_r11_moderate_loose": 0.4334867664,
    "car_3d_ap_r40_moderate_loose": 0.2756894663,
    "car_3d_ap_r11_moderate_loose": 0.3191593353,
    "car_aos_r40_moderate_loose": 0.4801048247,
    "car_aos_r11_moderate_loose": 0.4776965323,
    "pedestrian_bbox_ap_r40_moderate": 0.0686488525,
    "pedestrian_bbox_ap_r11_moderate": 0.0967625379,
    "pedestrian_bev_ap_r40_moderate": 0.0008474576,
    "pedestrian_bev_ap_r11_moderate": 0.0031347962,
    "pedestrian_3d_ap_r40_moderate": 0.0007936508,
    "pedestrian_3d_ap_r11_moderate": 0.0028860029,
    "pedestrian_aos_r40_moderate": 0.0670946053,
    "pedestrian_aos_r11_moderate": 0.0939208563,
    "pedestrian_bbox_ap_r40_moderate_loose": 0.0686488525,
    "pedestrian_bbox_ap_r11_moderate_loose": 0.0967625379,
    "pedestrian_bev_ap_r40_moderate_loose": 0.0268037311,
    "pedestrian_bev_ap_r11_moderate_loose": 0.0611285266,
    "pedestrian_3d_ap_r40_moderate_loose": 0.0177525253,
    "pedestrian_3d_ap_r11_moderate_loose": 0.0402203857,
    "pedestrian_aos_r40_moderate_loose": 0.0670946053,
    "pedestrian_aos_r11_moderate_loose": 0.0939208563,
    "cyclist_bbox_ap_r40_moderate": 0.0322957121,
    "cyclist_bbox_ap_r11_moderate": 0.0661157025,
    "cyclist_bev_ap_r40_moderate": 0.0032608696,
    "cyclist_bev_ap_r11_moderate": 0.0059288538,
    "cyclist_3d_ap_r40_moderate": 0.0010416667,
    "cyclist_3d_ap_r11_moderate": 0.0039525692,
    "cyclist_aos_r40_moderate": 0.0308106787,
    "cyclist_aos_r11_moderate": 0.0645260537,
    "cyclist_bbox_ap_r40_moderate_loose": 0.0322957121,
    "cyclist_bbox_ap_r11_moderate_loose": 0.0661157025,
    "cyclist_bev_ap_r40_moderate_loose": 0.0111111111,
    "cyclist_bev_ap_r11_moderate_loose": 0.0202020202,
    "cyclist_3d_ap_r40_moderate_loose": 0.0106382979,
    "cyclist_3d_ap_r11_moderate_loose": 0.0193423598,
    "cyclist_aos_r40_moderate_loose": 0.0308106787,
    "cyclist_aos_r11_moderate_loose": 0.0645260537,
    "car_bbox_ap_r40_easy": 0.1003978717,
    "car_bbox_ap_r40_hard": 0.4440366972,
    "car_bev_ap_r40_easy": 0.0036644967,
    "car_bev_ap_r40_hard": 0.1333253915,
    "car_3d_ap_r40_easy": 0.0000000000,
    "car_3d_ap_r40_hard": 0.0209434789,
    "car_aos_r40_easy": 0.0930814941,
    "car_aos_r40_hard": 0.4202066362,
}


def test_equal_to_openpcdet_on_random_frames():
    flat = flat_metrics(evaluate_kitti(*synthetic_frames(0, 60)))
    assert len(OPENPCDET) == 56
    for key, expected in OPENPCDET.items():
        assert flat[key] == pytest.approx(expected, abs=1e-6), key
