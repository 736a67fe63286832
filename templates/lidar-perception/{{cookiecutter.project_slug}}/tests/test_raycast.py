"""The ray caster's geometry against distances worked out by hand."""

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.data.raycast import (
    BoundedPlane,
    Box,
    Cylinder,
    Ellipsoid,
    cast,
    surface_normals,
)
from {{ cookiecutter.package_name }}.data.scenes import ROAD, SceneConfig, make_scene
from {{ cookiecutter.package_name }}.data.sensor import SensorConfig

ORIGIN = np.zeros(3)
SENSOR = SensorConfig(beams=16, columns=256)
EMPTY = dict(
    parked_cars=0,
    moving_cars=0,
    vans=0,
    pedestrians=0,
    cyclists=0,
    buildings=0,
    fences=0,
    poles=0,
    trees=0,
)


def _grid(sensor=SENSOR):
    return sensor.ray_grid(), sensor.elevations(), sensor.azimuths()


def _ray(*direction):
    d = np.array(direction, dtype=float)
    return (d / np.linalg.norm(d))[None]


def test_sensor_rays_are_unit_and_ordered():
    dirs, ring, column = SENSOR.ray_directions()
    assert dirs.shape == (16 * 256, 3) and ring.dtype == np.int16
    np.testing.assert_allclose(np.linalg.norm(dirs, axis=1), 1.0)
    elevation = np.degrees(np.arcsin(dirs[:, 2]))
    assert elevation[ring == 0].min() == pytest.approx(2.0)  # beam 0 is the top beam
    assert elevation[ring == 15].max() == pytest.approx(-24.8)
    azimuth = np.arctan2(dirs[:, 1], dirs[:, 0])
    np.testing.assert_array_equal(SENSOR.column_of_azimuth(azimuth), column)
    np.testing.assert_array_equal(SENSOR.beam_of_elevation(np.arcsin(dirs[:, 2])), ring)


@pytest.mark.parametrize(
    "shape, direction, expected",
    [
        (Box(np.array([10.0, 0, 0]), np.array([2.0, 2, 2])), (1, 0, 0), 9.0),
        (Box(np.array([10.0, 0, 0]), np.array([2.0, 2, 2]), np.pi / 4), (1, 0, 0), 10 - np.sqrt(2)),
        (Box(np.array([0.0, -6, 0]), np.array([1.0, 4, 1]), np.pi / 2), (0, -1, 0), 5.5),
        (Cylinder(5.0, 0.0, 1.0, -1.0, 1.0), (1, 0, 0), 4.0),
        (Cylinder(0.0, 0.0, 0.5, -3.0, -2.0), (0, 0, -1), 2.0),  # the top cap
        (Cylinder(3.0, 4.0, 1.0, -1.0, 1.0), (3, 4, 0), 4.0),
        (Ellipsoid(np.array([0.0, 6, 0]), np.full(3, 2.0)), (0, 1, 0), 4.0),
        (Ellipsoid(np.array([0.0, 0, 10]), np.array([1.0, 2, 3])), (0, 0, 1), 7.0),
        (BoundedPlane(np.array([0.0, 0, -2]), np.array([0.0, 0, 1])), (1, 0, -1), 2 * np.sqrt(2)),
    ],
)
def test_analytic_hit_distance(shape, direction, expected):
    assert shape.intersect(ORIGIN, _ray(*direction))[0] == pytest.approx(expected, abs=1e-9)


def test_misses_are_infinite():
    box = Box(np.array([10.0, 0, 0]), np.array([2.0, 2, 2]))
    behind = Ellipsoid(np.array([-5.0, 0, 0]), np.full(3, 1.0))
    assert np.isinf(box.intersect(ORIGIN, _ray(0, 1, 0))[0])
    assert np.isinf(box.intersect(ORIGIN, _ray(1, 0.2, 0))[0])  # passes beside it
    assert np.isinf(behind.intersect(ORIGIN, _ray(1, 0, 0))[0])  # behind the ray's origin
    assert np.isinf(Cylinder(5.0, 0.0, 1.0, -1.0, 1.0).intersect(ORIGIN, _ray(1, 0, 1))[0])
    bounded = BoundedPlane(
        np.zeros(3) + [0, 0, -1], np.array([0, 0, 1.0]), ((np.array([0, 1.0, 0]), -1, 1),)
    )
    assert np.isinf(bounded.intersect(ORIGIN, _ray(0, 1, -0.1))[0])  # lands at y = 10
    assert bounded.intersect(ORIGIN, _ray(1, 0, -1))[0] == pytest.approx(np.sqrt(2))


