"""Procedural shapes: 32x32 colour images of one shape each, made on the fly from a seed.

Each image draws one of CLASS_NAMES at a random position, scale and rotation, in a random
foreground colour on a random background colour, plus Gaussian pixel noise. Everything is
vectorised over the images with numpy: 13,000 images take about a second.
"""

from __future__ import annotations

import numpy as np

from . import DATASETS
from .base import Arrays, ImageDataset

CLASS_NAMES = ["circle", "ring", "square", "triangle", "cross", "half_disk"]


def _shape_mask(name: str, u: np.ndarray, v: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Boolean (n, H, W) mask of shape `name` in rotated, centred coordinates u, v; radius r."""
    if name in ("circle", "ring", "half_disk"):
        dist = np.sqrt(u**2 + v**2)
        if name == "circle":
            return dist <= r
        if name == "ring":
            return (dist <= r) & (dist >= 0.6 * r)
        return (dist <= r) & (v >= 0)
    if name == "square":
        return np.maximum(np.abs(u), np.abs(v)) <= 0.8 * r
    if name == "triangle":  # inside an equilateral triangle: within its inradius r/2 of 3 edges
        inside = np.ones(u.shape, dtype=bool)
        for k in range(3):
            angle = np.pi / 2 + 2 * np.pi * k / 3
            inside &= -(u * np.cos(angle) + v * np.sin(angle)) <= r / 2
        return inside
    if name == "cross":
        bar = 0.3 * r
        horizontal = (np.abs(u) <= r) & (np.abs(v) <= bar)
        return horizontal | ((np.abs(v) <= r) & (np.abs(u) <= bar))
    raise ValueError(f"unknown shape {name!r}")


def make_shapes(
    count: int,
    seed: int,
    size: int = 32,
    noise: float = 0.1,
    min_radius: float = 5.0,
    max_radius: float = 12.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(images float32 (N, 3, size, size) in [0, 1], labels int64 (N,)), balanced classes."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(count) % len(CLASS_NAMES)).astype(np.int64)
    radius = rng.uniform(min_radius, max_radius, count)
    # Centres keep the whole shape inside the image.
    centre = radius[:, None] + rng.uniform(0, 1, (count, 2)) * (size - 1 - 2 * radius[:, None])
    theta = rng.uniform(0, 2 * np.pi, count)[:, None, None].astype(np.float32)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    masks = np.zeros((count, 1, size, size), dtype=bool)
    for index, name in enumerate(CLASS_NAMES):  # each class only computes its own images
        chosen = np.flatnonzero(labels == index)
        dx = cols[None] - centre[chosen, 0, None, None].astype(np.float32)
        dy = rows[None] - centre[chosen, 1, None, None].astype(np.float32)
        cos, sin = np.cos(theta[chosen]), np.sin(theta[chosen])
        u, v = dx * cos + dy * sin, -dx * sin + dy * cos
        masks[chosen, 0] = _shape_mask(name, u, v, radius[chosen, None, None].astype(np.float32))
    # Light shape on dark ground or the reverse, so colour alone never gives the class away.
    light = rng.uniform(0.55, 1.0, (count, 3, 1, 1))
    dark = rng.uniform(0.0, 0.45, (count, 3, 1, 1))
    swap = rng.random((count, 1, 1, 1)) < 0.5
    foreground, background = np.where(swap, dark, light), np.where(swap, light, dark)
    images = np.where(masks, foreground, background).astype(np.float32)
    images += noise * rng.standard_normal(images.shape, dtype=np.float32)
    return np.clip(images, 0.0, 1.0, out=images), labels


@DATASETS.register("shapes")
class Shapes(ImageDataset):
    """Independent procedural train / val / test sets, each from its own seed."""

    in_channels, image_size, class_names = 3, (32, 32), CLASS_NAMES

    def __init__(
        self,
        root: str | None = None,  # unused: the images are generated
        seed: int = 0,
        train_size: int = 10000,
        val_size: int = 1000,
        test_size: int = 2000,
        noise: float = 0.1,
    ):
        super().__init__(root, seed)
        self.sizes = {"train_size": train_size, "val_size": val_size, "test_size": test_size}
        self.noise = float(noise)

    def arrays(self) -> Arrays:
        return load_shapes_splits(**self.sizes, seed=self.seed, noise=self.noise)


def load_shapes_splits(
    train_size: int = 10000,
    val_size: int = 1000,
    test_size: int = 2000,
    seed: int = 0,
    **kwargs,
) -> Arrays:
    """Independent train / val / test sets, each from its own seed derived from `seed`."""
    sizes = {"train": train_size, "val": val_size, "test": test_size}
    return {
        split: make_shapes(count, seed=seed * 3 + offset, **kwargs)
        for offset, (split, count) in enumerate(sizes.items())
    }
