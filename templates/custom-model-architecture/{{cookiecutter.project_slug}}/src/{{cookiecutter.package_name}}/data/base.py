"""What every dataset of this project is: images in memory, three fixed splits."""

from __future__ import annotations

import abc

import numpy as np
import torch
from torch.utils.data import TensorDataset

SPLITS = ("train", "val", "test")
Arrays = dict[str, tuple[np.ndarray, np.ndarray]]  # split -> (images float32 NCHW, labels int64)


class ImageDataset(abc.ABC):
    """Images of one dataset: shape and classes up front, the splits when first asked for.

    Subclasses set ``in_channels``, ``image_size`` and ``class_names`` and implement
    ``arrays()``, which must depend on ``self.seed`` only (never on the global random state)."""

    in_channels: int
    image_size: tuple[int, int]
    class_names: list[str]

    def __init__(self, root: str | None = None, seed: int = 0):
        self.root, self.seed = root, int(seed)
        self._splits: dict[str, TensorDataset] | None = None

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @abc.abstractmethod
    def arrays(self) -> Arrays:
        """{"train" | "val" | "test": (images float32 (N, C, H, W) in [0, 1], labels int64)}."""

    def splits(self) -> dict[str, TensorDataset]:
        """The three splits as tensors, normalised per channel with the training statistics."""
        if self._splits is None:
            arrays = self.arrays()
            train_images = arrays["train"][0]
            mean = train_images.mean(axis=(0, 2, 3), keepdims=True)
            std = train_images.std(axis=(0, 2, 3), keepdims=True) + 1e-6
            self._splits = {
                split: TensorDataset(
                    torch.from_numpy(((images - mean) / std).astype(np.float32)),
                    torch.from_numpy(labels.astype(np.int64)),
                )
                for split, (images, labels) in arrays.items()
            }
        return self._splits
