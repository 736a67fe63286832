"""The classification task the shared training engine runs (see engine/task.py).

Config sections read here (the engine reads the rest):
    data:  {name: digits | cifar10, root, seed, <name>: {options of that dataset}}
    model: {name: mlp | convnet | my_model, ...options of that model}
    task:  {label_noise: 0.0, noise_seed: data, train_size: null}

``task.label_noise`` replaces that fraction of the *training* labels by labels drawn uniformly
at random (1.0: Zhang et al.'s "random labels"); validation and test labels stay true, so test
accuracy measures generalisation. ``task.train_size`` keeps the first examples of the seeded
split. The noise is drawn from ``data.seed`` (``noise_seed: data``: every seed of a claim trains
on one corrupted copy) or from ``data.seed`` and the run's ``seed`` (``noise_seed: run``: each
seed draws its own random labels, so the seeds also sample the labelling).
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from .core.errors import ConfigError
from .core.metrics import classification_metrics, confusion_matrix
from .data import DatasetArrays, load_dataset
from .engine.task import Task
from .models import MODELS


@lru_cache(maxsize=2)
def _cached_dataset(data_json: str) -> DatasetArrays:
    # A reproduction trains many runs on one dataset in one process: load it once.
    return load_dataset(json.loads(data_json))


def prepare(cfg: dict) -> DatasetArrays:
    """The dataset of `cfg` as the task trains on it: subset, label noise, then images
    standardised with the training split's per-channel mean and std."""
    data = _cached_dataset(json.dumps(cfg.get("data") or {}, sort_keys=True))
    task_cfg = cfg.get("task") or {}
    noise = float(task_cfg.get("label_noise") or 0.0)
    train_size = task_cfg.get("train_size")
    if not 0.0 <= noise <= 1.0:
        raise ConfigError(f"task.label_noise must lie in [0, 1], got {noise}")
    images, labels = data.train
    seed = int((cfg.get("data") or {}).get("seed", 0))
    if train_size is not None:
        if not 0 < int(train_size) <= len(labels):
            raise ConfigError(f"task.train_size must lie in 1..{len(labels)}, got {train_size}")
        images, labels = images[: int(train_size)], labels[: int(train_size)]
    noise_seed = str(task_cfg.get("noise_seed") or "data")
    if noise_seed not in ("data", "run"):
        raise ConfigError(f"task.noise_seed must be data or run, got {noise_seed!r}")
    if noise > 0:
        streams = [seed, 2017] + ([int(cfg.get("seed", 0))] if noise_seed == "run" else [])
        rng = np.random.default_rng(streams)  # its own stream: the split is unchanged
        labels = labels.copy()
        corrupt = rng.random(len(labels)) < noise
        labels[corrupt] = rng.integers(0, data.num_classes, int(corrupt.sum()))
    axes = (0, *range(2, images.ndim))
    mean = images.mean(axis=axes, keepdims=True)
    std = images.std(axis=axes, keepdims=True) + 1e-6

    def standardise(split: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return ((split[0] - mean) / std).astype(np.float32), split[1]

    return DatasetArrays(
        train=standardise((images, labels)),
        val=standardise(data.val),
        test=standardise(data.test),
        class_names=data.class_names,
    )


class Classification(Task):
    """Cross-entropy classification; metrics from one confusion matrix (core/metrics.py)."""

    primary_metric = "accuracy"
    lower_is_better = frozenset({"loss", "error"})

    def __init__(self, cfg: dict):
        self._data = prepare(cfg)

    @property
    def num_classes(self) -> int:
        return self._data.num_classes

    def build_dataset(self, cfg: dict, split: str) -> TensorDataset:
        images, labels = self._data.split(split)
        return TensorDataset(torch.from_numpy(images.copy()), torch.from_numpy(labels.copy()))

    def build_model(self, cfg: dict) -> torch.nn.Module:
        return MODELS.build(
            cfg["model"], input_shape=self._data.input_shape, num_classes=self.num_classes
        )

    def compute_loss(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        images, labels = batch
        return F.cross_entropy(model(images), labels)

    def eval_batch(self, model: torch.nn.Module, batch: tuple) -> dict[str, torch.Tensor]:
        images, labels = batch
        logits = model(images).float()
        return {
            "confusion": confusion_matrix(logits.argmax(1), labels, self.num_classes),
            "loss_sum": F.cross_entropy(logits, labels, reduction="sum"),
        }

    def summarize(self, sums: dict[str, torch.Tensor]) -> dict[str, float]:
        metrics = classification_metrics(sums["confusion"])
        count = max(1, int(sums["confusion"].sum()))
        return {
            "accuracy": metrics["accuracy"],
            "error": 1.0 - metrics["accuracy"],
            "loss": float(sums["loss_sum"]) / count,
            "mean_class_accuracy": metrics["mean_class_accuracy"],
            "macro_f1": metrics["macro_f1"],
        }


def build_task(cfg: dict) -> Classification:
    """Entry point the engine calls (python -m PACKAGE.train)."""
    return Classification(cfg)
