"""nuScenes-style detection AP: detections match objects by BEV centre distance instead of
IoU, the lenient view beside KITTI's.

As the nuScenes devkit (``detection/algo.py``) computes it, per class and distance threshold
(0.5, 1, 2 and 4 m): detections sorted by descending score each take the closest not yet
taken object of their class in their frame, a match when that distance is below the
threshold; the cumulative precision is sampled at 101 evenly spaced recalls (linear
interpolation, 0 beyond the largest recall reached, no envelope); AP is the mean of
max(precision - 0.1, 0) over the recalls above 0.1, divided by 0.9.

A class without objects has no AP (None): unlike nuScenes, which would count it as 0, it is
left out of the mean.
"""

from __future__ import annotations

import numpy as np

from ..data.scan import Objects

THRESHOLDS = (0.5, 1.0, 2.0, 4.0)
MIN_RECALL = 0.1
MIN_PRECISION = 0.1
RECALL_POINTS = 101


def match_by_centre(gt: list[Objects], dt: list[Objects], name: str, threshold: float):
    """(hit [K] bool in descending score order, number of objects) for class `name`."""
    entries, total = [], 0
    for frame, (g, d) in enumerate(zip(gt, dt, strict=True)):
        total += int((g.names == name).sum())
        scores = d.scores if d.scores is not None else np.ones(len(d))
        entries += [(float(scores[j]), frame, int(j)) for j in np.flatnonzero(d.names == name)]
    entries.sort(key=lambda entry: -entry[0])  # stable: equal scores keep detection order
    free = {frame: np.flatnonzero(g.names == name) for frame, g in enumerate(gt)}
    hits = np.zeros(len(entries), dtype=bool)
    for rank, (_, frame, j) in enumerate(entries):
        candidates = free[frame]
        if len(candidates) == 0:
            continue
        offset = gt[frame].boxes[candidates, :2] - dt[frame].boxes[j, :2]
        distance = np.hypot(offset[:, 0], offset[:, 1])
        nearest = int(np.argmin(distance))
        if distance[nearest] < threshold:
            hits[rank] = True
            free[frame] = np.delete(candidates, nearest)
    return hits, total


def average_precision(hits: np.ndarray, total: int) -> float:
    """nuScenes' calc_ap from the match flags in score order and the number of objects."""
    if total == 0:
        return float("nan")
    if not hits.any():
        return 0.0
    tp = np.cumsum(hits).astype(np.float64)
    fp = np.cumsum(~hits).astype(np.float64)
    precision = tp / (tp + fp)
    recall = tp / total
    positions = np.linspace(0.0, 1.0, RECALL_POINTS)
    sampled = np.interp(positions, recall, precision, right=0.0)
    kept = sampled[round(100 * MIN_RECALL) + 1 :] - MIN_PRECISION
    return float(np.clip(kept, 0.0, None).mean() / (1.0 - MIN_PRECISION))


def class_ap(gt: list[Objects], dt: list[Objects], name: str, threshold: float) -> float:
    """AP of one class at one distance threshold (nan without objects of the class)."""
    return average_precision(*match_by_centre(gt, dt, name, threshold))


def center_distance_map(gt: list[Objects], dt: list[Objects], classes, thresholds=THRESHOLDS):
    """{class: {"0.5": AP, "1": AP, "2": AP, "4": AP, "mean": AP}, "mean": mAP over the
    classes with objects}; None where a class has no objects."""
    if len(gt) != len(dt):
        raise ValueError(f"{len(gt)} ground-truth frames but {len(dt)} detection frames")
    out: dict = {}
    means = []
    for name in classes:
        row = {f"{t:g}": class_ap(gt, dt, name, t) for t in thresholds}
        values = [v for v in row.values() if not np.isnan(v)]
        row["mean"] = float(np.mean(values)) if values else float("nan")
        out[name] = {k: (None if np.isnan(v) else v) for k, v in row.items()}
        if values:
            means.append(row["mean"])
    out["mean"] = float(np.mean(means)) if means else None
    return out
