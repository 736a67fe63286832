"""Sensor corruptions for the robustness table: fewer beams, more range noise, lost points.

Each takes a Scan and returns a new one; per-point arrays (labels, ring, column) stay aligned
with the points, objects are unchanged except ``num_points``, counted again in the new cloud.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..core.errors import ConfigError
from .scan import Objects, Scan
from .sensor import SensorConfig
from .simulated import count_points


def fewer_beams(scan: Scan, keep_every: int = 2, sensor: SensorConfig | None = None) -> Scan:
    """Keep every `keep_every`-th ring (0, k, 2k, ...): a 64-beam scan becomes a 32-beam one.

    The ring is ``scan.ring`` when the scan has it, else the point's elevation angle binned into
    the beams of `sensor` (default ``SensorConfig()``)."""
    if not isinstance(keep_every, int) or keep_every < 1:
        raise ConfigError(f"keep_every must be an integer >= 1, got {keep_every!r}")
    if scan.ring is not None:
        ring = scan.ring.astype(np.int64)
    else:
        xyz = scan.points[:, :3].astype(np.float64)
        elevation = np.arctan2(xyz[:, 2], np.hypot(xyz[:, 0], xyz[:, 1]))
        ring = (sensor or SensorConfig()).beam_of_elevation(elevation)
    return _select(scan, ring % keep_every == 0)


def range_noise(scan: Scan, sigma: float, rng: np.random.Generator) -> Scan:
    """Add Gaussian noise of `sigma` metres to every point's range (along its ray)."""
    if sigma < 0:
        raise ConfigError(f"range noise sigma must be >= 0, got {sigma}")
    xyz = scan.points[:, :3].astype(np.float64)
    distance = np.linalg.norm(xyz, axis=1)
    noisy = np.maximum(distance + rng.normal(0.0, sigma, len(distance)), 0.0)
    scale = np.divide(noisy, distance, out=np.ones_like(distance), where=distance > 0)
    points = scan.points.copy()
    points[:, :3] = (xyz * scale[:, None]).astype(points.dtype)
    return _with_points(scan, points, np.ones(len(points), dtype=bool))


def point_dropout(scan: Scan, fraction: float, rng: np.random.Generator) -> Scan:
    """Drop each point independently with probability `fraction`."""
    if not 0 <= fraction <= 1:
        raise ConfigError(f"dropout fraction must be in [0, 1], got {fraction}")
    return _select(scan, rng.random(len(scan.points)) >= fraction)


def _select(scan: Scan, keep: np.ndarray) -> Scan:
    return _with_points(scan, scan.points[keep], keep)


def _with_points(scan: Scan, points: np.ndarray, keep: np.ndarray) -> Scan:
    def pick(values):
        return None if values is None else values[keep]

    objects = scan.objects
    if objects is not None:
        objects = Objects(**{f.name: getattr(objects, f.name) for f in dataclasses.fields(Objects)})
        objects.num_points = count_points(points, objects.boxes)
    return dataclasses.replace(
        scan,
        points=points,
        labels=pick(scan.labels),
        ring=pick(scan.ring),
        column=pick(scan.column),
        objects=objects,
        extras=dict(scan.extras),
    )
