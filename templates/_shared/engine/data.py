"""Batches for training and evaluation, on one process or many.

Two paths, same batches: a TensorDataset that fits is moved to the device once and batched by
indexing with a seeded on-device permutation (no workers, no copies); any other dataset streams
through DataLoader workers with pinned memory. Training shards like DistributedSampler (one
shared permutation, padded to a multiple of the world size, rank r takes every r-th index);
evaluation splits fixed global batches between ranks without padding, so no sample counts twice."""

from __future__ import annotations

import os
from collections.abc import Iterator

import torch
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset

from ..core.errors import ConfigError
from .distributed import DistInfo


def as_tensors(dataset: Dataset) -> tuple[torch.Tensor, ...] | None:
    """The tensors of a TensorDataset (or a Subset of one), else None."""
    if isinstance(dataset, TensorDataset):
        return tuple(dataset.tensors)
    if isinstance(dataset, Subset) and isinstance(dataset.dataset, TensorDataset):
        index = torch.as_tensor(dataset.indices, dtype=torch.long)
        return tuple(t[index] for t in dataset.dataset.tensors)
    return None


def fits_on_device(tensors: tuple[torch.Tensor, ...], device: torch.device) -> bool:
    """CPU: always. GPU: when the data takes under 30% of the free memory."""
    if device.type != "cuda":
        return True
    size = sum(t.numel() * t.element_size() for t in tensors)
    free, _total = torch.cuda.mem_get_info(device)
    return size < 0.3 * free


def resolve_num_workers(setting, device: torch.device, info: DistInfo) -> int:
    """auto: enough workers to feed a GPU; on a CPU, workers only where cores are spare."""
    if setting != "auto":
        return int(setting)
    cores = max(1, (os.cpu_count() or 1) // info.local_world_size)
    if device.type == "cuda":
        return min(8, max(1, cores - 1))
    return 0 if cores <= 2 else min(4, cores // 2)


def to_device(batch, device: torch.device) -> tuple:
    return tuple(t.to(device, non_blocking=True) for t in batch)


class TrainBatches:
    """Training batches of one rank; the order depends only on the seed and the epoch count.

    state_dict() taken before epoch() and load_state_dict() + epoch(skip=k) replay an epoch
    exactly from its k-th step, which is what a mid-epoch resume needs."""

    def __init__(self, dataset: Dataset, cfg: dict, device: torch.device, info: DistInfo):
        self.device, self.info = device, info
        self.batch_size = int(cfg["batch_size"])
        tensors = as_tensors(dataset)
        mode = cfg.get("loader", "auto")
        if mode == "device" and tensors is None:
            raise ConfigError("loader=device needs a TensorDataset")
        self.resident = tensors is not None and mode != "stream" and fits_on_device(tensors, device)
        self.num_samples = len(dataset)
        # One permutation shared by all ranks (same seed); worker seeds differ per rank.
        order_device = device if self.resident else torch.device("cpu")
        self.order_generator = torch.Generator(device=order_device)
        self.order_generator.manual_seed(int(cfg["seed"]))
        self.worker_generator = torch.Generator()
        self.worker_generator.manual_seed(int(cfg["seed"]) * 1000 + 17 + info.rank)
        if self.resident:
            self.tensors = tuple(t.to(device) for t in tensors)
            self.num_workers = 0
        else:
            self.dataset = dataset
            self.num_workers = resolve_num_workers(cfg.get("num_workers", "auto"), device, info)

    @property
    def samples_per_rank(self) -> int:
        return -(-self.num_samples // self.info.world_size)

    @property
    def steps_per_epoch(self) -> int:
        # Drop the last partial batch (a batch of 1 breaks BatchNorm), unless it is the only one.
        return max(1, self.samples_per_rank // self.batch_size)

    def state_dict(self) -> dict:
        return {
            "order": self.order_generator.get_state(),
            "workers": self.worker_generator.get_state(),
        }

    def load_state_dict(self, state: dict) -> None:
        self.order_generator.set_state(state["order"])
        self.worker_generator.set_state(state["workers"])

    def _rank_indices(self) -> torch.Tensor:
        order = torch.randperm(
            self.num_samples, generator=self.order_generator, device=self.order_generator.device
        )
        total = self.samples_per_rank * self.info.world_size
        if total > self.num_samples:  # pad by repeating, like DistributedSampler
            order = torch.cat([order, order[: total - self.num_samples]])
        return order[self.info.rank : total : self.info.world_size]

    def epoch(self, skip: int = 0) -> Iterator[tuple]:
        """Batches of the next epoch on the device, starting after `skip` steps."""
        indices = self._rank_indices()[: self.steps_per_epoch * self.batch_size]
        if self.resident:
            return self._resident(indices, skip)
        return self._streaming(indices, skip)

    def _resident(self, indices: torch.Tensor, skip: int) -> Iterator[tuple]:
        for step in range(skip, self.steps_per_epoch):
            index = indices[step * self.batch_size : (step + 1) * self.batch_size]
            yield tuple(t[index] for t in self.tensors)

    def _streaming(self, indices: torch.Tensor, skip: int) -> Iterator[tuple]:
        size = self.batch_size
        batches = [indices[i * size : (i + 1) * size].tolist() for i in range(self.steps_per_epoch)]
        if self.num_workers == 0:
            # Loading runs in this process and may use its random state: skip without loading.
            batches, skip = batches[skip:], 0
        loader = DataLoader(
            self.dataset,
            batch_sampler=batches,
            num_workers=self.num_workers,
            pin_memory=self.device.type == "cuda",
            generator=self.worker_generator,  # draws the worker seeds; never the global RNG
            persistent_workers=False,  # fresh workers per epoch: their seeds stay replayable
            prefetch_factor=4 if self.num_workers else None,
        )
        for i, batch in enumerate(loader):
            if i >= skip:  # workers have their own random state: replay, then discard
                yield to_device(batch, self.device)


class EvalBatches:
    """Fixed global batches (eval_batch_size, in dataset order); rank r gets batches r, r+W, ..."""

    def __init__(self, dataset: Dataset, cfg: dict, device: torch.device, info: DistInfo):
        self.device, self.info = device, info
        self.batch_size = int(cfg.get("eval_batch_size") or cfg["batch_size"])
        self.num_samples = len(dataset)
        self.num_batches = -(-self.num_samples // self.batch_size)
        tensors = as_tensors(dataset)
        mode = cfg.get("loader", "auto")
        self.resident = tensors is not None and mode != "stream" and fits_on_device(tensors, device)
        if self.resident:
            self.tensors = tuple(t.to(device) for t in tensors)
        else:
            self.dataset = dataset
            self.num_workers = resolve_num_workers(cfg.get("num_workers", "auto"), device, info)

    def batch_ids(self, rank: int | None = None) -> list[int]:
        rank = self.info.rank if rank is None else rank
        return list(range(rank, self.num_batches, self.info.world_size))

    def __iter__(self) -> Iterator[tuple]:
        ids = self.batch_ids()
        if self.resident:
            for b in ids:
                start = b * self.batch_size
                yield tuple(t[start : start + self.batch_size] for t in self.tensors)
            return
        batches = [
            list(range(b * self.batch_size, min((b + 1) * self.batch_size, self.num_samples)))
            for b in ids
        ]
        loader = DataLoader(
            self.dataset,
            batch_sampler=batches,
            num_workers=self.num_workers,
            pin_memory=self.device.type == "cuda",
            generator=torch.Generator().manual_seed(0),  # keeps the global RNG untouched
        )
        for batch in loader:
            yield to_device(batch, self.device)
