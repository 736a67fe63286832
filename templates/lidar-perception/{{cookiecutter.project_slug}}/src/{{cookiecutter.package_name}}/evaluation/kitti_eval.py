"""The KITTI object protocol: 2D, BEV and 3D AP and AOS, with 40 recall positions (R40) and
the old 11 (R11), per class and difficulty, as the official devkit computes them.

The steps, each as the devkit (and OpenPCDet's port of it) does them:

* **difficulty** (``clean``): an object counts for easy / moderate / hard when its image box is
  at least 40 / 25 / 25 pixels high, its occlusion at most 0 / 1 / 2 and its truncation at
  most 0.15 / 0.3 / 0.5; objects of a neighbouring class (Van for Car, Person_sitting for
  Pedestrian) and those too hard are *ignored*: a detection on them is neither a true nor a
  false positive. Detections whose image box is lower than the difficulty's minimum height
  are ignored too; ``DontCare`` regions swallow 2D false positives.
* **thresholds**: the scores of the true positives (each object's best-scoring detection
  above the overlap) are sampled at 41 evenly spaced recall positions;
* **precision** at each threshold, with greedy matching (highest overlap) and the ignores
  above, then interpolated (the maximum to its right); AP R40 averages the 40 positions
  after recall 0, AP R11 every fourth of the 41, recall 0 included; AOS weighs each true
  positive by (1 + cos(angle error)) / 2 on the 2D matching.

Overlaps: the strict set is KITTI's benchmark (Car 0.7, Pedestrian 0.5, Cyclist 0.5 for
every metric), the loose set 0.5 / 0.5 / 0.5 in 2D and 0.5 / 0.25 / 0.25 in BEV and 3D.
APs are fractions in [0, 1], not percent.
"""

from __future__ import annotations

import math

import numpy as np

from ..data.scan import Objects
from ..geometry.iou import bev_iou, image_iou, iou_3d

DIFFICULTIES = ("easy", "moderate", "hard")
MIN_HEIGHT = (40.0, 25.0, 25.0)
MAX_OCCLUSION = (0, 1, 2)
MAX_TRUNCATION = (0.15, 0.3, 0.5)
SAMPLE_POINTS = 41
NEIGHBOURS = {"car": "van", "pedestrian": "person_sitting"}
STRICT = {"Car": 0.7, "Pedestrian": 0.5, "Cyclist": 0.5}
LOOSE = {"bbox": {"Car": 0.5, "Pedestrian": 0.5, "Cyclist": 0.5},
         "bev": {"Car": 0.5, "Pedestrian": 0.25, "Cyclist": 0.25},
         "3d": {"Car": 0.5, "Pedestrian": 0.25, "Cyclist": 0.25}}  # fmt: skip
METRICS = ("bbox", "bev", "3d")


def clean(gt: Objects, dt: Objects, name: str, difficulty: int):
    """(ignored_gt [M] in {-1 other class, 0 counted, 1 ignored}, ignored_dt [K] in
    {-1 other class, 0 counted, 1 ignored}, dontcare boxes, counted objects)."""
    current = name.lower()
    gt_names = np.char.lower(gt.names.astype(str))
    height = gt.bbox[:, 3] - gt.bbox[:, 1]
    too_hard = (
        (gt.occluded > MAX_OCCLUSION[difficulty])
        | (gt.truncated > MAX_TRUNCATION[difficulty])
        | (height <= MIN_HEIGHT[difficulty])
    )
    same = gt_names == current
    neighbour = gt_names == NEIGHBOURS.get(current, "\0")
    ignored_gt = np.full(len(gt), -1, dtype=np.int64)
    ignored_gt[same & ~too_hard] = 0
    ignored_gt[neighbour | (same & too_hard)] = 1
    dontcare = gt.bbox[gt_names == "dontcare"]
    dt_names = np.char.lower(dt.names.astype(str))
    dt_height = dt.bbox[:, 3] - dt.bbox[:, 1]
    ignored_dt = np.where(dt_names == current, 0, -1)
    ignored_dt[dt_height < MIN_HEIGHT[difficulty]] = 1
    return ignored_gt, ignored_dt, dontcare, int((ignored_gt == 0).sum())


