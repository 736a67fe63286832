"""Rotations of point clouds, one implementation for the synthetic data, the training
augmentation and the robustness study: every rotation is a unit quaternion (w, x, y, z)
turned into a matrix by ``quaternion_matrix``.

NumPy arrays and PyTorch tensors both work (the result has the type of the input), so the
seeded NumPy data generator and the on-device torch augmentation share the same code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

KINDS = ("so3", "z", "none")  # the values of augment.rotation and data.synthetic.rotation


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch")


def _stack(values: list, axis: int) -> Any:
    if _is_tensor(values[0]):
        import torch

        return torch.stack(values, axis)
    return np.stack(values, axis)


def quaternion_matrix(q: Any) -> Any:
    """Rotation matrices [..., 3, 3] of unit quaternions q [..., 4] (w, x, y, z)."""
    w, x, y, z = (q[..., i] for i in range(4))
    rows = [
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ]
    return _stack([_stack(row, -1) for row in rows], -2)


def about_axis(axis: Any, angle: Any) -> Any:
    """Rotation matrices [N, 3, 3] by ``angle`` radians (a number, or one per axis) about the
    unit vectors ``axis`` [N, 3]."""
    half = (axis[..., 0] * 0 + angle) / 2
    cos, sin = (half.cos(), half.sin()) if _is_tensor(half) else (np.cos(half), np.sin(half))
    return quaternion_matrix(_stack([cos, *(axis[..., i] * sin for i in range(3))], -1))


def random_rotations(
    count: int,
    kind: str,
    normal: Callable[[tuple[int, ...]], Any],
    uniform: Callable[[tuple[int, ...]], Any],
) -> Any:
    """``count`` random rotation matrices [count, 3, 3], uniform over SO(3) ("so3": a
    normalised Gaussian quaternion is uniform on the unit quaternions) or about the vertical
    axis ("z": an angle uniform in [0, 2 pi)).

    ``normal(shape)`` and ``uniform(shape)`` draw standard-normal and [0, 1) samples from the
    caller's own generator (NumPy or torch), so each caller keeps its random stream."""
    if kind == "so3":
        q = normal((count, 4))
        return quaternion_matrix(q / ((q * q).sum(-1)[..., None] ** 0.5))
    if kind == "z":
        angle = uniform((count,)) * (2 * math.pi)
        zero = angle * 0
        return about_axis(_stack([zero, zero, zero + 1], -1), angle)
    raise ValueError(f"rotation must be one of {', '.join(KINDS[:2])}, got {kind!r}")
