"""The one rotation implementation (rotations.py): known answers, proper rotations, the same
matrices from NumPy and from torch, and uniform directions for "so3"."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }}.rotations import about_axis, quaternion_matrix, random_rotations


def torch_draws(seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    return {
        "normal": lambda shape: torch.randn(shape, generator=generator),
        "uniform": lambda shape: torch.rand(shape, generator=generator),
    }


def test_known_answers():
    identity = quaternion_matrix(np.array([[1.0, 0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(identity[0], np.eye(3))
    quarter_turn = about_axis(torch.tensor([[0.0, 0.0, 1.0]]), math.pi / 2)
    torch.testing.assert_close(
        quarter_turn[0] @ torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0])
    )
    half_turn_about_x = about_axis(np.array([[1.0, 0.0, 0.0]]), math.pi)
    np.testing.assert_allclose(half_turn_about_x[0], np.diag([1.0, -1.0, -1.0]), atol=1e-12)


def test_numpy_and_torch_give_the_same_matrices():
    q = np.random.default_rng(0).normal(size=(8, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    from_numpy = quaternion_matrix(q)
    from_torch = quaternion_matrix(torch.from_numpy(q))
    assert isinstance(from_numpy, np.ndarray) and isinstance(from_torch, torch.Tensor)
    np.testing.assert_allclose(from_torch.numpy(), from_numpy, atol=1e-12)


@pytest.mark.parametrize("kind", ["so3", "z"])
def test_random_rotations_are_proper_and_orthonormal(kind):
    rotations = random_rotations(64, kind, **torch_draws())
    torch.testing.assert_close(
        rotations @ rotations.transpose(1, 2), torch.eye(3).expand(64, 3, 3), atol=1e-5, rtol=0
    )
    torch.testing.assert_close(torch.linalg.det(rotations), torch.ones(64))
    if kind == "z":
        torch.testing.assert_close(rotations[:, 2], torch.tensor([0.0, 0.0, 1.0]).expand(64, 3))


def test_so3_rotations_send_a_vector_in_every_direction_alike():
    # Uniform on SO(3): the image of a fixed vector is uniform on the sphere, so its mean is 0
    # and each coordinate has variance 1/3.
    rotated = random_rotations(20000, "so3", **torch_draws(1)) @ torch.tensor([0.0, 0.0, 1.0])
    assert rotated.mean(0).abs().max() < 0.02
    torch.testing.assert_close(rotated.var(0), torch.full((3,), 1 / 3), atol=0.01, rtol=0)
    with pytest.raises(ValueError, match="so3, z"):
        random_rotations(1, "xyz", **torch_draws())
