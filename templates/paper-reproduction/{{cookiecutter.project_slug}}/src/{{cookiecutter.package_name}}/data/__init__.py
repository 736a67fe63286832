"""Datasets: a registry of loaders, one file per dataset.

A loader is registered with ``@DATASETS.register("name")`` and returns a ``DatasetArrays``:
train / val / test as NumPy arrays, split by ``data.seed`` (never by the run's ``seed``, so a
seed study trains every seed on the same data). Options of one dataset live under
``data.<name>`` in the config; ``data.root`` says where a dataset's files are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.registry import Registry

DATASETS = Registry("dataset", package=__name__)


@dataclass(frozen=True)
class DatasetArrays:
    """One dataset in memory: images (N, C, H, W) float32 and labels (N,) int64 per split."""

    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    class_names: tuple[str, ...]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.train[0].shape[1:])

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return {"train": self.train, "val": self.val, "test": self.test}[name]


def load_dataset(data_cfg: dict) -> DatasetArrays:
    """The dataset the config's ``data`` section names, with its ``data.<name>`` options."""
    name = data_cfg.get("name")
    options = dict(data_cfg.get(name) or {}) if isinstance(name, str) else {}
    spec = {"name": name, **options}
    return DATASETS.build(spec, root=data_cfg.get("root"), seed=int(data_cfg.get("seed", 0)))


def split_indices(count: int, sizes: tuple[int, int], seed: int) -> tuple[np.ndarray, ...]:
    """(train, val, test) indices of a seeded permutation; val and test take `sizes`."""
    val_size, test_size = sizes
    if val_size + test_size >= count:
        raise ValueError(f"val_size + test_size must be below the {count} examples")
    order = np.random.default_rng(seed).permutation(count)
    test, val = order[:test_size], order[test_size : test_size + val_size]
    return order[test_size + val_size :], val, test
