"""scikit-learn's bundled digits: 1 797 grey 8x8 images of 0-9, no download needed.

Fixed stratified train / validation / test splits (``data.seed``), so runs with different
training seeds are scored on the same images: the validation split draws the learning curves
and the numbers training writes (metrics.json), the test split is read only by
``evaluate``. Pixels are scaled with the training set's mean and std only (neither held-out
split leaks into preprocessing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from .core.errors import ConfigError

SPLITS = ("train", "val", "test")


@dataclass
class Digits:
    """Flattened images (N, 64) as float32 and labels (N,) as int64, per split."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(images, labels) of "train", "val" or "test"."""
        if name not in SPLITS:
            raise ConfigError(f"split must be one of {', '.join(SPLITS)}, got {name!r}")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")


def load(
    val_fraction: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 0,
    limit: int | None = None,
) -> Digits:
    """Split, standardise and return digits; `limit` keeps the first N training images
    (quick tests). The splits depend on `seed` alone."""
    images, labels = load_digits(return_X_y=True)
    rest_x, x_test, rest_y, y_test = train_test_split(
        images.astype(np.float32),
        labels.astype(np.int64),
        test_size=test_fraction,
        stratify=labels,
        random_state=seed,
    )
    x_train, x_val, y_train, y_val = train_test_split(
        rest_x,
        rest_y,
        test_size=val_fraction / (1.0 - test_fraction),
        stratify=rest_y,
        random_state=seed,
    )
    # Statistics of the whole training split, so `limit` leaves the held-out inputs unchanged.
    mean, std = x_train.mean(), x_train.std()
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
    return Digits(
        (x_train - mean) / std, y_train, (x_val - mean) / std, y_val, (x_test - mean) / std, y_test
    )


def from_config(cfg: dict) -> Digits:
    """The data of a config's ``data:`` section (name digits; seed; digits: options)."""
    data = cfg["data"]
    if data.get("name") != "digits":
        raise ConfigError(
            f"data.name must be digits (the one dataset here), not {data.get('name')!r}"
        )
    options = data.get("digits") or {}
    unknown = sorted(set(options) - {"val_fraction", "test_fraction", "train_limit"})
    if unknown:
        raise ConfigError(
            f"data.digits takes no option {', '.join(unknown)} "
            "(its options: val_fraction, test_fraction, train_limit)"
        )
    return load(
        float(options.get("val_fraction", 0.1)),
        float(options.get("test_fraction", 0.2)),
        int(data.get("seed", 0)),
        options.get("train_limit"),
    )


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
