"""Rotated-box IoU in bird's-eye view and in 3D, by polygon clipping (Sutherland-Hodgman).

Boxes are LiDAR boxes ``[x, y, z, length, width, height, yaw]`` (z the centre). The BEV
footprints are convex quadrilaterals; their intersection is the first one clipped by the four
edges of the second. Pairs whose circumscribed circles do not meet are skipped, and the rest
are clipped all at once in numpy (polygons padded to a fixed number of vertices), so a frame
of 20 objects against 100 detections costs a few array operations, not 2,000 Python loops.
"""

from __future__ import annotations

import numpy as np

# A convex quadrilateral clipped by four half-planes keeps at most 8 vertices; two spare
# slots absorb the rare extra vertex that rounding creates on nearly collinear edges.
_MAX_VERTICES = 10


def bev_corners(boxes: np.ndarray) -> np.ndarray:
    """[N, 4, 2] footprint corners, counter-clockwise (front-left, rear-left, rear-right,
    front-right in the box's own frame)."""
    boxes = _as_boxes(boxes)
    cos, sin = np.cos(boxes[:, 6]), np.sin(boxes[:, 6])
    u = np.array([0.5, -0.5, -0.5, 0.5])[None, :] * boxes[:, 3:4]
    v = np.array([0.5, 0.5, -0.5, -0.5])[None, :] * boxes[:, 4:5]
    x = boxes[:, 0:1] + cos[:, None] * u - sin[:, None] * v
    y = boxes[:, 1:2] + sin[:, None] * u + cos[:, None] * v
    return np.stack([x, y], axis=-1)


def _as_boxes(boxes) -> np.ndarray:
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 7)


def _cross(origin: np.ndarray, direction: np.ndarray, points: np.ndarray) -> np.ndarray:
    """z of direction x (points - origin): > 0 where the points lie left of the edge."""
    return direction[..., 0] * (points[..., 1] - origin[..., 1]) - direction[..., 1] * (
        points[..., 0] - origin[..., 0]
    )


def _clip(polygon: np.ndarray, count: np.ndarray, start: np.ndarray, end: np.ndarray):
    """One Sutherland-Hodgman step for K polygons at once: the part of each padded polygon
    [K, V, 2] (its first `count` vertices valid) left of the directed edge start -> end."""
    k, slots = polygon.shape[:2]
    index = np.arange(slots)
    following = (index[None, :] + 1) % np.maximum(count, 1)[:, None]
    nxt = np.take_along_axis(polygon, following[..., None], axis=1)
    valid = index[None, :] < count[:, None]
    direction = (end - start)[:, None, :]
    side_p = _cross(start[:, None, :], direction, polygon)
    side_q = _cross(start[:, None, :], direction, nxt)
    inside_p, inside_q = side_p >= 0, side_q >= 0
    crossing = valid & (inside_p != inside_q)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(crossing, side_p / np.where(crossing, side_p - side_q, 1.0), 0.0)
    cut = polygon + t[..., None] * (nxt - polygon)
    # Each input vertex emits itself (if inside) then the crossing point (if any), in order.
    candidates = np.stack([polygon, cut], axis=2).reshape(k, 2 * slots, 2)
    keep = np.stack([valid & inside_p, crossing], axis=2).reshape(k, 2 * slots)
    order = np.argsort(~keep, axis=1, kind="stable")[:, :_MAX_VERTICES]
    clipped = np.take_along_axis(candidates, order[..., None], axis=1)
    return clipped, np.minimum(keep.sum(axis=1), _MAX_VERTICES)


def _polygon_area(polygon: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Shoelace area of K padded polygons."""
    index = np.arange(polygon.shape[1])
    following = (index[None, :] + 1) % np.maximum(count, 1)[:, None]
    nxt = np.take_along_axis(polygon, following[..., None], axis=1)
    terms = polygon[..., 0] * nxt[..., 1] - nxt[..., 0] * polygon[..., 1]
    terms = np.where(index[None, :] < count[:, None], terms, 0.0)
    return np.where(count >= 3, np.abs(terms.sum(axis=1)) / 2, 0.0)


def quad_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[K] intersection areas of K pairs of convex counter-clockwise quadrilaterals
    a [K, 4, 2] and b [K, 4, 2]."""
    k = len(a)
    polygon = np.zeros((k, _MAX_VERTICES, 2))
    polygon[:, :4] = a
    count = np.full(k, 4)
    for edge in range(4):
        polygon, count = _clip(polygon, count, b[:, edge], b[:, (edge + 1) % 4])
    return _polygon_area(polygon, count)


def bev_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, M] BEV footprint intersection areas of boxes a [N, 7] and b [M, 7]."""
    a, b = _as_boxes(a), _as_boxes(b)
    out = np.zeros((len(a), len(b)))
    if len(a) == 0 or len(b) == 0:
        return out
    radius_a = 0.5 * np.hypot(a[:, 3], a[:, 4])
    radius_b = 0.5 * np.hypot(b[:, 3], b[:, 4])
    gap = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    rows, cols = np.nonzero(gap < radius_a[:, None] + radius_b[None, :])
    if len(rows):
        out[rows, cols] = quad_intersection(bev_corners(a)[rows], bev_corners(b)[cols])
    return out


def bev_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, M] IoU of the boxes' BEV footprints."""
    a, b = _as_boxes(a), _as_boxes(b)
    inter = bev_intersection(a, b)
    union = (a[:, 3] * a[:, 4])[:, None] + (b[:, 3] * b[:, 4])[None, :] - inter
    return inter / np.maximum(union, 1e-12)


def iou_3d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, M] IoU of the boxes' volumes: BEV intersection x overlap of the z extents, over
    the union of the volumes."""
    a, b = _as_boxes(a), _as_boxes(b)
    inter = bev_intersection(a, b)
    top = np.minimum((a[:, 2] + a[:, 5] / 2)[:, None], (b[:, 2] + b[:, 5] / 2)[None, :])
    bottom = np.maximum((a[:, 2] - a[:, 5] / 2)[:, None], (b[:, 2] - b[:, 5] / 2)[None, :])
    volume = inter * np.maximum(top - bottom, 0.0)
    union = np.prod(a[:, 3:6], axis=1)[:, None] + np.prod(b[:, 3:6], axis=1)[None, :] - volume
    return volume / np.maximum(union, 1e-12)


def image_iou(a: np.ndarray, b: np.ndarray, over: str = "union") -> np.ndarray:
    """[N, M] overlap of image boxes [left, top, right, bottom] (KITTI adds no pixel):
    intersection over the union, or over = "first" for the area of a's boxes (the devkit's
    criterion for detections inside DontCare regions)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    width = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    height = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.maximum(width, 0) * np.maximum(height, 0)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    if over == "first":
        return inter / np.maximum(area_a[:, None], 1e-12)
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-12)