def test_surface_normals():
    shapes = [
        Box(np.array([10.0, 0, 0]), np.array([2.0, 2, 2]), 0.0),
        Cylinder(0.0, 5.0, 1.0, -1.0, 1.0),
        Ellipsoid(np.array([0.0, 0, 10]), np.array([1.0, 2, 3])),
    ]
    points = np.array([[9.0, 0.3, 0.1], [0.0, 4.0, 0.0], [0.0, 0.0, 7.0]])
    normals = surface_normals(shapes, points, np.array([0, 1, 2]))
    np.testing.assert_allclose(normals, [[-1, 0, 0], [0, -1, 0], [0, 0, -1]], atol=1e-12)


def test_wall_returns_its_distance_along_every_ray_that_hits_it():
    dirs, elevations, azimuths = _grid()
    wall = Box(np.array([10.5, 0.0, 0.0]), np.array([1.0, 30.0, 30.0]))  # near face x = 10
    plane = BoundedPlane(np.array([10.0, 0, 0]), np.array([-1.0, 0, 0]))
    for shape in (wall, plane):
        hits = cast([shape], dirs, elevations, azimuths, max_range=80.0)
        hit = hits.index == 0
        expected = 10.0 / dirs[..., 0]
        assert hit.sum() > 100
        np.testing.assert_allclose(hits.range[hit], expected[hit], rtol=1e-9)
    # every ray the wall's face can be reached by is hit (culling loses none)
    hits = cast([wall], dirs, elevations, azimuths, max_range=80.0)
    reach = 10.0 * dirs / np.maximum(dirs[..., :1], 1e-12)
    can = (dirs[..., 0] > 0) & (np.abs(reach[..., 1]) < 15) & (np.abs(reach[..., 2]) < 15)
    np.testing.assert_array_equal(hits.index == 0, can)


def test_flat_ground_at_the_beam_elevation_range():
    sensor = SensorConfig(beams=16, columns=256, max_range=200.0)
    cfg = SceneConfig(road_width=400.0, slope_deg=0.0, heading_deg=0.0, **EMPTY)
    scene = make_scene(np.random.default_rng(0), cfg, sensor.height)
    shapes = [p.shape for p in scene.primitives]
    dirs, elevations, azimuths = _grid(sensor)
    hits = cast(shapes, dirs, elevations, azimuths, sensor.max_range)
    down = elevations < 0
    expected = sensor.height / np.sin(-elevations[down])
    np.testing.assert_allclose(
        hits.range[down], np.broadcast_to(expected[:, None], hits.range[down].shape)
    )
    assert np.all(scene.semantic()[hits.index[down]] == ROAD)
    assert np.all(hits.index[~down] == -1)  # rays above the horizon see nothing


def test_culled_cast_equals_brute_force():
    sensor = SensorConfig(beams=16, columns=256)
    scene = make_scene(np.random.default_rng(7), SceneConfig(), sensor.height)
    shapes = [p.shape for p in scene.primitives]
    dirs, elevations, azimuths = _grid(sensor)
    record = {i for obj in scene.objects for i in obj.primitives}
    hits = cast(shapes, dirs, elevations, azimuths, sensor.max_range, record=record)
    every = np.stack([s.intersect(ORIGIN, dirs) for s in shapes])
    every[every > sensor.max_range] = np.inf
    np.testing.assert_allclose(hits.range, every.min(axis=0))
    found = np.isfinite(hits.range)
    np.testing.assert_array_equal(hits.index[found], every.argmin(axis=0)[found])
    for i in record:
        np.testing.assert_array_equal(
            np.unique(hits.seen[i]), np.nonzero(np.isfinite(every[i]).reshape(-1))[0]
        )
