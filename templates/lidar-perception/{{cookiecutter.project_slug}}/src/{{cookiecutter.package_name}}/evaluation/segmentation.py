"""Segmentation scores from a confusion matrix over SemanticKITTI's train ids (0 = ignore):
rows are the true classes, columns the predicted ones; ignored points never count, also
where a class was predicted for them."""

from __future__ import annotations

import numpy as np

DISTANCE_BINS = ((0.0, 20.0), (20.0, 40.0), (40.0, float("inf")))


def confusion(predicted, target, num_classes: int, ignore_index: int = 0) -> np.ndarray:
    predicted = np.asarray(predicted, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    keep = target != ignore_index
    counts = np.bincount(
        target[keep] * num_classes + predicted[keep], minlength=num_classes * num_classes
    )
    return counts.reshape(num_classes, num_classes)


def iou_per_class(matrix: np.ndarray) -> np.ndarray:
    """IoU of each class (nan where the class is neither present nor predicted)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    hits = np.diag(matrix)
    union = matrix.sum(0) + matrix.sum(1) - hits
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, hits / union, np.nan)


def miou(matrix: np.ndarray, ignore_index: int = 0) -> float:
    """Mean IoU over the classes present in the targets (the ignore class left out)."""
    matrix = np.asarray(matrix)
    present = matrix.sum(1) > 0
    present[ignore_index] = False
    ious = iou_per_class(matrix)
    return float(np.nanmean(ious[present])) if present.any() else float("nan")


def by_distance(points, predicted, target, num_classes: int, bins=DISTANCE_BINS) -> list:
    """One confusion matrix per range bin of the points' horizontal distance."""
    distance = np.hypot(points[:, 0], points[:, 1])
    return [
        confusion(predicted[(distance >= low) & (distance < high)],
                  target[(distance >= low) & (distance < high)], num_classes)
        for low, high in bins
    ]  # fmt: skip
