"""3D detection as the training engine sees it.

Items are fixed-size tensors (``detection/inputs.py``): points [P, 5] and padded boxes
[M, 8]. Targets are drawn on the fly (``bev/targets.py``), after augmentation. Validation
AP, which picks ``best.pt``, matches detections to objects by BEV centre distance (within
``detection.match_distance`` metres, greedily by score) and sums score histograms, so it is
exact under torchrun; the KITTI protocol with rotated-box IoU runs in ``evaluate.py``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.utils.data import TensorDataset

from ..bev.decode import decode
from ..bev.grid import BevGrid
from ..bev.targets import center_targets, rotate_boxes, wrap_angle
from ..core.errors import ConfigError
from ..data import load_scans
from ..engine.task import Task
from ..models import MODELS
from .inputs import scan_inputs
from .losses import detection_losses

LOSS_WEIGHTS = {"heatmap": 1.0, "regression": 2.0, "direction": 0.2}
SCORE_BINS = 1000


class DetectionTask(Task):
    """Boxes of the configured classes (``data.classes``, KITTI type names) in the BEV grid."""

    primary_metric = "map"

    def __init__(self, cfg: dict):
        data = cfg["data"]
        self.class_names = tuple(str(name) for name in data.get("classes") or ())
        if not self.class_names:
            raise ConfigError("data.classes must list KITTI types, e.g. [Car, Pedestrian]")
        self.num_classes = len(self.class_names)
        self.grid = BevGrid.from_config(cfg.get("grid"))
        detection = dict(cfg.get("detection") or {})
        self.max_points = int(detection.get("max_points", 16384))
        self.max_objects = int(detection.get("max_objects", 64))
        self.ground_cut = float(detection.get("ground_cut", 0.0))
        self.max_detections = int(detection.get("max_detections", 100))
        self.match_distance = float(detection.get("match_distance", 1.0))
        self.min_radius = float(detection.get("min_radius", 1.0))
        loss = dict(cfg.get("loss") or {})
        unknown = sorted(set(loss) - set(LOSS_WEIGHTS))
        if unknown:
            raise ConfigError(
                f"loss.{unknown[0]} is not a loss; they are {', '.join(LOSS_WEIGHTS)}"
            )
        self.weights = {**LOSS_WEIGHTS, **{k: float(v) for k, v in loss.items()}}
        augment = cfg.get("augment") or {}
        self.flip = float(augment.get("flip_y", 0.0))
        self.rotate = float(augment.get("rotate_deg", 0.0)) * math.pi / 180
        self.scale = tuple(float(v) for v in augment.get("scale", (1.0, 1.0)))
        self._scans: dict = {}

    # ---- data ------------------------------------------------------------------------------
    def scans(self, cfg: dict, split: str) -> list:
        key = (split, id(cfg["data"]))
        if key not in self._scans:
            self._scans[key] = load_scans(cfg, split)
        return self._scans[key]

    def build_dataset(self, cfg: dict, split: str) -> TensorDataset:
        scans = self.scans(cfg, split)
        rng = np.random.default_rng(int(cfg["data"].get("seed") or 0))
        points, boxes = [], []
        for scan in scans:
            p, b, _ = self.inputs(scan, rng)
            points.append(p)
            boxes.append(b)
        return TensorDataset(torch.from_numpy(np.stack(points)), torch.from_numpy(np.stack(boxes)))

    def inputs(self, scan, rng: np.random.Generator, max_objects: int | None = None):
        """(points, boxes, ground plane) of one scan, as the model takes them."""
        return scan_inputs(
            scan, self.grid, self.class_names, self.max_points,
            max_objects or self.max_objects, rng, ground_cut=self.ground_cut,
        )  # fmt: skip

    def build_model(self, cfg: dict) -> torch.nn.Module:
        return MODELS.build(cfg["model"], num_classes=self.num_classes, grid=self.grid)

    # ---- training ----------------------------------------------------------------------------
    def augment(self, batch: tuple) -> tuple:
        """Mirror across the x-z plane, a small turn about z and a global scale, points and
        boxes alike (CenterPoint's global augmentations)."""
        points, boxes = batch
        points, boxes = points.clone(), boxes.clone()
        batch_size = points.shape[0]
        real = boxes[..., 0] >= 0
        if self.flip > 0:
            flip = (torch.rand(batch_size, device=points.device) < self.flip)[:, None]
            points[..., 1] = torch.where(flip, -points[..., 1], points[..., 1])
            boxes[..., 1] = torch.where(flip & real, -boxes[..., 1], boxes[..., 1])
            boxes[..., 7] = torch.where(flip & real, -boxes[..., 7], boxes[..., 7])
        if self.rotate > 0:
            angle = (torch.rand(batch_size, device=points.device) * 2 - 1) * self.rotate
            cos, sin = torch.cos(angle)[:, None], torch.sin(angle)[:, None]
            x, y = points[..., 0].clone(), points[..., 1].clone()
            points[..., 0], points[..., 1] = cos * x - sin * y, sin * x + cos * y
            turned = rotate_boxes(boxes, angle)
            turned[..., 7] = wrap_angle(turned[..., 7])
            boxes = torch.where(real[..., None], turned, boxes)
        if self.scale != (1.0, 1.0):
            low, high = self.scale
            s = low + torch.rand(batch_size, device=points.device) * (high - low)
            points[..., :3] *= s[:, None, None]
            scaled = boxes.clone()
            scaled[..., 1:7] *= s[:, None, None]
            boxes = torch.where(real[..., None], scaled, boxes)
        return points, boxes

    def losses(self, model, batch) -> tuple[dict, dict]:
        points, boxes = batch
        outputs = model(points)
        targets = center_targets(boxes.float(), self.num_classes, self.grid, self.min_radius)
        return outputs, detection_losses(outputs, targets)

    def compute_loss(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        _, losses = self.losses(model, batch)
        return sum(self.weights[name] * value for name, value in losses.items())

    # ---- evaluation --------------------------------------------------------------------------
    def eval_batch(self, model: torch.nn.Module, batch: tuple) -> dict[str, torch.Tensor]:
        outputs, losses = self.losses(model, batch)
        loss = sum(self.weights[name] * value for name, value in losses.items())
        detections = decode(outputs, self.grid, self.max_detections)
        boxes = batch[1]
        device = boxes.device
        tp = torch.zeros(self.num_classes, SCORE_BINS, dtype=torch.float64, device=device)
        fp = torch.zeros_like(tp)
        gt = torch.zeros(self.num_classes, dtype=torch.float64, device=device)
        for i in range(boxes.shape[0]):
            for c in range(self.num_classes):
                truth = boxes[i][boxes[i, :, 0] == c][:, 1:3]
                gt[c] += len(truth)
                mine = detections["labels"][i] == c
                scores = detections["scores"][i][mine]
                centres = detections["boxes"][i][mine][:, :2]
                hits = match_by_distance(centres, scores, truth, self.match_distance)
                bins = (scores * SCORE_BINS).long().clamp(0, SCORE_BINS - 1)
                tp[c].index_add_(0, bins, hits.double())
                fp[c].index_add_(0, bins, (~hits.bool()).double())
        count = torch.tensor(float(boxes.shape[0]), device=device, dtype=torch.float64)
        return {
            "tp": tp,
            "fp": fp,
            "gt": gt,
            "loss_sum": loss.detach().double() * count,
            "count": count,
        }

    def summarize(self, sums: dict[str, torch.Tensor]) -> dict:
        ap = histogram_ap(sums["tp"].cpu(), sums["fp"].cpu(), sums["gt"].cpu())
        scores = {
            f"ap_{name.lower()}": float(value)
            for name, value in zip(self.class_names, ap, strict=True)
        }
        present = [float(v) for v, g in zip(ap, sums["gt"].cpu(), strict=True) if g > 0]
        scores["map"] = float(np.mean(present)) if present else 0.0
        scores["loss"] = float(sums["loss_sum"] / sums["count"].clamp(min=1))
        return scores


def match_by_distance(centres, scores, truth, distance: float) -> torch.Tensor:
    """1 for each detection matched (greedily by score) to an unmatched object within
    `distance` metres in BEV, else 0."""
    hits = torch.zeros(len(scores), device=scores.device)
    if len(scores) == 0 or len(truth) == 0:
        return hits
    order = torch.argsort(scores, descending=True)
    gaps = torch.cdist(centres[order].float(), truth.float())
    taken = torch.zeros(len(truth), dtype=torch.bool, device=scores.device)
    for rank in range(len(order)):
        row = gaps[rank].masked_fill(taken, float("inf"))
        best = int(torch.argmin(row))
        if row[best] <= distance:
            taken[best] = True
            hits[order[rank]] = 1.0
    return hits


def histogram_ap(tp: torch.Tensor, fp: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """AP per class from score histograms [C, bins] (high scores first), all-point
    interpolation."""
    tp_cum = tp.flip(1).cumsum(1)
    fp_cum = fp.flip(1).cumsum(1)
    recall = tp_cum / gt.clamp(min=1)[:, None]
    precision = tp_cum / (tp_cum + fp_cum).clamp(min=1e-9)
    precision = precision.flip(1).cummax(1).values.flip(1)  # max to the right
    previous = torch.cat([torch.zeros_like(recall[:, :1]), recall[:, :-1]], dim=1)
    return ((recall - previous) * precision).sum(1)
