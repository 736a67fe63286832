"""Spherical projection of a scan into a range image, as RangeNet++ does it.

Row 0 looks up (``fov_up``), the last row down (``fov_down``); column 0 looks backwards
(azimuth just under +pi, the left side first) and the middle column forwards (+x), the
convention of the simulator (``data/sensor.py``). When a scan carries its sensor indices
(``ring``, ``column``: simulated scans) they are the pixel, exactly; otherwise the pixel comes
from each point's elevation and azimuth. Several points may fall into one pixel: the nearest
wins (the one the network sees), the others keep their pixel index so that back-projection
(and kNN refinement, ``knn.py``) can still label them.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import ConfigError

CHANNELS = ("range", "x", "y", "z", "intensity")
# RangeNet++'s SemanticKITTI statistics of the five channels (range, x, y, z, remission).
DEFAULT_MEANS = (12.12, 10.88, 0.23, -1.04, 0.21)
DEFAULT_STDS = (12.32, 11.47, 6.91, 0.86, 0.16)


def pixel_coordinates(
    points: np.ndarray,
    fov_up: float,
    fov_down: float,
    height: int,
    width: int,
    ring: np.ndarray | None = None,
    column: np.ndarray | None = None,
) -> np.ndarray:
    """[N, 2] int64 (row, col) of every point; `fov_up`/`fov_down` in degrees."""
    if ring is not None and column is not None:
        rows, cols = np.asarray(ring, np.int64), np.asarray(column, np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= height):
            raise ConfigError(
                f"range_image.height {height} is below the scan's rings (max {rows.max()}): "
                "set it to the sensor's beams"
            )
        if len(cols) and (cols.min() < 0 or cols.max() >= width):
            raise ConfigError(
                f"range_image.width {width} is below the scan's columns (max {cols.max()}): "
                "set it to the sensor's columns"
            )
        return np.stack([rows, cols], axis=1)
    if not fov_up > fov_down:
        raise ConfigError(f"range_image.fov_up ({fov_up}) must be above fov_down ({fov_down})")
    xyz = np.asarray(points[:, :3], np.float64)
    distance = np.maximum(np.linalg.norm(xyz, axis=1), 1e-9)
    pitch = np.arcsin(np.clip(xyz[:, 2] / distance, -1.0, 1.0))
    yaw = np.arctan2(xyz[:, 1], xyz[:, 0])
    up, fov = np.radians(fov_up), np.radians(fov_up - fov_down)
    rows = np.floor((up - pitch) / fov * height)
    cols = np.floor(0.5 * (1.0 - yaw / np.pi) * width)
    rows = np.clip(rows, 0, height - 1).astype(np.int64)
    cols = np.clip(cols, 0, width - 1).astype(np.int64)
    return np.stack([rows, cols], axis=1)


def pixel_owner(pixel_index: np.ndarray, point_range: np.ndarray, height: int, width: int):
    """[H, W] int64: the index of the nearest point in each pixel, -1 where none.

    Deterministic: ties in range go to the lower point index (no reliance on the order in
    which a fancy assignment writes repeated indices)."""
    owner = np.full(height * width, -1, dtype=np.int64)
    if len(point_range) == 0:
        return owner.reshape(height, width)
    flat = pixel_index[:, 0] * width + pixel_index[:, 1]
    order = np.lexsort((np.arange(len(flat)), point_range, flat))
    sorted_flat = flat[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_flat[1:] != sorted_flat[:-1]
    owner[sorted_flat[first]] = order[first]
    return owner.reshape(height, width)


def project(
    points: np.ndarray,
    fov_up: float,
    fov_down: float,
    height: int,
    width: int,
    ring: np.ndarray | None = None,
    column: np.ndarray | None = None,
    means: tuple | None = None,
    stds: tuple | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The range image of `points` [N, 4] (x, y, z, intensity).

    Returns (image [5, H, W] float32 with channels range, x, y, z, intensity; mask [H, W]
    bool, True where a point landed; pixel index [N, 2] int64 (row, col) of every point).
    Empty pixels are 0. With `means` and `stds` the channels are normalised,
    ``(value - mean) / std``, at the filled pixels only (RangeNet++'s input)."""
    points = np.asarray(points, np.float32)
    pixel_index = pixel_coordinates(points, fov_up, fov_down, height, width, ring, column)
    point_range = np.linalg.norm(points[:, :3], axis=1)
    owner = pixel_owner(pixel_index, point_range, height, width)
    mask = owner >= 0
    features = np.concatenate([point_range[:, None], points[:, :4]], axis=1)
    image = np.zeros((len(CHANNELS), height, width), dtype=np.float32)
    image[:, mask] = features[owner[mask]].T
    if means is not None or stds is not None:
        image = normalise(image, mask, means or DEFAULT_MEANS, stds or DEFAULT_STDS)
    return image, mask, pixel_index


def normalise(image: np.ndarray, mask: np.ndarray, means, stds) -> np.ndarray:
    """(image - means) / stds at the filled pixels, 0 elsewhere."""
    means = np.asarray(means, np.float32).reshape(-1, 1, 1)
    stds = np.asarray(stds, np.float32).reshape(-1, 1, 1)
    if means.shape[0] != image.shape[0] or stds.shape[0] != image.shape[0]:
        raise ConfigError(f"range_image means and stds need {image.shape[0]} values each")
    if (stds <= 0).any():
        raise ConfigError(f"range_image stds must be > 0, got {stds.ravel().tolist()}")
    return ((image - means) / stds * mask).astype(np.float32)
