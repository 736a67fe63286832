"""The trained detector on whole scans: KITTI-style objects out, in the LiDAR frame.

Detections get what KITTI's evaluation reads beside the 3D box: the 2D box of its projection
into the camera image (the difficulty filter uses box heights), and the observation angle
alpha (for AOS). As in KITTI, only what the camera sees is scored: detections whose
projection misses the image are dropped, and so are ground-truth objects (which KITTI's
label_2 files never contain)."""

from __future__ import annotations

import time

import numpy as np
import torch

from ..bev.decode import decode
from ..data.scan import Objects, Scan
from ..geometry.boxes import default_calibration, image_boxes, observation_angle
from .inputs import ground_height

IMAGE_SIZE = (1242, 375)


def in_camera_view(objects: Objects, calib) -> Objects:
    """The objects whose box projects into the camera image."""
    if len(objects) == 0:
        return objects
    _, _, visible = image_boxes(objects.boxes, calib, IMAGE_SIZE)
    return objects.subset(np.asarray(visible, dtype=bool))


def scored_ground_truth(scans: list[Scan], grid) -> list[Objects]:
    """Each scan's objects in the camera's view whose centre lies inside the detector's grid
    (the rest are outside what the detector is asked to see, not misses)."""
    out = []
    for scan in scans:
        objects = scan.objects if scan.objects is not None else Objects.empty()
        calib = scan.calib or default_calibration()
        inside = (
            (objects.boxes[:, 0] >= grid.x_range[0])
            & (objects.boxes[:, 0] < grid.x_range[1])
            & (objects.boxes[:, 1] >= grid.y_range[0])
            & (objects.boxes[:, 1] < grid.y_range[1])
        )
        out.append(in_camera_view(objects.subset(inside), calib))
    return out


@torch.no_grad()
def detect_scans(task, model, scans: list[Scan], batch_size: int, device, score_threshold: float):
    """(detections per scan as Objects with scores, seconds per stage per scan)."""
    model.eval()
    rng = np.random.default_rng(0)
    found: list[Objects] = []
    seconds = {"preprocess": 0.0, "network": 0.0, "decode": 0.0}
    for start in range(0, len(scans), batch_size):
        chunk = scans[start : start + batch_size]
        t0 = time.perf_counter()
        inputs = [task.inputs(s, rng, max_objects=1) for s in chunk]
        points = torch.from_numpy(np.stack([i[0] for i in inputs])).to(device)
        t1 = time.perf_counter()
        outputs = model(points)
        t2 = time.perf_counter()
        decoded = {
            k: v.cpu().numpy() for k, v in decode(outputs, task.grid, task.max_detections).items()
        }
        for row, (scan, (_, _, plane)) in enumerate(zip(chunk, inputs, strict=True)):
            keep = decoded["scores"][row] >= score_threshold
            boxes = decoded["boxes"][row][keep].astype(np.float64)
            boxes[:, 2] += ground_height(plane, boxes[:, 0], boxes[:, 1])
            names = np.array(
                [task.class_names[c] for c in decoded["labels"][row][keep]], dtype="<U16"
            )
            found.append(
                detections_as_objects(names, boxes, decoded["scores"][row][keep], scan.calib)
            )
        seconds["preprocess"] += t1 - t0
        seconds["network"] += t2 - t1
        seconds["decode"] += time.perf_counter() - t2
    per_scan = {k: v / max(1, len(scans)) for k, v in seconds.items()}
    return found, per_scan


def detections_as_objects(names, boxes, scores, calib) -> Objects:
    calib = calib or default_calibration()
    if len(boxes) == 0:
        return Objects.empty(with_scores=True)
    bbox, truncation, visible = image_boxes(boxes, calib, IMAGE_SIZE)
    objects = Objects(
        names=names,
        boxes=boxes,
        truncated=np.asarray(truncation, dtype=float),
        occluded=np.zeros(len(boxes), dtype=np.int64),
        bbox=np.asarray(bbox, dtype=float),
        alpha=np.asarray(observation_angle(boxes, calib), dtype=float),
        num_points=np.full(len(boxes), -1, dtype=np.int64),
        scores=np.asarray(scores, dtype=float),
    )
    return objects.subset(np.asarray(visible, dtype=bool))
