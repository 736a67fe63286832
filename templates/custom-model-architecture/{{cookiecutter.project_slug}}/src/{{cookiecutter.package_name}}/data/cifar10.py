"""CIFAR-10 from its local python-format batches (no download: put the files in `root`).

The folder `cifar-10-batches-py` of https://www.cs.toronto.edu/~kriz/cifar.html holds
data_batch_1 ... data_batch_5, test_batch and batches.meta: pickled dicts whose b"data" is a
uint8 array (N, 3072) of 32x32 RGB images stored channel by channel, and b"labels" a list.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError, DataError
from . import DATASETS
from .base import Arrays, ImageDataset

TRAIN_FILES = [f"data_batch_{index}" for index in range(1, 6)]
TEST_FILE = "test_batch"
META_FILE = "batches.meta"


def _unpickle(path: Path) -> dict:
    """The dict stored in one batch file; errors name the file. Only open files you trust:
    unpickling can run code, which is why this reader exists only for the official batches."""
    if not path.is_file():
        raise DataError(
            f"CIFAR-10 file missing: {path} (expected the python-format batches "
            f"{', '.join(TRAIN_FILES)}, {TEST_FILE}, {META_FILE} in {path.parent}: unpack "
            "'CIFAR-10 python version' from https://www.cs.toronto.edu/~kriz/cifar.html there)"
        )
    try:
        with path.open("rb") as handle:
            content = pickle.load(handle, encoding="bytes")
    except Exception as error:  # any unpickling failure means the file is damaged
        raise DataError(f"CIFAR-10 file {path} is corrupt: {error}") from error
    if not isinstance(content, dict):
        raise DataError(f"CIFAR-10 file {path} is corrupt: expected a pickled dict")
    return content


def read_batch(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, 3, 32, 32), labels int64 (N,)) of one batch file."""
    path = Path(path)
    content = _unpickle(path)
    if b"data" not in content or b"labels" not in content:
        raise DataError(f"CIFAR-10 file {path} is corrupt: needs the keys b'data' and b'labels'")
    data = np.asarray(content[b"data"], dtype=np.uint8)
    labels = np.asarray(content[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(data) != len(labels):
        raise DataError(
            f"CIFAR-10 file {path} is corrupt: data has shape {data.shape} for "
            f"{len(labels)} labels, expected ({len(labels)}, 3072)"
        )
    return data.reshape(-1, 3, 32, 32), labels


def read_class_names(root: str | Path) -> list[str]:
    """The ten class names from batches.meta."""
    path = Path(root) / META_FILE
    content = _unpickle(path)
    if b"label_names" not in content:
        raise DataError(f"CIFAR-10 file {path} is corrupt: needs the key b'label_names'")
    return [name.decode() for name in content[b"label_names"]]


def load_cifar10_splits(root: str | Path, val_size: int = 5000, seed: int = 0) -> Arrays:
    """{"train"|"val"|"test": (images float32 (N, 3, 32, 32) in [0, 1], labels)}.

    The validation set is `val_size` training images held out by `seed`; test_batch is kept
    for the final numbers only.
    """
    root = Path(root)
    read_class_names(root)  # fails early, naming the file, when the folder is incomplete
    batches = [read_batch(root / name) for name in TRAIN_FILES]
    images = np.concatenate([images for images, _ in batches])
    labels = np.concatenate([labels for _, labels in batches])
    order = np.random.default_rng(seed).permutation(len(labels))
    val_index, train_index = order[:val_size], order[val_size:]
    test_images, test_labels = read_batch(root / TEST_FILE)

    def scaled(x):
        return x.astype(np.float32) / 255.0

    return {
        "train": (scaled(images[train_index]), labels[train_index]),
        "val": (scaled(images[val_index]), labels[val_index]),
        "test": (scaled(test_images), test_labels),
    }


@DATASETS.register("cifar10")
class Cifar10(ImageDataset):
    """CIFAR-10 from data.root; validation held out of the training batches by data.seed."""

    in_channels, image_size = 3, (32, 32)
    class_names = [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ]

    def __init__(self, root: str | None = None, seed: int = 0, val_size: int = 5000):
        super().__init__(root, seed)
        self.val_size = int(val_size)

    def arrays(self) -> Arrays:
        if not self.root:
            raise ConfigError(
                "data.root is not set: point it at the unpacked cifar-10-batches-py folder"
            )
        return load_cifar10_splits(self.root, self.val_size, self.seed)
