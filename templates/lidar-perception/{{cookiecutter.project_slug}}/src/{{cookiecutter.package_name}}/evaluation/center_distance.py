"""nuScenes-style detection AP: matches by centre distance in bird's-eye view instead of
IoU, the lenient view beside KITTI's.

As the nuScenes devkit computes it: detections sorted by score match greedily the closest
unmatched object of their class within the threshold (0.5, 1, 2 and 4 m); precision is
interpolated on 101 recall positions; AP is the area above 10% precision for recalls above
10%, normalised: mean(max(precision - 0.1, 0)) / 0.9 over recalls > 0.1.
"""

from __future__ import annotations

import numpy as np

from ..data.scan import Objects

THRESHOLDS = (0.5, 1.0, 2.0, 4.0)
MIN_RECALL = MIN_PRECISION = 0.1


def class_ap(gt: list[Objects], dt: list[Objects], name: str, threshold: float) -> float:
    entries, total = [], 0
    for frame, (g, d) in enumerate(zip(gt, dt, strict=True)):
        total += int((g.names == name).sum())
        scores = d.scores if d.scores is not None else np.ones(len(d))
        entries += [(float(scores[j]), frame, j) for j in np.flatnonzero(d.names == name)]
    if total == 0:
        return float("nan")
    entries.sort(key=lambda entry: -entry[0])
    taken = {frame: set() for frame in range(len(gt))}
    hits = []
    for _, frame, j in entries:
        g = gt[frame]
        candidates = np.flatnonzero(g.names == name)
        best, best_distance = -1, threshold
        for i in candidates:
            if i in taken[frame]:
                continue
            distance = float(np.hypot(*(g.boxes[i, :2] - dt[frame].boxes[j, :2])))
            if distance < best_distance:
                best, best_distance = int(i), distance
        if best >= 0:
            taken[frame].add(best)
        hits.append(best >= 0)
    if not hits:
        return 0.0
    tp = np.cumsum(hits)
    fp = np.cumsum(~np.asarray(hits))
    precision = tp / (tp + fp)
    recall = tp / total
    positions = np.linspace(0, 1, 101)
    interpolated = np.interp(positions, recall, precision, right=0)
    interpolated = np.maximum.accumulate(interpolated[::-1])[::-1]
    kept = interpolated[positions > MIN_RECALL + 1e-9] - MIN_PRECISION
    return float(np.clip(kept, 0, None).mean() / (1 - MIN_PRECISION))


def center_distance_map(gt: list[Objects], dt: list[Objects], classes) -> dict:
    """{class: {"0.5": AP, "1": ..., "mean": ...}, "mean": mAP over classes with objects}."""
    out: dict = {}
    means = []
    for name in classes:
        row = {f"{t:g}": class_ap(gt, dt, name, t) for t in THRESHOLDS}
        values = [v for v in row.values() if not np.isnan(v)]
        row["mean"] = float(np.mean(values)) if values else float("nan")
        out[name] = {k: (None if np.isnan(v) else v) for k, v in row.items()}
        if values:
            means.append(row["mean"])
    out["mean"] = float(np.mean(means)) if means else None
    return out
