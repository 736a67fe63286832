"""Scans to the detector's fixed-size tensors, once per split.

Per scan: the ground plane is fitted, heights become heights above it, the points inside the
grid (plus a margin for rotation) and above ``ground_cut`` metres are kept, at most
``max_points`` of them (a seeded sample), padded with invalid rows; the objects of the
trained classes become padded rows of ``[class, x, y, z above ground, length, width,
height, yaw]``.
"""

from __future__ import annotations

import numpy as np

from ..bev.grid import BevGrid
from ..bev.ground import fit_ground_plane, height_above
from ..data.scan import Scan


def scan_inputs(
    scan: Scan,
    grid: BevGrid,
    classes: tuple[str, ...],
    max_points: int,
    max_objects: int,
    rng: np.random.Generator,
    margin: float = 4.0,
    ground_cut: float = 0.0,
):
    """(points [max_points, 5], boxes [max_objects, 8], plane [3]) of one scan."""
    points = scan.points
    plane = fit_ground_plane(points)
    height = height_above(points, plane)
    inside = (
        (points[:, 0] >= grid.x_range[0] - margin)
        & (points[:, 0] < grid.x_range[1] + margin)
        & (points[:, 1] >= grid.y_range[0] - margin)
        & (points[:, 1] < grid.y_range[1] + margin)
        & (height >= ground_cut)  # the road itself says nothing about boxes: fewer points
    )
    chosen = np.flatnonzero(inside)
    if len(chosen) > max_points:
        chosen = np.sort(rng.choice(chosen, max_points, replace=False))
    out = np.zeros((max_points, 5), dtype=np.float32)
    out[: len(chosen), 0:2] = points[chosen, 0:2]
    out[: len(chosen), 2] = height[chosen]
    out[: len(chosen), 3] = points[chosen, 3]
    out[: len(chosen), 4] = 1.0
    boxes = np.full((max_objects, 8), -1.0, dtype=np.float32)
    objects = scan.objects
    if objects is not None and len(objects):
        index = {name: i for i, name in enumerate(classes)}
        keep = [i for i, name in enumerate(objects.names) if name in index][:max_objects]
        for slot, i in enumerate(keep):
            box = objects.boxes[i]
            ground = box[0] * plane[0] + box[1] * plane[1] + plane[2]
            boxes[slot] = [index[objects.names[i]], box[0], box[1], box[2] - ground, *box[3:7]]
    return out, boxes, plane.astype(np.float32)


def ground_height(plane: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x * plane[0] + y * plane[1] + plane[2]
