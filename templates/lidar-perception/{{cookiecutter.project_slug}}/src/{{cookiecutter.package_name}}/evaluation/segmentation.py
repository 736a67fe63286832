"""Point-wise segmentation scores from a confusion matrix over SemanticKITTI's train ids.

Rows are the true classes, columns the predicted ones. Train id 0 is "ignore": points whose
target is 0 never count, not even where a class was predicted for them, and class 0 has no
IoU. A counted point predicted as 0 is a miss of its true class (column 0).
"""

from __future__ import annotations

import numpy as np

DISTANCE_EDGES = (0.0, 20.0, 40.0, float("inf"))


def confusion(predicted, target, num_classes: int, ignore_index: int = 0) -> np.ndarray:
    """[num_classes, num_classes] int64 counts: conf[true, predicted]."""
    predicted = np.asarray(predicted, dtype=np.int64).reshape(-1)
    target = np.asarray(target, dtype=np.int64).reshape(-1)
    if predicted.shape != target.shape:
        raise ValueError(f"{len(predicted)} predictions but {len(target)} targets")
    keep = target != ignore_index
    for name, ids in (("target", target[keep]), ("prediction", predicted[keep])):
        if len(ids) and (ids.min() < 0 or ids.max() >= num_classes):
            raise ValueError(f"{name} ids outside [0, {num_classes}): {ids.min()}..{ids.max()}")
    counts = np.bincount(
        target[keep] * num_classes + predicted[keep], minlength=num_classes * num_classes
    )
    return counts.reshape(num_classes, num_classes)


def iou_per_class(matrix: np.ndarray, ignore_index: int | None = 0) -> np.ndarray:
    """[C] IoU of each class: hits over (true + predicted - hits); nan where a class is
    absent from both the targets and the predictions, and for the ignore class."""
    matrix = np.asarray(matrix, dtype=np.float64)
    hits = np.diag(matrix)
    union = matrix.sum(axis=0) + matrix.sum(axis=1) - hits
    with np.errstate(invalid="ignore", divide="ignore"):
        ious = np.where(union > 0, hits / np.where(union > 0, union, 1.0), np.nan)
    if ignore_index is not None:
        ious[ignore_index] = np.nan
    return ious


def miou(matrix: np.ndarray, present=None, ignore_index: int | None = 0) -> float:
    """Mean IoU over the classes present in the targets (rows with points), the ignore class
    left out; `present` (a boolean mask or class ids) overrides that choice, e.g. with the
    classes of a whole dataset when scoring one range bin (a chosen class with neither
    targets nor predictions in the matrix is skipped). nan when no class is left."""
    matrix = np.asarray(matrix)
    if present is None:
        mask = matrix.sum(axis=1) > 0
    else:
        present = np.asarray(present)
        mask = np.zeros(len(matrix), dtype=bool)
        if present.dtype == bool:
            mask[:] = present
        else:
            mask[present.astype(np.int64)] = True
    if ignore_index is not None:
        mask[ignore_index] = False
    ious = iou_per_class(matrix, ignore_index)[mask]
    ious = ious[~np.isnan(ious)]  # a chosen class with neither points nor predictions here
    return float(ious.mean()) if len(ious) else float("nan")


def by_distance(points, predicted, target, num_classes: int, bins=DISTANCE_EDGES,
                ignore_index: int = 0) -> list[np.ndarray]:  # fmt: skip
    """One confusion matrix per range bin [edge_k, edge_k+1) of the points' horizontal
    distance from the sensor (bins: increasing edges, default 0, 20, 40, inf metres)."""
    points = np.asarray(points)
    predicted, target = np.asarray(predicted), np.asarray(target)
    distance = np.hypot(points[:, 0], points[:, 1])
    edges = list(bins)
    out = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (distance >= low) & (distance < high)
        out.append(confusion(predicted[inside], target[inside], num_classes, ignore_index))
    return out
