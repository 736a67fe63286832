"""Matching tracks to detections: cost matrices and the Hungarian assignment.

The cost of a (track, detection) pair is ``1 - IoU`` of the track's predicted box and the
detected box, optionally blended with the appearance distance ``(1 - cos) / 2`` of their
embeddings. Pairs of different classes, or that overlap less than the gate, cannot match.
``scipy.optimize.linear_sum_assignment`` finds the assignment of least total cost; pairs above
the largest allowed cost are then dropped, as in SORT.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from ..detection.boxes import box_iou

FORBIDDEN = 1e6  # cost of a pair that must not match


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU [N, M] of boxes a [N, 4] and b [M, 4] (NumPy in and out, the torch box ops inside)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    return box_iou(
        torch.from_numpy(np.asarray(a, np.float64)), torch.from_numpy(np.asarray(b, np.float64))
    ).numpy()


def appearance_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(1 - cosine similarity) / 2 in [0, 1] of unit embeddings a [N, E] and b [M, E]."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    return np.clip((1.0 - np.asarray(a) @ np.asarray(b).T) / 2.0, 0.0, 1.0)


def association_cost(
    iou: np.ndarray,
    same_class: np.ndarray,
    min_iou: float,
    appearance: np.ndarray | None = None,
    appearance_weight: float = 0.0,
) -> np.ndarray:
    """Cost [N, M]: (1 - w) (1 - IoU) + w * appearance; FORBIDDEN across classes or below
    the IoU gate."""
    cost = 1.0 - iou
    if appearance is not None and appearance_weight > 0:
        cost = (1.0 - appearance_weight) * cost + appearance_weight * appearance
    allowed = same_class & (iou >= min_iou)
    return np.where(allowed, cost, FORBIDDEN)


def assign(cost: np.ndarray, max_cost: float) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Least-cost assignment: (matches (row, column), unmatched rows, unmatched columns);
    pairs costing more than `max_cost` are not matches."""
    rows, columns = cost.shape
    if rows == 0 or columns == 0:
        return [], list(range(rows)), list(range(columns))
    r, c = linear_sum_assignment(cost)
    matches = [(int(i), int(j)) for i, j in zip(r, c, strict=True) if cost[i, j] <= max_cost]
    matched_rows = {i for i, _ in matches}
    matched_columns = {j for _, j in matches}
    return (
        matches,
        [i for i in range(rows) if i not in matched_rows],
        [j for j in range(columns) if j not in matched_columns],
    )
