"""Box geometry: LiDAR <-> camera boxes, corners, image boxes and points in boxes, against
answers worked out by hand and KITTI's own frame 000000."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.geometry.boxes import (
    Calibration,
    bev_corners,
    box_corners,
    camera_to_lidar_boxes,
    default_calibration,
    image_boxes,
    lidar_to_camera_boxes,
    limit_period,
    observation_angle,
    points_in_boxes,
)


def axis_calibration(focal=500.0, cx=0.0, cy=187.5) -> Calibration:
    """No rectification, a camera at the LiDAR's origin: x_cam = -y, y_cam = -z, z_cam = x."""
    return Calibration(
        P2=np.array([[focal, 0, cx, 0], [0, focal, cy, 0], [0, 0, 1, 0]], dtype=float),
        R0_rect=np.eye(3),
        Tr_velo_to_cam=np.array([[0, -1, 0, 0], [0, 0, -1, 0], [1, 0, 0, 0]], dtype=float),
    )


def random_boxes(rng, count):
    return np.c_[
        rng.uniform(0, 60, count), rng.uniform(-30, 30, count), rng.uniform(-2, 1, count),
        rng.uniform(0.5, 12, (count, 3)), rng.uniform(-math.pi, math.pi, count),
    ]  # fmt: skip


def test_default_calibration_is_kitti_frame_000000():
    calib = default_calibration()
    assert calib.P2[0, 0] == 721.5377 and calib.P2[0, 2] == 609.5593
    assert calib.P2[1, 2] == 172.854
    assert calib.P2[:, 3].tolist() == [44.85728, 0.2163791, 0.002745884]
    assert calib.R0_rect[0, 0] == 0.9999239 and calib.Tr_velo_to_cam[2, 3] == -0.2717806


def test_calibration_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="R0_rect"):
        Calibration(P2=np.zeros((3, 4)), R0_rect=np.eye(4), Tr_velo_to_cam=np.zeros((3, 4)))


def test_lidar_rect_points_round_trip():
    calib = default_calibration()
    points = np.random.default_rng(0).uniform(-50, 50, (100, 3))
    back = calib.rect_to_lidar(calib.lidar_to_rect(points))
    np.testing.assert_allclose(back, points, atol=1e-9)


def test_limit_period():
    angles = np.array([0.0, math.pi, -math.pi, 3 * math.pi / 2, -7.0])
    wrapped = limit_period(angles)
    assert wrapped.min() >= -math.pi and wrapped.max() < math.pi
    np.testing.assert_allclose(np.cos(wrapped), np.cos(angles), atol=1e-12)
    assert limit_period(3 * math.pi / 2) == pytest.approx(-math.pi / 2)
    assert limit_period(2.0, offset=0.0, period=math.pi) == pytest.approx(2.0)
    assert limit_period(-1.0, offset=0.0, period=math.pi) == pytest.approx(math.pi - 1)


def test_box_at_known_position_in_the_camera_frame():
    calib = axis_calibration()
    forward = [10.0, 2.0, -1.0, 4.0, 2.0, 1.5, 0.0]
    left = [5.0, 0.0, 0.0, 4.0, 2.0, 1.5, 0.5 * math.pi]
    boxes = np.array([forward, left])
    location, dimensions, rotation_y = lidar_to_camera_boxes(boxes, calib)
    # bottom centre (10, 2, -1.75) in the LiDAR frame is x = -2, y = 1.75, z = 10 in the camera
    np.testing.assert_allclose(location[0], [-2.0, 1.75, 10.0], atol=1e-12)
    np.testing.assert_allclose(dimensions[0], [1.5, 2.0, 4.0])  # h, w, l
    # heading forward (+x LiDAR = +z camera) is rotation_y -pi/2; heading left is -pi
    assert rotation_y[0] == pytest.approx(-math.pi / 2)
    assert rotation_y[1] == pytest.approx(-math.pi)
    # alpha: the first box is seen 0.2 rad to the left (arctan2(-2, 10))
    alpha = observation_angle(boxes, calib)
    assert alpha[0] == pytest.approx(-math.pi / 2 - math.atan2(-2.0, 10.0))
    assert alpha[1] == pytest.approx(-math.pi)


def test_lidar_camera_boxes_round_trip():
    calib = default_calibration()
    boxes = random_boxes(np.random.default_rng(1), 200)
    back = camera_to_lidar_boxes(*lidar_to_camera_boxes(boxes, calib), calib)
    np.testing.assert_allclose(back[:, :6], boxes[:, :6], atol=1e-6)
    np.testing.assert_allclose(limit_period(back[:, 6] - boxes[:, 6]), 0.0, atol=1e-6)


def test_kitti_frame_000000_pedestrian():
    """label_2/000000.txt: Pedestrian ... alpha -0.20, bbox 712.40 143.00 810.73 307.92,
    h w l 1.89 0.48 1.20, location 1.84 1.47 8.41, rotation_y 0.01."""
    calib = default_calibration()
    box = camera_to_lidar_boxes([[1.84, 1.47, 8.41]], [[1.89, 0.48, 1.20]], [0.01], calib)
    assert 8.0 < box[0, 0] < 9.0 and box[0, 1] < 0  # ahead and to the right
    assert observation_angle(box, calib)[0] == pytest.approx(-0.20, abs=0.01)
    bbox, truncation, in_image = image_boxes(box, calib)
    assert in_image[0] and truncation[0] == 0.0
    annotated = np.array([712.40, 143.00, 810.73, 307.92])
    low, high = np.maximum(bbox[0, :2], annotated[:2]), np.minimum(bbox[0, 2:], annotated[2:])
    overlap = np.prod(high - low)
    areas = np.prod(bbox[0, 2:] - bbox[0, :2]) + np.prod(annotated[2:] - annotated[:2])
    assert overlap / (areas - overlap) > 0.7  # the projected 3D box hugs the annotated 2D one


