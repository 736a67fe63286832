"""scikit-learn's handwritten digits: 1797 real 8x8 greyscale images of 0-9, shipped with it."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from . import DATASETS
from .base import Arrays, ImageDataset

CLASS_NAMES = [str(digit) for digit in range(10)]


@DATASETS.register("digits")
class Digits(ImageDataset):
    """Stratified train / val / test splits of the bundled digits, fixed by data.seed."""

    in_channels, image_size, class_names = 1, (8, 8), CLASS_NAMES

    def __init__(
        self,
        root: str | None = None,  # unused: scikit-learn ships the images
        seed: int = 0,
        val_fraction: float = 0.1,
        test_fraction: float = 0.2,
    ):
        super().__init__(root, seed)
        self.val_fraction, self.test_fraction = float(val_fraction), float(test_fraction)

    def arrays(self) -> Arrays:
        return load_digits_splits(self.val_fraction, self.test_fraction, self.seed)


def load_digits_splits(
    val_fraction: float = 0.1, test_fraction: float = 0.2, seed: int = 0
) -> Arrays:
    """{"train"|"val"|"test": (images float32 (N, 1, 8, 8) in [0, 1], labels int64 (N,))}.

    Stratified, and fixed by `seed` alone, so that every training seed of an ablation sees
    the same test images and seeds vary only initialisation and batch order.
    """
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    labels = digits.target.astype(np.int64)
    rest_x, test_x, rest_y, test_y = train_test_split(
        images, labels, test_size=test_fraction, stratify=labels, random_state=seed
    )
    train_x, val_x, train_y, val_y = train_test_split(
        rest_x,
        rest_y,
        test_size=val_fraction / (1.0 - test_fraction),
        stratify=rest_y,
        random_state=seed,
    )
    return {"train": (train_x, train_y), "val": (val_x, val_y), "test": (test_x, test_y)}
