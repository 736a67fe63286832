"""scikit-learn's bundled digits: 1 797 grey 8x8 images of 0-9, no download needed.

One fixed stratified train/test split (`split_seed`), so runs with different
training seeds are scored on the same test images. Pixels are scaled with the
training set's mean and std only (the test set never leaks into preprocessing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@dataclass
class Digits:
    """Flattened images (N, 64) as float32 and labels (N,) as int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load(test_fraction: float = 0.2, split_seed: int = 0, limit: int | None = None) -> Digits:
    """Split, standardise and return digits; `limit` keeps the first N training images
    (quick tests)."""
    images, labels = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        images.astype(np.float32),
        labels.astype(np.int64),
        test_size=test_fraction,
        stratify=labels,
        random_state=split_seed,
    )
    # Statistics of the whole training split, so `limit` leaves the test inputs unchanged.
    mean, std = x_train.mean(), x_train.std()
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
    return Digits((x_train - mean) / std, y_train, (x_test - mean) / std, y_test)


def epoch_orders(num_samples: int, epochs: int, seed: int) -> list[np.ndarray]:
    """The shuffled sample order of every epoch, drawn up front from `seed`: the NumPy
    model and its PyTorch twin then see exactly the same batches."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(num_samples) for _ in range(epochs)]


def batches(order: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Consecutive index batches; the last one may be smaller (a lone sample joins the
    batch before it: batch norm needs two values per channel)."""
    result = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    if len(result) > 1 and len(result[-1]) < 2:
        result[-2:] = [np.concatenate(result[-2:])]
    return result
