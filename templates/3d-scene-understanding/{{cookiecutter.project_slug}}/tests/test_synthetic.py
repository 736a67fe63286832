"""Properties of the procedural data: surfaces, labels, seeds, noise, scenes."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.data import (
    synthetic,
)
from {{ cookiecutter.package_name }}.data.synthetic import (
    PRIMITIVES,
    SAMPLERS,
    make_objects,
    make_scenes,
)


def test_at_least_eight_primitive_classes_each_with_a_sampler():
    assert len(PRIMITIVES) >= 8 and set(SAMPLERS) == set(PRIMITIVES)


@pytest.mark.parametrize("name", PRIMITIVES)
def test_samplers_put_points_in_the_unit_cube_and_not_in_one_spot(name):
    points = SAMPLERS[name](np.random.default_rng(0), 3, 500)
    assert points.shape == (3, 500, 3)
    assert np.abs(points).max() <= 1.0 + 1e-9
    assert points.std(axis=1).max() > 0.2


def test_samplers_lie_on_their_surfaces():
    rng = np.random.default_rng(0)
    sphere = SAMPLERS["sphere"](rng, 1, 1000)
    assert np.allclose(np.linalg.norm(sphere, axis=-1), 1.0)
    cube = SAMPLERS["cube"](rng, 1, 1000)  # half side 0.8: one coordinate at +-0.8
    assert np.allclose(np.abs(cube).max(axis=-1), 0.8)
    torus = SAMPLERS["torus"](rng, 1, 1000)  # (sqrt(x^2+y^2) - R)^2 + z^2 = r^2
    ring = np.hypot(torus[..., 0], torus[..., 1])
    assert np.allclose((ring - 0.7) ** 2 + torus[..., 2] ** 2, 0.3**2)
    disk = SAMPLERS["disk"](rng, 1, 1000)
    assert np.allclose(disk[..., 2], 0) and np.hypot(disk[..., 0], disk[..., 1]).max() <= 1
    cylinder = SAMPLERS["cylinder"](rng, 1, 2000) / 0.8
    radius = np.hypot(cylinder[..., 0], cylinder[..., 1])
    on_side = np.isclose(radius, 1.0)
    on_cap = np.isclose(np.abs(cylinder[..., 2]), 1.0)
    assert np.all(on_side | on_cap)
    assert 0.55 < on_side.mean() < 0.78  # the side holds 2/3 of the area


def test_rotations_are_proper_and_orthonormal():
    for kind in ("so3", "z"):
        rotations = synthetic.random_rotations(np.random.default_rng(0), 50, kind)
        assert np.allclose(rotations @ rotations.transpose(0, 2, 1), np.eye(3), atol=1e-9)
        assert np.allclose(np.linalg.det(rotations), 1.0)
    upright = synthetic.random_rotations(np.random.default_rng(0), 5, "z")
    assert np.allclose(upright[:, 2], [0, 0, 1])  # yaw only: z stays z


def test_objects_shapes_dtypes_balance_and_normalisation():
    points, labels, names = make_objects(200, 128, seed=0)
    assert points.shape == (200, 128, 3) and points.dtype == np.float32
    assert labels.shape == (200,) and labels.dtype == np.int64
    assert names == list(PRIMITIVES)
    assert np.bincount(labels).tolist() == [20] * 10  # balanced classes
    assert np.allclose(points.mean(axis=1), 0, atol=1e-5)  # centred
    assert np.allclose(np.linalg.norm(points, axis=-1).max(axis=1), 1.0, atol=1e-5)  # unit sphere


def test_same_seed_same_data_other_seed_other_data():
    a = make_objects(20, 64, seed=3)
    b = make_objects(20, 64, seed=3)
    c = make_objects(20, 64, seed=4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    s1, s2 = make_scenes(3, 256, seed=3), make_scenes(3, 256, seed=3)
    assert np.array_equal(s1[0], s2[0]) and np.array_equal(s1[1], s2[1])


def test_noise_rotation_and_stretch_vary_between_clouds_of_a_class():
    points, labels, _ = make_objects(40, 256, seed=0, classes=("cube",), jitter=0.0, outliers=0.0)
    extents = np.sort(points.max(axis=1) - points.min(axis=1), axis=1)
    assert extents.std(axis=0).max() > 0.05  # random rotation and anisotropic scale
    clean, _, _ = make_objects(
        4, 256, seed=0, classes=("sphere",), jitter=0.0, outliers=0.0, max_stretch=1.0
    )
    noisy, _, _ = make_objects(
        4, 256, seed=0, classes=("sphere",), jitter=0.05, outliers=0.0, max_stretch=1.0
    )
    # Same seed: the same surface samples, displaced by the jitter (up to 0.05 per cloud).
    displacement = np.linalg.norm(noisy - clean, axis=-1).mean(axis=1)
    assert 0.002 < displacement.max() < 0.15


def test_scenes_labels_and_geometry():
    points, labels, names = make_scenes(8, 1024, seed=0, objects_per_scene=4)
    assert points.shape == (8, 1024, 3) and labels.shape == (8, 1024)
    assert names[0] == "ground" and names[-1] == "clutter" and len(names) == len(PRIMITIVES) + 2
    ground = labels == 0
    assert np.abs(points[ground][:, 2]).max() < 0.1  # the ground is the plane z = 0
    objects = (labels > 0) & (labels < len(names) - 1)
    assert points[objects][:, 2].min() > -0.1  # objects stand on the ground
    assert 0.25 < ground.mean() < 0.35 and np.isclose(
        (labels == len(names) - 1).mean(), 0.1, atol=0.01
    )
    for scene in labels:  # every scene has several objects
        kinds = set(np.unique(scene)) - {0, len(names) - 1}
        assert 1 <= len(kinds) <= 4
    # Points are shuffled: labels are not sorted by kind along the point axis.
    assert (np.diff(labels, axis=1) != 0).mean() > 0.3


def test_scene_objects_can_tumble_and_still_stand_on_the_ground():
    points, labels, _ = make_scenes(4, 512, seed=0, rotation="so3", jitter=0.0)
    objects = (labels > 0) & (labels < labels.max())
    assert points[objects][:, 2].min() >= -1e-6


def test_scene_subset_of_classes_relabels_densely():
    _, labels, names = make_scenes(4, 256, seed=0, classes=("sphere", "torus"))
    assert names == ["ground", "sphere", "torus", "clutter"]
    assert labels.max() == 3
