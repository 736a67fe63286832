"""The image-classification task the shared training engine runs (see engine/task.py).

Config sections read here (the engine reads the rest):
    data:  {name: digits | shapes | cifar10, ...options of that dataset's loader}
    model: {variant: NAME or path/to/variant.yaml, variants_dir: configs/variants}
    task:  {label_smoothing: 0.0, augment: {pad: 0, flip: false}}
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from .augment import random_crop_flip
from .data import Splits, data_info, load_splits
from .engine.task import Task
from .metrics import confusion_matrix, metrics_from_confusion
from .model import create_model


class ImageClassification(Task):
    """Cross-entropy classification of images by a model built from a variant file."""

    primary_metric = "accuracy"

    def __init__(self, cfg: dict):
        self.data_cfg = dict(cfg.get("data") or {"name": "digits"})
        self.info = data_info(self.data_cfg)
        task_cfg = cfg.get("task") or {}
        self.label_smoothing = float(task_cfg.get("label_smoothing", 0.0))
        augment = task_cfg.get("augment") or {}
        self.pad = int(augment.get("pad", 0))
        self.flip = bool(augment.get("flip", False))
        self._splits: Splits | None = None

    def splits(self) -> Splits:
        """Train / val / test, loaded once."""
        if self._splits is None:
            self._splits = load_splits(self.data_cfg)
        return self._splits

    def build_datasets(self, cfg: dict) -> tuple[TensorDataset, TensorDataset]:
        splits = self.splits()
        return splits.train, splits.val

    def build_test_dataset(self, cfg: dict) -> TensorDataset:
        """The held-out test split, used only for final numbers (never to pick checkpoints)."""
        return self.splits().test

    def build_model(self, cfg: dict) -> torch.nn.Module:
        model_cfg = cfg.get("model") or {}
        return create_model(
            str(model_cfg.get("variant", "cnn")),
            in_channels=self.info.in_channels,
            image_size=self.info.image_size,
            num_classes=self.info.num_classes,
            variants_dir=model_cfg.get("variants_dir"),
        )

    def compute_loss(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        images, labels = batch
        return F.cross_entropy(model(images), labels, label_smoothing=self.label_smoothing)

    def eval_batch(self, model: torch.nn.Module, batch: tuple) -> dict[str, torch.Tensor]:
        images, labels = batch
        logits = model(images).float()
        return {
            "confusion": confusion_matrix(labels, logits.argmax(1), self.info.num_classes),
            "loss_sum": F.cross_entropy(logits, labels, reduction="sum"),
        }

    def summarize(self, sums: dict[str, torch.Tensor]) -> dict[str, float]:
        metrics = metrics_from_confusion(sums["confusion"])
        metrics["loss"] = (sums["loss_sum"] / sums["confusion"].sum().clamp(min=1)).item()
        return metrics

    def augment(self, batch: tuple) -> tuple:
        if not (self.pad or self.flip):
            return batch
        images, labels = batch
        return random_crop_flip(images, self.pad, self.flip), labels


def build_task(cfg: dict) -> ImageClassification:
    """Entry point the engine calls (python -m PACKAGE.train)."""
    return ImageClassification(cfg)
