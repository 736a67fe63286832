"""The image-classification task the shared training engine runs (see engine/task.py).

Config sections read here (the engine reads the rest):
    data:  {name: digits | shapes | cifar10, root, seed, <name>: {options of that dataset}}
    model: {name: a registered model (configs/variants/NAME.yaml), ...its options}
    task:  {label_smoothing: 0.0, augment: {pad: 0, flip: false}}
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from . import data
from .augment import random_crop_flip
from .core.metrics import classification_metrics, confusion_matrix
from .engine.task import Task
from .models import MODELS


class ImageClassification(Task):
    """Cross-entropy classification of images by a registered model."""

    primary_metric = "accuracy"

    def __init__(self, cfg: dict):
        self.dataset = data.from_config(cfg["data"])
        task_cfg = cfg.get("task") or {}
        self.label_smoothing = float(task_cfg.get("label_smoothing", 0.0))
        augment = task_cfg.get("augment") or {}
        self.pad = int(augment.get("pad", 0))
        self.flip = bool(augment.get("flip", False))

    @property
    def num_classes(self) -> int:
        return self.dataset.num_classes

    def build_dataset(self, cfg: dict, split: str) -> TensorDataset:
        return self.dataset.splits()[split]

    def build_model(self, cfg: dict) -> torch.nn.Module:
        return MODELS.build(
            cfg["model"],
            in_channels=self.dataset.in_channels,
            image_size=tuple(self.dataset.image_size),
            num_classes=self.num_classes,
        )

    def compute_loss(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        images, labels = batch
        return F.cross_entropy(model(images), labels, label_smoothing=self.label_smoothing)

    def eval_batch(self, model: torch.nn.Module, batch: tuple) -> dict[str, torch.Tensor]:
        images, labels = batch
        logits = model(images).float()
        return {
            "confusion": confusion_matrix(logits.argmax(1), labels, self.num_classes),
            "loss_sum": F.cross_entropy(logits, labels, reduction="sum"),
        }

    def summarize(self, sums: dict[str, torch.Tensor]) -> dict[str, float]:
        metrics = classification_metrics(sums["confusion"])
        metrics["loss"] = (sums["loss_sum"] / sums["confusion"].sum().clamp(min=1)).item()
        return metrics

    def augment(self, batch: tuple) -> tuple:
        if not (self.pad or self.flip):
            return batch
        images, labels = batch
        return random_crop_flip(images, self.pad, self.flip), labels


def build_task(cfg: dict) -> ImageClassification:
    """The engine's entry point: the task a config describes."""
    return ImageClassification(cfg)
