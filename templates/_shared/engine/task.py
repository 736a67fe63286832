"""The contract between the training engine and a project's task.

A task says what to learn (datasets, model, loss) and how to measure it
(summable per-batch statistics turned into metrics). The engine does the rest:
devices, batching, checkpoints, resume, torchrun, logging.
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset


class Task:
    """Base class of every project's task; override the methods marked below."""

    # Key of summarize()'s dict; higher is better; picks best.pt.
    primary_metric: str = "accuracy"

    def build_datasets(self, cfg: dict) -> tuple[Dataset, Dataset]:
        """(train, val). Return torch.utils.data.TensorDataset when the data fits in memory:
        the engine then keeps it on the device and batches by indexing (fast path)."""
        raise NotImplementedError

    def build_model(self, cfg: dict) -> torch.nn.Module:
        """The network to train, built from the config."""
        raise NotImplementedError

    def compute_loss(self, model: torch.nn.Module, batch: tuple) -> torch.Tensor:
        """Scalar training loss of one batch.

        batch: tuple of tensors already on the device, as the dataset yields them."""
        raise NotImplementedError

    def eval_batch(self, model: torch.nn.Module, batch: tuple) -> dict[str, torch.Tensor]:
        """Summable statistics of one batch, e.g. {"confusion": KxK counts, "loss_sum": ..}."""
        raise NotImplementedError

    def summarize(self, sums: dict[str, torch.Tensor]) -> dict[str, float]:
        """Metrics from statistics summed over all batches and all ranks (exact under DDP)."""
        raise NotImplementedError

    def augment(self, batch: tuple) -> tuple:
        """Optional train-time augmentation on the device; default identity."""
        return batch