def statistics(overlaps, scores, ignored_gt, ignored_dt, min_overlap, threshold=0.0,
               compute_fp=False, delta_alpha=None, dontcare_overlaps=None):  # fmt: skip
    """The devkit's compute_statistics for one frame: (tp, fp, fn, similarity, scores of the
    true positives). overlaps is [detections, objects]."""
    det_count, gt_count = overlaps.shape
    assigned = [False] * det_count
    below = [compute_fp and scores[j] < threshold for j in range(det_count)]
    tp = fp = fn = 0
    tp_scores, similarities = [], []
    for i in range(gt_count):
        if ignored_gt[i] == -1:
            continue
        chosen, best, best_overlap, on_ignored = -1, None, 0.0, False
        for j in range(det_count):
            if ignored_dt[j] == -1 or assigned[j] or below[j]:
                continue
            overlap = overlaps[j, i]
            if overlap <= min_overlap:
                continue
            if not compute_fp:
                if best is None or scores[j] > best:
                    chosen, best = j, scores[j]
            elif (overlap > best_overlap or on_ignored) and ignored_dt[j] == 0:
                chosen, best, best_overlap, on_ignored = j, 1.0, overlap, False
            elif best is None and ignored_dt[j] == 1:
                chosen, best, on_ignored = j, 1.0, True
        if best is None:
            if ignored_gt[i] == 0:
                fn += 1
        elif ignored_gt[i] == 1 or ignored_dt[chosen] == 1:
            assigned[chosen] = True
        else:
            tp += 1
            tp_scores.append(scores[chosen])
            if delta_alpha is not None:
                similarities.append((1 + math.cos(delta_alpha[chosen, i])) / 2)
            assigned[chosen] = True
    similarity = -1.0
    if compute_fp:
        fp = sum(
            1 for j in range(det_count)
            if not (assigned[j] or ignored_dt[j] != 0 or below[j])
        )  # fmt: skip
        if dontcare_overlaps is not None:  # 2D only: false positives inside DontCare areas
            for k in range(dontcare_overlaps.shape[1]):
                for j in range(det_count):
                    if assigned[j] or ignored_dt[j] != 0 or below[j]:
                        continue
                    if dontcare_overlaps[j, k] > min_overlap:
                        assigned[j] = True
                        fp -= 1
        if delta_alpha is not None:
            similarity = sum(similarities) if (tp > 0 or fp > 0) else -1.0
    return tp, fp, fn, similarity, tp_scores


def sampled_thresholds(scores: list, counted: int) -> list:
    """Scores at (about) 41 evenly spaced recall positions (the devkit's get_thresholds)."""
    scores = sorted(scores, reverse=True)
    thresholds, current = [], 0.0
    for i, score in enumerate(scores):
        left = (i + 1) / counted
        right = (i + 2) / counted if i < len(scores) - 1 else left
        if (right - current) < (current - left) and i < len(scores) - 1:
            continue
        thresholds.append(score)
        current += 1.0 / (SAMPLE_POINTS - 1)
    return thresholds


def overlaps_for(metric: str, gt: Objects, dt: Objects) -> np.ndarray:
    """[detections, objects] overlaps of one frame in the metric's geometry."""
    if metric == "bbox":
        return image_iou(dt.bbox, gt.bbox)
    if metric == "bev":
        return bev_iou(dt.boxes, gt.boxes)
    return iou_3d(dt.boxes, gt.boxes)


def class_curve(gt_frames, dt_frames, name, difficulty, metric, min_overlap, overlaps,
                with_aos=False) -> dict:  # fmt: skip
    """Interpolated precision (and AOS) at the 41 sampled positions of one class."""
    frames, all_scores, counted = [], [], 0
    for index, (gt, dt) in enumerate(zip(gt_frames, dt_frames, strict=True)):
        ignored_gt, ignored_dt, dontcare, valid = clean(gt, dt, name, difficulty)
        counted += valid
        scores = dt.scores if dt.scores is not None else np.ones(len(dt))
        # Rows and columns of other classes never match anything: drop them before the loops.
        rows, cols = np.flatnonzero(ignored_dt != -1), np.flatnonzero(ignored_gt != -1)
        overlap = overlaps[index][np.ix_(rows, cols)]
        scores, ignored_gt, ignored_dt = scores[rows], ignored_gt[cols], ignored_dt[rows]
        delta = None
        if with_aos:
            delta = dt.alpha[rows][:, None] - gt.alpha[cols][None, :]
        dc = image_iou_over_detection(dt.bbox[rows], dontcare) if metric == "bbox" else None
        frame = (overlap, scores.tolist(), ignored_gt.tolist(), ignored_dt.tolist(), delta, dc)
        frames.append(frame)
        *_, tp_scores = statistics(overlap, frame[1], frame[2], frame[3], min_overlap)
        all_scores += tp_scores
    precision = np.zeros(SAMPLE_POINTS)
    aos = np.zeros(SAMPLE_POINTS)
    if counted == 0:
        return {"precision": precision, "aos": aos, "counted": 0}
    thresholds = sampled_thresholds(all_scores, counted)
    table = np.zeros((len(thresholds), 4))
    for overlap, scores, ignored_gt, ignored_dt, delta, dc in frames:
        for t, threshold in enumerate(thresholds):
            tp, fp, fn, similarity, _ = statistics(
                overlap, scores, ignored_gt, ignored_dt, min_overlap, threshold, True, delta, dc
            )
            table[t] += (tp, fp, fn, max(similarity, 0.0) if similarity != -1 else 0.0)
    for t in range(len(thresholds)):
        precision[t] = table[t, 0] / max(table[t, 0] + table[t, 1], 1e-12)
        aos[t] = table[t, 3] / max(table[t, 0] + table[t, 1], 1e-12)
    for t in range(len(thresholds)):
        precision[t] = precision[t:].max()
        aos[t] = aos[t:].max()
    return {"precision": precision, "aos": aos, "counted": counted}


