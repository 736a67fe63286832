"""Datasets as in-memory tensors: digits (bundled), procedural shapes, CIFAR-10 (local files).

splits = load_splits({"name": "digits"})   # Splits(train, val, test, info)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import TensorDataset

from . import cifar10, digits, shapes


@dataclass(frozen=True)
class DataInfo:
    """What a model needs to know about the data before seeing any of it."""

    in_channels: int
    image_size: tuple[int, int]
    class_names: list[str]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


DATASETS = {
    "digits": DataInfo(1, (8, 8), digits.CLASS_NAMES),
    "shapes": DataInfo(3, (32, 32), shapes.CLASS_NAMES),
    "cifar10": DataInfo(
        3,
        (32, 32),
        ["airplane", "automobile", "bird", "cat", "deer"]
        + ["dog", "frog", "horse", "ship", "truck"],
    ),
}


@dataclass
class Splits:
    train: TensorDataset
    val: TensorDataset
    test: TensorDataset
    info: DataInfo


def data_info(data_cfg: dict) -> DataInfo:
    """Shape and classes of the dataset a config names."""
    name = data_cfg.get("name", "digits")
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r} in data.name; choose {', '.join(DATASETS)}")
    return DATASETS[name]


def load_splits(data_cfg: dict) -> Splits:
    """Train / val / test of the dataset `data_cfg["name"]`, normalised with train statistics."""
    info = data_info(data_cfg)
    options = {key: value for key, value in data_cfg.items() if key != "name"}
    name = data_cfg.get("name", "digits")
    loader = {
        "digits": digits.load_digits_splits,
        "shapes": shapes.load_shapes_splits,
        "cifar10": cifar10.load_cifar10_splits,
    }[name]
    arrays = loader(**options)
    train_images = arrays["train"][0]
    mean = train_images.mean(axis=(0, 2, 3), keepdims=True)
    std = train_images.std(axis=(0, 2, 3), keepdims=True) + 1e-6

    def tensors(split: str) -> TensorDataset:
        images, labels = arrays[split]
        images = ((images - mean) / std).astype(np.float32)
        return TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))

    return Splits(tensors("train"), tensors("val"), tensors("test"), info)
