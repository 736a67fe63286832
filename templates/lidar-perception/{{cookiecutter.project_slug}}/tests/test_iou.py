"""Rotated-box IoU against areas computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.geometry.iou import bev_iou, image_iou, iou_3d


def box(x=0.0, y=0.0, z=0.0, length=1.0, width=1.0, height=1.0, yaw=0.0):
    return np.array([[x, y, z, length, width, height, yaw]])


def test_identical_and_disjoint_boxes():
    assert bev_iou(box(), box())[0, 0] == pytest.approx(1.0)
    assert bev_iou(box(), box(x=5.0))[0, 0] == 0.0


def test_unit_squares_offset_by_half():
    # intersection 0.5, union 1.5
    assert bev_iou(box(), box(x=0.5))[0, 0] == pytest.approx(1 / 3)


def test_square_against_itself_turned_45_degrees():
    # 2 x 2 squares: the intersection is a regular octagon of area 8 (sqrt 2 - 1)
    octagon = 8 * (math.sqrt(2) - 1)
    expected = octagon / (8 - octagon)
    a, b = box(length=2, width=2), box(length=2, width=2, yaw=math.pi / 4)
    assert bev_iou(a, b)[0, 0] == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(1 / math.sqrt(2))


def test_3d_iou_with_half_the_height_shared():
    # same footprint, heights 2, centres 1 m apart: volume 1 of a union of 3
    a, b = box(height=2.0), box(z=1.0, height=2.0)
    assert iou_3d(a, b)[0, 0] == pytest.approx(1 / 3)
    assert bev_iou(a, b)[0, 0] == pytest.approx(1.0)


def test_symmetry_and_half_turn_invariance():
    rng = np.random.default_rng(0)
    a = np.c_[rng.uniform(-2, 2, (6, 3)), rng.uniform(1, 4, (6, 3)), rng.uniform(-3, 3, (6, 1))]
    b = a + np.c_[rng.normal(0, 0.5, (6, 3)), np.zeros((6, 3)), rng.normal(0, 0.3, (6, 1))]
    assert np.allclose(bev_iou(a, b), bev_iou(b, a).T)
    turned = b.copy()
    turned[:, 6] += math.pi
    assert np.allclose(iou_3d(a, b), iou_3d(a, turned))
    assert ((bev_iou(a, b) >= 0) & (bev_iou(a, b) <= 1 + 1e-12)).all()


def test_image_iou():
    a = np.array([[0, 0, 10, 10]])
    b = np.array([[5, 0, 15, 10]])
    assert image_iou(a, b)[0, 0] == pytest.approx(50 / 150)
