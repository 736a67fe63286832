"""The two tasks of this project, as the training engine sees them.

``task: classification`` labels each cloud ([B, P, 3] -> [B] labels), ``task: segmentation``
labels each point of a scene ([B, P, 3] -> [B, P] labels). Both share the data loading, the
models (each has a classification and a segmentation head) and the metrics, which are all
computed from one summable confusion matrix (core/metrics.py), so they are exact under DDP.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from . import data
from .core.errors import ConfigError, DataError
from .core.metrics import classification_metrics, confusion_matrix
from .data.base import IGNORE_INDEX
from .engine.task import Task
from .models import MODELS
from .rotations import KINDS, random_rotations

PRIMARY_METRIC = {"classification": "accuracy", "segmentation": "miou"}


class PointCloudTask(Task):
    """Classification or segmentation of point clouds, chosen by ``cfg["task"]``."""

    def __init__(self, cfg: dict):
        self.task = cfg.get("task", "classification")
        if self.task not in PRIMARY_METRIC:
            raise ConfigError(f"task must be classification or segmentation, got {self.task!r}")
        self.primary_metric = PRIMARY_METRIC[self.task]
        self.dataset = data.from_config(cfg["data"])
        self.class_names = self.dataset.class_names(self.task)
        self.num_classes = len(self.class_names)
        augment = cfg.get("augment") or {}
        self.rotation = augment.get("rotation", "none")  # so3 | z | none
        if self.rotation not in KINDS:
            raise ConfigError(f"augment.rotation must be one of {KINDS}, got {self.rotation!r}")
        self.scale = tuple(augment.get("scale", (1.0, 1.0)))  # per-axis range
        self.jitter = float(augment.get("jitter", 0.0))
        self.label_smoothing = float(cfg.get("label_smoothing", 0.0))

    def build_dataset(self, cfg: dict, split: str) -> TensorDataset:
        """One split as tensors (points float32, labels int64), fixed by data.seed.

        Building the training split first checks that the other splits can be read too
        (``dataset.check``): a corrupt test file must stop training before the first epoch,
        not evaluation after the last one."""
        if split == "train":
            self.dataset.check(self.task, skip=("train",))
        points, labels, names = self.dataset.split(self.task, split)
        if list(names) != self.class_names:
            raise DataError(f"{split} split has classes {names}, expected {self.class_names}")
        return TensorDataset(torch.from_numpy(points), torch.from_numpy(labels))

    def build_model(self, cfg: dict) -> torch.nn.Module:
        # YAML lists become tuples, like the constructors' defaults.
        spec = {k: tuple(v) if isinstance(v, list) else v for k, v in cfg["model"].items()}
        return MODELS.build(spec, num_classes=self.num_classes, task=self.task)

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
        loss = loss_sum / (labels != IGNORE_INDEX).sum().clamp(min=1)
        return loss + regularisation(model)

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
        """accuracy (overall accuracy, OA), mean_class_accuracy (mAcc), miou, macro_f1, the
        per-class accuracy and IoU, and the loss."""
        metrics = classification_metrics(sums["confusion"])
        metrics["loss"] = float(sums["loss_sum"] / sums["count"].clamp(min=1))
        return metrics

    def augment(self, batch: tuple) -> tuple:
        """Random rotation, anisotropic scaling and jitter of whole clouds, on the device."""
        points, labels = batch
        count, device = points.shape[0], points.device
        if self.rotation != "none":
            turn = random_rotations(
                count,
                self.rotation,
                normal=lambda shape: torch.randn(shape, device=device),
                uniform=lambda shape: torch.rand(shape, device=device),
            )
            points = points @ turn.transpose(1, 2)
        low, high = self.scale
        if (low, high) != (1.0, 1.0):
            points = points * torch.empty(count, 1, 3, device=device).uniform_(low, high)
        if self.jitter:
            points = points + torch.randn_like(points) * self.jitter
        return points, labels


def regularisation(model: torch.nn.Module) -> torch.Tensor | float:
    """The sum of the ``regularisation_loss`` terms the model's modules left after the forward
    pass just made (PointNet's orthogonality regulariser of its feature transform), 0 if none.
    Read through ``modules()``, so a DDP or compiled wrapper around the model finds them too."""
    terms = [
        term
        for module in model.modules()
        if isinstance(term := getattr(module, "regularisation_loss", None), torch.Tensor)
    ]
    return sum(terms) if terms else 0.0


def build_task(cfg: dict) -> PointCloudTask:
    """The engine's entry point: the task described by a config."""
    return PointCloudTask(cfg)
