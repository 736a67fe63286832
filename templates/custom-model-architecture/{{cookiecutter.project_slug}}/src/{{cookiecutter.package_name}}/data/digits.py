"""scikit-learn's handwritten digits: 1797 real 8x8 greyscale images of 0-9, shipped with it."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

CLASS_NAMES = [str(digit) for digit in range(10)]


def load_digits_splits(
    val_fraction: float = 0.1, test_fraction: float = 0.2, split_seed: int = 0
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{"train"|"val"|"test": (images float32 (N, 1, 8, 8) in [0, 1], labels int64 (N,))}.

    Stratified, and fixed by `split_seed` alone, so that every training seed of an ablation
    sees the same test images and seeds vary only initialisation and batch order.
    """
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    labels = digits.target.astype(np.int64)
    rest_x, test_x, rest_y, test_y = train_test_split(
        images, labels, test_size=test_fraction, stratify=labels, random_state=split_seed
    )
    train_x, val_x, train_y, val_y = train_test_split(
        rest_x,
        rest_y,
        test_size=val_fraction / (1.0 - test_fraction),
        stratify=rest_y,
        random_state=split_seed,
    )
    return {"train": (train_x, train_y), "val": (val_x, val_y), "test": (test_x, test_y)}
