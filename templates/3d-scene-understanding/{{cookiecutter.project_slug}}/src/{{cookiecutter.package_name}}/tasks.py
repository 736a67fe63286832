"""The two tasks of this project, as the training engine sees them.

``task: classification`` labels each cloud ([B, P, 3] -> [B] labels), ``task: segmentation``
labels each point of a scene ([B, P, 3] -> [B, P] labels). Both share the data loading, the
models (each has a classification and a segmentation head) and the metrics, which are all
computed from one summable confusion matrix, so they are exact under DDP.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from .data import class_names, load_split
from .engine.task import Task
from .metrics import IGNORE_INDEX, confusion_matrix, metrics_from_confusion
from .models import build_model

PRIMARY_METRIC = {"classification": "overall_accuracy", "segmentation": "miou"}


class PointCloudTask(Task):
    """Classification or segmentation of point clouds, chosen by ``cfg["task"]``."""

    def __init__(self, cfg: dict):
        self.task = cfg.get("task", "classification")
        if self.task not in PRIMARY_METRIC:
            raise ValueError(f"task must be classification or segmentation, got {self.task!r}")
        self.primary_metric = PRIMARY_METRIC[self.task]
        self.class_names = class_names(cfg["data"], self.task)
        self.num_classes = len(self.class_names)
        augment = cfg.get("augment") or {}
        self.rotation = augment.get("rotation", "none")  # so3 | z | none
        self.scale = tuple(augment.get("scale", (1.0, 1.0)))  # per-axis range
        self.jitter = float(augment.get("jitter", 0.0))
        self.label_smoothing = float(cfg.get("label_smoothing", 0.0))

    def load(self, cfg: dict, split: str) -> TensorDataset:
        """One split as tensors (points float32, labels int64)."""
        points, labels, names = load_split(cfg["data"], self.task, split)
        if list(names) != self.class_names:
            raise ValueError(f"{split} split has classes {names}, expected {self.class_names}")
        return TensorDataset(torch.from_numpy(points), torch.from_numpy(labels))

    def build_datasets(self, cfg: dict) -> tuple[TensorDataset, TensorDataset]:
        return self.load(cfg, "train"), self.load(cfg, "val")

    def build_model(self, cfg: dict) -> torch.nn.Module:
        return build_model(cfg["model"], self.num_classes, self.task)

    def logits(self, model: torch.nn.Module, points: torch.Tensor) -> torch.Tensor:
        """Class scores as float32 [N, K]: one row per cloud or per point."""
        return model(points).reshape(-1, self.num_classes).float()

    def compute_loss(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        points, labels = batch
        labels = labels.reshape(-1)
        loss_sum = F.cross_entropy(
            self.logits(model, points),
            labels,
            ignore_index=IGNORE_INDEX,
            label_smoothing=self.label_smoothing,
            reduction="sum",
        )
        # The mean over labelled points; a batch with none gives 0, not the NaN of reduction="mean".
        return loss_sum / (labels != IGNORE_INDEX).sum().clamp(min=1)

    def eval_batch(self, model: torch.nn.Module, batch: tuple) -> dict[str, torch.Tensor]:
        points, labels = batch
        logits = self.logits(model, points)
        labels = labels.reshape(-1)
        # Ignored points (label IGNORE_INDEX) add nothing to the loss, the count or the confusion.
        loss_sum = F.cross_entropy(logits, labels, ignore_index=IGNORE_INDEX, reduction="sum")
        return {
            "confusion": confusion_matrix(logits.argmax(-1), labels, self.num_classes),
            "loss_sum": loss_sum.double(),
            "count": (labels != IGNORE_INDEX).sum().double(),
        }

    def summarize(self, sums: dict[str, torch.Tensor]) -> dict[str, float]:
        metrics = metrics_from_confusion(sums["confusion"])
        return {
            "overall_accuracy": metrics["overall_accuracy"],
            "mean_class_accuracy": metrics["mean_class_accuracy"],
            "miou": metrics["miou"],
            "loss": float(sums["loss_sum"] / sums["count"].clamp(min=1)),
        }

    def augment(self, batch: tuple) -> tuple:
        """Random rotation, anisotropic scaling and jitter of whole clouds, on the device."""
        points, labels = batch
        count, device = points.shape[0], points.device
        if self.rotation != "none":
            points = points @ random_rotation(count, self.rotation, device).transpose(1, 2)
        low, high = self.scale
        if (low, high) != (1.0, 1.0):
            points = points * torch.empty(count, 1, 3, device=device).uniform_(low, high)
        if self.jitter:
            points = points + torch.randn_like(points) * self.jitter
        return points, labels


def random_rotation(count: int, kind: str, device: torch.device | str = "cpu") -> torch.Tensor:
    """Rotation matrices [count, 3, 3]: uniform on SO(3) ("so3") or about the z axis ("z")."""
    if kind == "z":
        angle = torch.rand(count, device=device) * 2 * math.pi
        return z_rotation(angle)
    if kind != "so3":
        raise ValueError(f"rotation must be so3, z or none, got {kind!r}")
    # QR of a Gaussian matrix, signs fixed so the result is uniform and a proper rotation.
    q, r = torch.linalg.qr(torch.randn(count, 3, 3, device=device))
    q = q * torch.sign(torch.diagonal(r, dim1=-2, dim2=-1)).unsqueeze(-2)
    det = torch.linalg.det(q)
    return torch.cat([q[..., :2], q[..., 2:] * det.view(-1, 1, 1)], dim=-1)


def z_rotation(angle: torch.Tensor) -> torch.Tensor:
    """Rotations [N, 3, 3] about the vertical axis by ``angle`` [N] radians."""
    cos, sin = angle.cos(), angle.sin()
    zero, one = torch.zeros_like(angle), torch.ones_like(angle)
    rows = [[cos, -sin, zero], [sin, cos, zero], [zero, zero, one]]
    return torch.stack([torch.stack(row, dim=-1) for row in rows], dim=-2)


def build_task(cfg: dict) -> PointCloudTask:
    """The engine's entry point: the task described by a config."""
    return PointCloudTask(cfg)