def test_corners_of_a_known_box():
    corners = box_corners(np.array([[1.0, 2.0, 3.0, 4.0, 2.0, 1.0, math.pi / 2]]))[0]
    # the length (4) runs along +y after a quarter turn; the width (2) along x
    expected_bottom = [[0, 4, 2.5], [0, 0, 2.5], [2, 0, 2.5], [2, 4, 2.5]]
    np.testing.assert_allclose(corners[:4], expected_bottom, atol=1e-12)
    np.testing.assert_allclose(corners[4:], np.array(expected_bottom) + [0, 0, 1], atol=1e-12)


def test_bev_corners_are_counter_clockwise():
    boxes = random_boxes(np.random.default_rng(2), 50)
    corners = bev_corners(boxes)
    x, y = corners[..., 0], corners[..., 1]
    signed_area = 0.5 * (x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1)
    np.testing.assert_allclose(signed_area, boxes[:, 3] * boxes[:, 4], rtol=1e-9)


def test_image_boxes_truncation_of_a_box_half_outside():
    calib = axis_calibration(cx=0.0)  # the image's left edge is straight ahead
    boxes = np.array(
        [
            [20.0, 0.0, 0.0, 2.0, 2.0, 2.0, 0.0],  # straddles the left edge: half outside
            [20.0, -10.0, 0.0, 2.0, 2.0, 2.0, 0.0],  # well inside (to the right)
            [-20.0, 0.0, 0.0, 2.0, 2.0, 2.0, 0.0],  # behind the camera
            [20.0, 30.0, 0.0, 2.0, 2.0, 2.0, 0.0],  # far left, outside
        ]
    )
    bbox, truncation, in_image = image_boxes(boxes, calib)
    assert truncation[0] == pytest.approx(0.5)
    # nearest face at depth 19: it spans 500 / 19 pixels either side of the centre
    np.testing.assert_allclose(bbox[0], [0, 187.5 - 500 / 19, 500 / 19, 187.5 + 500 / 19])
    assert truncation[1] == 0.0
    assert truncation[2] == 1.0 and truncation[3] == 1.0
    assert in_image.tolist() == [True, True, False, False]


def test_points_in_a_rotated_box():
    boxes = np.array(
        [
            [0.0, 0.0, 0.0, 4.0, 1.0, 2.0, math.pi / 4],  # 4 m long along the diagonal
            [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0],  # overlaps the first box
            [10.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0],
        ]
    )
    points = np.array(
        [
            [1.0, 1.0, 0.0],  # on the diagonal, 1.41 m from the centre: in box 0
            [1.0, -1.0, 0.0],  # 1.41 m across the diagonal: outside (half width 0.5)
            [1.6, 1.6, 0.0],  # 2.26 m along the diagonal: past the end (half length 2)
            [0.0, 0.0, 1.5],  # above the top
            [1.3, 1.3, 0.2],  # 1.84 m along the diagonal, in box 0 and box 1: the first
            [1.45, 0.6, 0.0],  # in box 1; 0.6 m across box 0's diagonal: outside box 0
            [10.2, -0.3, 0.4],
            [50.0, 50.0, 0.0],
        ]
    )
    owner = points_in_boxes(points, boxes)
    assert owner.tolist() == [0, -1, -1, -1, 0, 1, 2, -1]
    assert owner.dtype == np.int64
    assert points_in_boxes(points, np.zeros((0, 7))).tolist() == [-1] * len(points)


def test_points_in_boxes_matches_brute_force_and_is_fast():
    rng = np.random.default_rng(3)
    points = np.c_[rng.uniform(-40, 40, (30000, 2)), rng.uniform(-2, 1, 30000)]
    boxes = np.c_[
        rng.uniform(-40, 40, (40, 2)), rng.uniform(-1, 0, 40), rng.uniform(3, 8, (40, 3)),
        rng.uniform(-math.pi, math.pi, 40),
    ]  # fmt: skip
    start = time.perf_counter()
    owner = points_in_boxes(points, boxes)
    seconds = time.perf_counter() - start
    local = points[:, None, :] - boxes[None, :, :3]
    cos, sin = np.cos(boxes[:, 6]), np.sin(boxes[:, 6])
    u = local[..., 0] * cos + local[..., 1] * sin
    v = local[..., 1] * cos - local[..., 0] * sin
    inside = (np.abs(u) <= boxes[:, 3] / 2) & (np.abs(v) <= boxes[:, 4] / 2)
    inside &= np.abs(local[..., 2]) <= boxes[:, 5] / 2
    expected = np.where(inside.any(axis=1), inside.argmax(axis=1), -1)
    assert (owner >= 0).sum() > 1000  # the case is not trivially empty
    np.testing.assert_array_equal(owner, expected)
    assert seconds < 0.5  # about 7 ms on one core
