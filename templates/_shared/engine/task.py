"""The contract between the training engine and a project's task.

A task says what to learn (datasets, model, loss) and how to measure it (summable per-batch
statistics turned into metrics). The engine does the rest: devices, batching, checkpoints,
resume, torchrun, logging, evaluation. `Task` is an abstract base class: a task that lacks one
of the methods below fails when it is created, not after an epoch of training.
"""

from __future__ import annotations

import abc
import math

import torch
from torch.utils.data import Dataset

from ..core.errors import ConfigError

SPLITS = ("train", "val", "test")


class Task(abc.ABC):
    """Base class of every project's task.

    Class attributes:
        primary_metric: the key of summarize()'s result that picks best.pt.
        lower_is_better: metric names where a smaller value wins (the loss, errors, ...).
    """

    primary_metric: str = ""
    lower_is_better: frozenset[str] = frozenset({"loss"})

    @abc.abstractmethod
    def build_dataset(self, cfg: dict, split: str) -> Dataset:
        """The `split` ("train", "val" or "test") of the data, the same whenever it is built:
        seeded by the config (``data.seed``), never by the global random state or the order of
        calls. Return a TensorDataset when it fits in memory: the engine then keeps it on the
        device and batches by indexing. Training picks checkpoints on "val"; "test" is read
        only by evaluate."""

    @abc.abstractmethod
    def build_model(self, cfg: dict) -> torch.nn.Module:
        """The network to train, built from the config (a registry's build, usually)."""

    @abc.abstractmethod
    def compute_loss(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        """Scalar training loss of one batch (a tuple of tensors already on the device)."""

    @abc.abstractmethod
    def eval_batch(self, model: torch.nn.Module, batch: tuple) -> dict[str, torch.Tensor]:
        """Summable statistics of one batch, e.g. {"confusion": KxK counts, "loss_sum": ..}."""

    @abc.abstractmethod
    def summarize(self, sums: dict[str, torch.Tensor]) -> dict[str, float]:
        """Metrics from statistics summed over all batches and ranks (exact under DDP).
        Values are floats, or lists of floats for per-class scores."""

    def augment(self, batch: tuple) -> tuple:
        """Train-time augmentation of a batch on the device; default: none."""
        return batch

    # ---- provided: how the engine reads the metrics ---------------------------------------------
    def primary_value(self, metrics: dict) -> float:
        """The primary metric of `metrics`; an error naming the metrics that exist if it is
        missing (a misspelt primary_metric would otherwise never write best.pt)."""
        if not self.primary_metric:
            raise ConfigError(f"{type(self).__name__}.primary_metric is not set")
        if self.primary_metric not in metrics:
            raise ConfigError(
                f"primary metric {self.primary_metric!r} is not among the metrics "
                f"{type(self).__name__}.summarize returns: {', '.join(sorted(metrics))}"
            )
        return float(metrics[self.primary_metric])

    def is_better(self, value: float, best: float | None) -> bool:
        """True when `value` of the primary metric beats `best` (None: nothing yet)."""
        if not math.isfinite(value):
            return False
        if best is None:
            return True
        return value < best if self.primary_metric in self.lower_is_better else value > best
