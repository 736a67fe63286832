"""CIFAR-10 from its local python-format batches (nothing is downloaded: put the files in
``data.root``, e.g. data/raw/cifar-10-batches-py).

The folder ``cifar-10-batches-py`` of https://www.cs.toronto.edu/~kriz/cifar.html holds
data_batch_1 ... data_batch_5, test_batch and batches.meta: pickled dicts whose b"data" is a
uint8 array (N, 3072) of 32x32 RGB images stored channel by channel and b"labels" a list of
ints. Unpickling can run code: only point this reader at the official files.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from ..core.errors import DataError
from . import DATASETS, DatasetArrays

TRAIN_FILES = tuple(f"data_batch_{index}" for index in range(1, 6))
TEST_FILE = "test_batch"
META_FILE = "batches.meta"


def _unpickle(path: Path) -> dict:
    if not path.is_file():
        raise DataError.at(
            path,
            None,
            f"missing; the folder needs {', '.join(TRAIN_FILES)}, {TEST_FILE} and {META_FILE} "
            "(the 'CIFAR-10 python version' archive, unpacked)",
        )
    try:
        with path.open("rb") as handle:
            content = pickle.load(handle, encoding="bytes")
    except Exception as error:  # any unpickling failure means a damaged file
        raise DataError.at(path, None, f"not a CIFAR-10 batch ({type(error).__name__})") from None
    if not isinstance(content, dict):
        raise DataError.at(path, None, "not a CIFAR-10 batch (expected a pickled dict)")
    return content


def read_batch(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, 3, 32, 32), labels int64 (N,)) of one batch file."""
    path = Path(path)
    content = _unpickle(path)
    if b"data" not in content or b"labels" not in content:
        raise DataError.at(path, None, "needs the keys b'data' and b'labels'")
    data = np.asarray(content[b"data"], dtype=np.uint8)
    labels = np.asarray(content[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(data) != len(labels):
        raise DataError.at(
            path, None, f"data has shape {data.shape} for {len(labels)} labels, expected (N, 3072)"
        )
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DataError.at(path, None, "labels must lie in 0..9")
    return data.reshape(-1, 3, 32, 32), labels


def read_class_names(root: str | Path) -> tuple[str, ...]:
    """The ten class names from batches.meta."""
    path = Path(root) / META_FILE
    content = _unpickle(path)
    if b"label_names" not in content:
        raise DataError.at(path, None, "needs the key b'label_names'")
    return tuple(name.decode() for name in content[b"label_names"])


@DATASETS.register("cifar10")
def cifar10(root: str | None = None, seed: int = 0, val_size: int = 5000) -> DatasetArrays:
    """The 50,000 training images minus `val_size` held out by `seed`; test_batch as test."""
    if root is None:
        raise DataError("data.root must name the cifar-10-batches-py folder for data.name=cifar10")
    root = Path(root)
    class_names = read_class_names(root)  # fails first, naming the file, on an incomplete folder
    batches = [read_batch(root / name) for name in TRAIN_FILES]
    images = np.concatenate([images for images, _ in batches])
    labels = np.concatenate([labels for _, labels in batches])
    if not 0 < int(val_size) < len(labels):
        raise DataError(f"data.cifar10.val_size must lie between 1 and {len(labels) - 1}")
    order = np.random.default_rng(seed).permutation(len(labels))
    val, train = order[: int(val_size)], order[int(val_size) :]
    test_images, test_labels = read_batch(root / TEST_FILE)

    def scaled(array: np.ndarray) -> np.ndarray:
        return array.astype(np.float32) / 255.0

    return DatasetArrays(
        train=(scaled(images[train]), labels[train]),
        val=(scaled(images[val]), labels[val]),
        test=(scaled(test_images), test_labels),
        class_names=class_names,
    )
