"""Rotated-box IoU against areas computed by hand, and its invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.geometry.iou import (
    bev_corners,
    bev_intersection,
    bev_iou,
    image_iou,
    iou_3d,
)


def box(x=0.0, y=0.0, z=0.0, length=1.0, width=1.0, height=1.0, yaw=0.0):
    return np.array([[x, y, z, length, width, height, yaw]])


def test_identical_and_disjoint_boxes():
    assert bev_iou(box(), box())[0, 0] == pytest.approx(1.0)
    assert iou_3d(box(yaw=0.3), box(yaw=0.3))[0, 0] == pytest.approx(1.0)
    assert bev_iou(box(), box(x=5.0))[0, 0] == 0.0
    # the circles meet but the squares do not: clipping must still give 0
    assert bev_intersection(box(), box(x=1.05, y=1.05))[0, 0] == pytest.approx(0.0, abs=1e-12)


def test_unit_squares_offset_by_half():
    # intersection 0.5 x 1 = 0.5, union 2 - 0.5 = 1.5
    assert bev_iou(box(), box(x=0.5))[0, 0] == pytest.approx(1 / 3)
    # offset by half along both axes: 0.25 over 1.75
    assert bev_iou(box(), box(x=0.5, y=0.5))[0, 0] == pytest.approx(1 / 7)


def test_square_against_itself_turned_45_degrees():
    # 2 x 2 squares: the turned one cuts 4 corner triangles of legs 2 - sqrt 2 off the other,
    # leaving a regular octagon of area 4 - 4 (2 - sqrt 2)^2 / 2 = 8 (sqrt 2 - 1)
    octagon = 8 * (math.sqrt(2) - 1)
    a, b = box(length=2, width=2), box(length=2, width=2, yaw=math.pi / 4)
    assert bev_intersection(a, b)[0, 0] == pytest.approx(octagon, abs=1e-9)
    expected = octagon / (8 - octagon)
    assert bev_iou(a, b)[0, 0] == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(1 / math.sqrt(2))


def test_crossed_bars_and_nested_boxes():
    # a 4 x 1 bar and the same bar turned 90 degrees share a unit square: 1 / (4 + 4 - 1)
    bar, turned = box(length=4), box(length=4, yaw=math.pi / 2)
    assert bev_iou(bar, turned)[0, 0] == pytest.approx(1 / 7)
    # a 1 x 1 box inside a 3 x 3 one turned by 30 degrees: intersection = the small box
    assert bev_intersection(box(yaw=0.5), box(length=3, width=3))[0, 0] == pytest.approx(1.0)
    assert bev_iou(box(yaw=0.5), box(length=3, width=3))[0, 0] == pytest.approx(1 / 9)


def test_3d_iou_with_half_the_height_shared():
    # same footprint, heights 2, centres 1 m apart: volume 1 of a union of 3
    a, b = box(height=2.0), box(z=1.0, height=2.0)
    assert iou_3d(a, b)[0, 0] == pytest.approx(1 / 3)
    assert bev_iou(a, b)[0, 0] == pytest.approx(1.0)
    # stacked boxes touch without sharing volume
    assert iou_3d(box(), box(z=1.0))[0, 0] == pytest.approx(0.0)


def test_corners_are_counter_clockwise_and_rotate():
    corners = bev_corners(box(x=1.0, length=4.0, width=2.0, yaw=math.pi / 2))[0]
    # front-left of a box heading +y sits at (x - 1, y + 2)
    assert corners[0] == pytest.approx([0.0, 2.0])
    x, y = corners[:, 0], corners[:, 1]
    signed = 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    assert signed == pytest.approx(8.0)  # positive: counter-clockwise


def test_symmetry_and_half_turn_invariance():
    rng = np.random.default_rng(0)
    a = np.c_[rng.uniform(-2, 2, (6, 3)), rng.uniform(1, 4, (6, 3)), rng.uniform(-3, 3, (6, 1))]
    b = a + np.c_[rng.normal(0, 0.5, (6, 3)), np.zeros((6, 3)), rng.normal(0, 0.3, (6, 1))]
    assert np.allclose(bev_iou(a, b), bev_iou(b, a).T)
    assert np.allclose(iou_3d(a, b), iou_3d(b, a).T)
    turned = b.copy()
    turned[:, 6] += math.pi
    assert np.allclose(iou_3d(a, b), iou_3d(a, turned))
    ious = bev_iou(a, b)
    assert ((ious >= 0) & (ious <= 1 + 1e-12)).all()
    # with the same z extent the height cancels: 3D IoU = BEV IoU
    level = b.copy()
    level[:, [2, 5]] = a[:, [2, 5]]
    assert np.allclose(np.diag(iou_3d(a, level)), np.diag(bev_iou(a, level)))


def test_intersection_matches_area_sampling():
    """Random pairs against a dense grid count of the points inside both boxes."""
    rng = np.random.default_rng(3)
    a = np.c_[rng.uniform(-0.5, 0.5, (5, 2)), np.zeros(5), rng.uniform(1, 3, (5, 2)),
              np.ones(5), rng.uniform(-3, 3, 5)]  # fmt: skip
    b = np.c_[rng.uniform(-0.5, 0.5, (5, 2)), np.zeros(5), rng.uniform(1, 3, (5, 2)),
              np.ones(5), rng.uniform(-3, 3, 5)]  # fmt: skip
    step = 0.01
    grid = np.stack(np.meshgrid(np.arange(-3, 3, step), np.arange(-3, 3, step)), -1)
    grid = grid.reshape(-1, 2) + step / 2

    def inside(one):
        offset = grid - one[:2]
        c, s = math.cos(one[6]), math.sin(one[6])
        u, v = offset[:, 0] * c + offset[:, 1] * s, -offset[:, 0] * s + offset[:, 1] * c
        return (np.abs(u) <= one[3] / 2) & (np.abs(v) <= one[4] / 2)

    exact = np.diag(bev_intersection(a, b))
    sampled = np.array([(inside(p) & inside(q)).sum() * step**2 for p, q in zip(a, b, strict=True)])
    assert np.allclose(exact, sampled, atol=0.03)


def test_shapes_and_empty_inputs():
    assert bev_iou(np.zeros((0, 7)), box()).shape == (0, 1)
    assert iou_3d(box(), np.zeros((0, 7))).shape == (1, 0)
    many = np.repeat(box(), 3, axis=0)
    assert bev_iou(many, box(x=0.5)).shape == (3, 1)


def test_image_iou():
    a = np.array([[0, 0, 10, 10]])
    b = np.array([[5, 0, 15, 10]])
    assert image_iou(a, b)[0, 0] == pytest.approx(50 / 150)
    # over the first box's own area: half of a lies inside b
    assert image_iou(a, b, over="first")[0, 0] == pytest.approx(0.5)