def image_iou_over_detection(dt_boxes: np.ndarray, dontcare: np.ndarray) -> np.ndarray:
    """Intersection over the detection's own area (the devkit's DontCare criterion)."""
    if len(dontcare) == 0:
        return np.zeros((len(dt_boxes), 0))
    width = np.minimum(dt_boxes[:, None, 2], dontcare[None, :, 2]) - np.maximum(
        dt_boxes[:, None, 0], dontcare[None, :, 0]
    )
    height = np.minimum(dt_boxes[:, None, 3], dontcare[None, :, 3]) - np.maximum(
        dt_boxes[:, None, 1], dontcare[None, :, 1]
    )
    inter = np.maximum(width, 0) * np.maximum(height, 0)
    area = (dt_boxes[:, 2] - dt_boxes[:, 0]) * (dt_boxes[:, 3] - dt_boxes[:, 1])
    return inter / np.maximum(area[:, None], 1e-12)


def ap_r40(precision: np.ndarray) -> float:
    return float(precision[1:SAMPLE_POINTS].sum() / 40)


def ap_r11(precision: np.ndarray) -> float:
    return float(precision[0:SAMPLE_POINTS:4].sum() / 11)


def evaluate_kitti(gt: list[Objects], dt: list[Objects], classes=("Car", "Pedestrian", "Cyclist"),
                   metrics=METRICS, difficulties=DIFFICULTIES, loose=True) -> dict:  # fmt: skip
    """result[class][overlap][metric][R40|R11][difficulty] (see the module docstring), with
    metric in bbox, bev, 3d, aos. `overlap` keys are the strict set's threshold as text
    (e.g. "0.7") and "loose"."""
    if len(gt) != len(dt):
        raise ValueError(f"{len(gt)} ground-truth frames but {len(dt)} detection frames")
    cache = {m: [overlaps_for(m, g, d) for g, d in zip(gt, dt, strict=True)] for m in metrics}
    result: dict = {}
    for name in classes:
        sets = {f"{STRICT[name]:g}": {m: STRICT[name] for m in metrics}}
        if loose:
            sets["loose"] = {m: LOOSE[m][name] for m in metrics}
        result[name] = {}
        for key, overlaps in sets.items():
            entry: dict = {}
            for metric in metrics:
                entry[metric] = {"R40": {}, "R11": {}}
                if metric == "bbox":
                    entry["aos"] = {"R40": {}, "R11": {}}
                for level in difficulties:
                    d = DIFFICULTIES.index(level)
                    curve = class_curve(gt, dt, name, d, metric, overlaps[metric], cache[metric],
                                        with_aos=metric == "bbox")  # fmt: skip
                    entry[metric]["R40"][level] = ap_r40(curve["precision"])
                    entry[metric]["R11"][level] = ap_r11(curve["precision"])
                    if metric == "bbox":
                        entry["aos"]["R40"][level] = ap_r40(curve["aos"])
                        entry["aos"]["R11"][level] = ap_r11(curve["aos"])
            result[name][key] = entry
    return result


def flat_metrics(result: dict) -> dict[str, float]:
    """Flat keys such as car_bev_ap_r40_moderate (strict overlap), car_aos_r40_moderate and
    the loose set's with the suffix _loose."""
    flat = {}
    for name, by_overlap in result.items():
        for key, by_metric in by_overlap.items():
            suffix = "_loose" if key == "loose" else ""
            for metric, by_recall in by_metric.items():
                label = "aos" if metric == "aos" else f"{metric}_ap"
                for recall, by_level in by_recall.items():
                    for level, value in by_level.items():
                        flat[f"{name.lower()}_{label}_{recall.lower()}_{level}{suffix}"] = value
    return flat


def centre_distance(objects: Objects) -> np.ndarray:
    return np.hypot(objects.boxes[:, 0], objects.boxes[:, 1])


def filter_by_distance(gt: list[Objects], dt: list[Objects], low: float, high: float):
    """The frames restricted to BEV centre distances in [low, high): objects outside count
    as too hard for every difficulty (ignored: a detection on them is neither true nor
    false), detections outside are dropped."""
    near_gt, near_dt = [], []
    for g, d in zip(gt, dt, strict=True):
        far = ~((centre_distance(g) >= low) & (centre_distance(g) < high))
        g = g.subset(np.arange(len(g)))
        g.occluded = np.where(far, 99, g.occluded)
        keep = (centre_distance(d) >= low) & (centre_distance(d) < high)
        near_gt.append(g)
        near_dt.append(d.subset(keep))
    return near_gt, near_dt
