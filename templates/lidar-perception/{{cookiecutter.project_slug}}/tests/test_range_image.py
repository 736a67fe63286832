"""Range-image projection and kNN refinement: known pixels, nearest wins, round trips."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ConfigError
from {{ cookiecutter.package_name }}.data.sensor import SensorConfig
from {{ cookiecutter.package_name }}.segmentation.knn import knn_refine
from {{ cookiecutter.package_name }}.segmentation.range_image import pixel_owner, project


def point(distance: float, pitch_deg: float, yaw_deg: float, intensity: float = 0.5):
    pitch, yaw = np.radians(pitch_deg), np.radians(yaw_deg)
    return [
        distance * np.cos(pitch) * np.cos(yaw),
        distance * np.cos(pitch) * np.sin(yaw),
        distance * np.sin(pitch),
        intensity,
    ]


def test_hand_made_points_land_on_the_expected_pixels():
    # 4 rows of 5 degrees from +10 to -10, 8 columns of 45 degrees; column 0 looks backwards
    # (azimuth just under +180), column 4 starts at azimuth 0 (forwards), column 2 spans
    # azimuths 45 to 90.
    points = np.array(
        [
            point(10, 0.0, 0.0),  # forwards, on the horizon: row 2, col 4
            point(10, 7.5, 67.5),  # front left, high: row 0, col 2
            point(10, -7.5, -160.0),  # behind on the right, low: row 3, col 7
            point(10, 2.5, 170.0),  # behind on the left: row 1, col 0
            point(10, -30.0, 10.0),  # below the field of view: clipped to the last row
        ],
        dtype=np.float32,
    )
    image, mask, pixel_index = project(points, 10.0, -10.0, 4, 8)
    assert pixel_index.tolist() == [[2, 4], [0, 2], [3, 7], [1, 0], [3, 3]]
    assert mask.sum() == 5
    np.testing.assert_allclose(image[0, 2, 4], 10.0, rtol=1e-6)
    np.testing.assert_allclose(image[1:, 0, 2], points[1], atol=1e-5)


def test_sensor_rays_project_to_their_own_ring_and_column():
    # the elevation / azimuth projection and the simulator's sensor share one convention
    sensor = SensorConfig(beams=8, columns=32, fov_up=2.0, fov_down=-24.8)
    dirs, ring, column = sensor.ray_directions()
    points = np.concatenate([dirs * 10.0, np.zeros((len(dirs), 1))], axis=1).astype(np.float32)
    _, mask, pixel_index = project(points, sensor.fov_up, sensor.fov_down, 8, 32)
    assert mask.all()
    np.testing.assert_array_equal(pixel_index, np.stack([ring, column], axis=1))


def test_ring_and_column_are_used_exactly_when_given():
    points = np.array([point(5, 0.0, 0.0), point(5, 0.0, 0.0)], dtype=np.float32)
    _, mask, pixel_index = project(
        points, 10.0, -10.0, 4, 8, ring=np.array([0, 3]), column=np.array([7, 1])
    )
    assert pixel_index.tolist() == [[0, 7], [3, 1]]
    assert mask[0, 7] and mask[3, 1] and mask.sum() == 2


def test_an_image_smaller_than_the_sensor_is_a_config_error():
    points = np.zeros((1, 4), dtype=np.float32) + 1
    with pytest.raises(ConfigError, match="range_image.width"):
        project(points, 10.0, -10.0, 4, 8, ring=np.array([0]), column=np.array([8]))


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
def test_nearest_point_wins_its_pixel_whatever_the_order(order):
    points = np.array(
        [point(10, 0.0, 0.0, 0.1), point(4, 0.0, 0.0, 0.9), point(7, 0.0, 0.0, 0.5)],
        dtype=np.float32,
    )[order]
    image, mask, pixel_index = project(points, 10.0, -10.0, 4, 8)
    assert mask.sum() == 1
    assert (pixel_index == [2, 4]).all()
    np.testing.assert_allclose(image[[0, 4], 2, 4], [4.0, 0.9], rtol=1e-6)


def test_pixel_indices_round_trip():
    rng = np.random.default_rng(0)
    xyz = rng.normal(size=(2000, 3)) * [20, 20, 1]
    points = np.concatenate([xyz, rng.random((2000, 1))], axis=1).astype(np.float32)
    image, mask, pixel_index = project(points, 3.0, -25.0, 16, 128)
    point_range = np.linalg.norm(points[:, :3], axis=1)
    owner = pixel_owner(pixel_index, point_range, 16, 128)
    rows, cols = pixel_index[:, 0], pixel_index[:, 1]
    assert mask[rows, cols].all()  # every point's pixel is filled
    assert (mask == (owner >= 0)).all()
    # the pixel holds its owner's values, and no point in it is nearer than the owner
    winners = owner[mask]
    np.testing.assert_allclose(image[1:, mask].T, points[winners], atol=1e-6)
    assert (image[0, rows, cols] <= point_range + 1e-5).all()
    assert (owner[rows[winners], cols[winners]] == winners).all()


def test_normalisation_touches_filled_pixels_only():
    points = np.array([point(10, 0.0, 0.0, 0.5)], dtype=np.float32)
    means, stds = (10.0, 0.0, 0.0, 0.0, 0.5), (2.0, 1.0, 1.0, 1.0, 0.25)
    image, mask, _ = project(points, 10.0, -10.0, 4, 8, means=means, stds=stds)
    np.testing.assert_allclose(image[:, 2, 4], [0.0, 10.0, 0.0, 0.0, 0.0], atol=1e-5)
    assert (image[:, ~mask] == 0).all()


def toy_scene():
    """A 7 x 7 image at range 10 labelled 1, its centre pixel wrongly labelled 2, and a far
    pixel (range 30, a range jump) labelled 3 in the corner region."""
    ranges = np.full((7, 7), 10.0) + np.arange(49).reshape(7, 7) * 1e-3
    labels = np.ones((7, 7), dtype=np.int64)
    labels[3, 3] = 2
    ranges[1, 5], labels[1, 5] = 30.0, 3
    return ranges, labels


def test_knn_corrects_a_wrong_pixel_and_keeps_a_far_point():
    ranges, labels = toy_scene()
    pixel_index = np.array([[3, 3], [1, 5], [0, 0]])
    point_range = ranges[pixel_index[:, 0], pixel_index[:, 1]]
    refined = knn_refine(ranges, point_range, pixel_index, labels, k=5, window=5, cutoff=1.0)
    # the centre joins its 4 nearest neighbours (label 1); the far point has no neighbour
    # within 1 m and keeps its label; a plain point stays 1
    assert refined.tolist() == [1, 3, 1]


def test_knn_labels_an_occluded_point_by_its_own_surface():
    # a point 30 m away lost its pixel to the 10 m surface; a 30 m surface lies beside it
    ranges, labels = toy_scene()
    ranges[:, 6], labels[:, 6] = 30.0, 4
    refined = knn_refine(ranges, np.array([30.0]), np.array([[3, 5]]), labels, k=3, cutoff=1.0)
    assert refined.tolist() == [4]


def test_knn_wraps_columns_and_skips_empty_pixels():
    ranges = np.zeros((3, 8))
    labels = np.zeros((3, 8), dtype=np.int64)
    ranges[:, 7], labels[:, 7] = 5.0, 6  # beyond the left edge, through the wrap-around
    ranges[1, 0], labels[1, 0] = 5.0, 9
    refined = knn_refine(ranges, np.array([5.0]), np.array([[1, 0]]), labels, k=5, window=3)
    assert refined.tolist() == [6]  # 3 votes for 6 against its own 9; empty pixels do not vote
