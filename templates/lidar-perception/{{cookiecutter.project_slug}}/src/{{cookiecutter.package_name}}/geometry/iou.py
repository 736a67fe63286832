"""Rotated-box IoU in bird's-eye view and in 3D, by polygon clipping (Sutherland-Hodgman).

Boxes are LiDAR boxes ``[x, y, z, length, width, height, yaw]``. Two boxes whose
circumscribed circles do not meet are skipped before any clipping, so scoring a frame with a
hundred detections costs a few pairs per object, not a hundred.
"""

from __future__ import annotations

import numpy as np


def _corners(box) -> list[tuple[float, float]]:
    """The four BEV corners of one box, counter-clockwise."""
    x, y, length, width, yaw = box[0], box[1], box[3], box[4], box[6]
    cos, sin = np.cos(yaw), np.sin(yaw)
    out = []
    for u, v in ((0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5), (0.5, -0.5)):
        du, dv = u * length, v * width
        out.append((x + cos * du - sin * dv, y + sin * du + cos * dv))
    return out


def _clip(subject: list, a: tuple, b: tuple) -> list:
    """The part of polygon `subject` left of the directed edge a -> b."""
    out = []
    ax, ay = a
    ex, ey = b[0] - ax, b[1] - ay
    count = len(subject)
    for i in range(count):
        p, q = subject[i], subject[(i + 1) % count]
        side_p = ex * (p[1] - ay) - ey * (p[0] - ax)
        side_q = ex * (q[1] - ay) - ey * (q[0] - ax)
        if side_p >= 0:
            out.append(p)
        if (side_p >= 0) != (side_q >= 0):
            t = side_p / (side_p - side_q)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def _area(polygon: list) -> float:
    area = 0.0
    for i in range(len(polygon)):
        (x0, y0), (x1, y1) = polygon[i], polygon[(i + 1) % len(polygon)]
        area += x0 * y1 - x1 * y0
    return abs(area) / 2


def polygon_intersection(a: list, b: list) -> float:
    """Area of the intersection of two convex counter-clockwise polygons."""
    clipped = a
    for i in range(len(b)):
        if not clipped:
            return 0.0
        clipped = _clip(clipped, b[i], b[(i + 1) % len(b)])
    return _area(clipped) if len(clipped) >= 3 else 0.0


def bev_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, M] BEV intersection areas of boxes a [N, 7] and b [M, 7]."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 7)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 7)
    out = np.zeros((len(a), len(b)))
    if len(a) == 0 or len(b) == 0:
        return out
    radius_a = 0.5 * np.hypot(a[:, 3], a[:, 4])
    radius_b = 0.5 * np.hypot(b[:, 3], b[:, 4])
    gap = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    rows, cols = np.nonzero(gap < radius_a[:, None] + radius_b[None, :])
    corners_a = {i: _corners(a[i]) for i in set(rows.tolist())}
    corners_b = {j: _corners(b[j]) for j in set(cols.tolist())}
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        out[i, j] = polygon_intersection(corners_a[i], corners_b[j])
    return out


def bev_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, M] IoU of the boxes' footprints."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 7)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 7)
    inter = bev_intersection(a, b)
    union = (a[:, 3] * a[:, 4])[:, None] + (b[:, 3] * b[:, 4])[None, :] - inter
    return inter / np.maximum(union, 1e-12)


def iou_3d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, M] IoU of the boxes' volumes (footprint intersection x height overlap)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 7)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 7)
    inter = bev_intersection(a, b)
    top = np.minimum((a[:, 2] + a[:, 5] / 2)[:, None], (b[:, 2] + b[:, 5] / 2)[None, :])
    bottom = np.maximum((a[:, 2] - a[:, 5] / 2)[:, None], (b[:, 2] - b[:, 5] / 2)[None, :])
    volume = inter * np.maximum(top - bottom, 0)
    union = np.prod(a[:, 3:6], axis=1)[:, None] + np.prod(b[:, 3:6], axis=1)[None, :] - volume
    return volume / np.maximum(union, 1e-12)


def image_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, M] IoU of image boxes [left, top, right, bottom] (KITTI adds no pixel)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    width = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    height = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.maximum(width, 0) * np.maximum(height, 0)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-12)
