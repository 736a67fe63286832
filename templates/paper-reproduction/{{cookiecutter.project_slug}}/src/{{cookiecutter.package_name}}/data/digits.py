"""scikit-learn's handwritten digits: 1,797 greyscale 8x8 images of 10 classes, bundled with
scikit-learn (no download), so every claim runs offline in seconds."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits

from ..core.errors import ConfigError
from . import DATASETS, DatasetArrays, split_indices


@DATASETS.register("digits")
def digits(
    root: str | None = None, seed: int = 0, val_size: int = 360, test_size: int = 360
) -> DatasetArrays:
    """Train / val / test of the digits, split by `seed`; pixels scaled to [0, 1]."""
    del root  # bundled with scikit-learn
    images, labels = load_digits(return_X_y=True)
    images = (images / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    labels = labels.astype(np.int64)
    try:
        train, val, test = split_indices(len(labels), (int(val_size), int(test_size)), seed)
    except ValueError as error:
        raise ConfigError(f"data.digits: {error}") from None
    return DatasetArrays(
        train=(images[train], labels[train]),
        val=(images[val], labels[val]),
        test=(images[test], labels[test]),
        class_names=tuple(str(digit) for digit in range(10)),
    )
