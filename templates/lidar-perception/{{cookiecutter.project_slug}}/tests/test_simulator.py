"""The simulated LiDAR dataset: determinism, labels, boxes, occlusion, caching, corruptions."""

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ConfigError
from {{ cookiecutter.package_name }}.data import load_scans
from {{ cookiecutter.package_name }}.data import simulated as sim
from {{ cookiecutter.package_name }}.data.corruptions import fewer_beams, point_dropout, range_noise
from {{ cookiecutter.package_name }}.data.raycast import BoundedPlane, Box
from {{ cookiecutter.package_name }}.data.scenes import (
    CAR,
    COUNTS,
    ROAD,
    Primitive,
    Scene,
    SceneConfig,
    SceneObject,
)
from {{ cookiecutter.package_name }}.data.sensor import SensorConfig

SENSOR = SensorConfig(beams=32, columns=512)
SMALL = {"beams": 16, "columns": 256}


@pytest.fixture(scope="module")
def scan():
    return sim.simulate_scan(np.random.default_rng(1), SENSOR)


def _same(a, b):
    np.testing.assert_array_equal(a.points, b.points)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.objects.boxes, b.objects.boxes)
    np.testing.assert_array_equal(a.objects.num_points, b.objects.num_points)


def test_scan_fields(scan):
    n = len(scan.points)
    assert scan.points.dtype == np.float32 and scan.points.shape == (n, 4) and n > 5000
    assert scan.labels.dtype == np.uint32 and scan.ring.dtype == np.int16 and len(scan.column) == n
    assert scan.points[:, 3].min() >= 0 and scan.points[:, 3].max() <= 1
    distance = np.linalg.norm(scan.points[:, :3], axis=1)
    assert distance.min() >= SENSOR.min_range and distance.max() <= SENSOR.max_range + 0.2
    xyz = scan.points[:, :3].astype(np.float64)
    np.testing.assert_array_equal(
        SENSOR.column_of_azimuth(np.arctan2(xyz[:, 1], xyz[:, 0])), scan.column
    )
    elevation = np.arctan2(xyz[:, 2], np.hypot(xyz[:, 0], xyz[:, 1]))
    np.testing.assert_array_equal(SENSOR.beam_of_elevation(elevation), scan.ring)
    names = set(scan.objects.names)
    assert names <= {"Car", "Van", "Pedestrian", "Cyclist"} and "Car" in names
    # instance ids of points are exactly those of the listed objects that returned points
    instances = set(np.unique(scan.instance)) - {0}
    assert instances <= set(range(1, len(scan.objects) + 1))
    assert set(np.unique(scan.semantic[scan.instance == 0])).isdisjoint({CAR, 20, 30, 31, 11})


def test_same_seed_same_scan_and_splits_differ(tmp_path):
    _same(
        sim.simulate_scan(np.random.default_rng(5), SENSOR),
        sim.simulate_scan(np.random.default_rng(5), SENSOR),
    )
    options = dict(scans={"train": 2, "val": 2}, sensor=SMALL, cache=False)
    val = sim.simulated("val", 3, None, **options)
    for a, b in zip(val, sim.simulated("val", 3, None, **options), strict=True):
        _same(a, b)
    train = sim.simulated("train", 3, None, **options)
    assert not np.array_equal(train[0].objects.boxes, val[0].objects.boxes)
    other_seed = sim.simulated("val", 4, None, **options)
    assert not np.array_equal(other_seed[0].objects.boxes, val[0].objects.boxes)


def test_every_class_labelled_in_a_big_scene():
    big = SceneConfig(pedestrians=12, cyclists=6, poles=16, trees=14, fences=8)
    seen = set()
    for seed in range(3):
        seen |= set(np.unique(sim.simulate_scan(np.random.default_rng(seed), SENSOR, big).semantic))
    assert {10, 11, 20, 30, 31, 40, 48, 50, 51, 70, 71, 72, 80, 81} <= seen


def test_a_scene_without_objects():
    empty = {name: 0 for name in COUNTS}
    scan = sim.simulate_scan(np.random.default_rng(0), SENSOR, SceneConfig(**empty))
    assert len(scan.objects) == 0 and len(scan.points) > 5000
    assert np.all(scan.instance == 0)
    assert set(np.unique(scan.semantic)) <= {ROAD, 48, 72}


def test_num_points_match_points_in_boxes(scan):
    inside = sim.points_in_boxes(scan.points[:, :3], scan.objects.boxes)
    counts = np.bincount(inside[inside >= 0], minlength=len(scan.objects))
    np.testing.assert_array_equal(scan.objects.num_points, counts)
    assert scan.objects.num_points.max() > 50


def _scene_with_wall(wall: bool) -> Scene:
    height = SENSOR.height
    ground = BoundedPlane(np.array([0, 0, -height]), np.array([0.0, 0, 1]))
    primitives = [Primitive(ground, ROAD)]
    if wall:
        primitives.append(Primitive(Box(np.array([8.0, 0, 0]), np.array([0.3, 12.0, 6.0])), 50))
    seen_car = np.array([10.0, 14.0, -height + 0.75, 4.0, 1.8, 1.5, 0.3])
    hidden_car = np.array([15.0, 0.0, -height + 0.75, 4.0, 1.8, 1.5, 0.0])
    objects = []
    for k, box in enumerate((seen_car, hidden_car), start=1):
        primitives.append(Primitive(Box(box[:3], box[3:6], box[6]), CAR, k, 0.5))
        objects.append(SceneObject("Car", box, k, [len(primitives) - 1]))
    return Scene(primitives, objects, np.array([0, 0, 1.0]), 0.0)


def test_an_object_behind_a_wall_is_occluded():
    open_scan = sim.scan_scene(_scene_with_wall(False), SENSOR, np.random.default_rng(0))
    walled = sim.scan_scene(_scene_with_wall(True), SENSOR, np.random.default_rng(0))
    assert list(open_scan.objects.occluded) == [0, 0]
    assert open_scan.objects.num_points[1] > 30
    assert walled.objects.occluded[0] == 0 and walled.objects.occluded[1] == 2
    assert walled.objects.num_points[1] <= 5
    assert walled.objects.num_points[0] == pytest.approx(open_scan.objects.num_points[0], rel=0.25)


def test_disk_and_memory_cache(tmp_path):
    options = dict(scans={"val": 2}, sensor=SMALL)
    first = sim.simulated("val", 0, str(tmp_path), **options)
    files = list(tmp_path.glob("simulated-val-*.npz"))
    assert len(files) == 1
    sim._cached.cache_clear()  # as a fresh process would: read back from disk
    again = sim.simulated("val", 0, str(tmp_path), **options)
    for a, b in zip(first, again, strict=True):
        _same(a, b)
        np.testing.assert_array_equal(a.ring, b.ring)
        assert a.frame_id == b.frame_id
    again[0].points[:] = 0  # callers get copies: the cached split is untouched
    assert np.abs(sim.simulated("val", 0, str(tmp_path), **options)[0].points).sum() > 0
    cfg = {"data": {"name": "simulated", "seed": 0, "root": str(tmp_path), "simulated": options}}
    _same(load_scans(cfg, "val")[1], first[1])
    files[0].write_bytes(b"not a zip")
    sim._cached.cache_clear()
    with pytest.raises(Exception, match=files[0].name):
        sim.simulated("val", 0, str(tmp_path), **options)


def test_bad_options_name_the_known_ones():
    with pytest.raises(ConfigError, match="beams"):
        sim.simulated("val", 0, None, sensor={"beam": 16}, cache=False)
    with pytest.raises(ConfigError, match="pedestrians"):
        sim.simulated("val", 0, None, scene={"people": 3}, cache=False)
    with pytest.raises(ConfigError, match="pedestrians"):
        sim.simulated("val", 0, None, scene={"pedestrians": -1}, cache=False)
    with pytest.raises(ConfigError, match="train, val, test"):
        sim.simulated("val", 0, None, scans={"valid": 3}, cache=False)


def test_corruptions_keep_alignment_and_recount(scan):
    half = fewer_beams(scan, keep_every=2)
    keep = scan.ring % 2 == 0
    np.testing.assert_array_equal(half.points, scan.points[keep])
    np.testing.assert_array_equal(half.labels, scan.labels[keep])
    np.testing.assert_array_equal(half.column, scan.column[keep])
    assert set(np.unique(half.ring) % 2) == {0}
    no_ring = fewer_beams(type(scan)(scan.points, scan.labels, scan.objects), 2, SENSOR)
    np.testing.assert_array_equal(no_ring.labels, half.labels)
    np.testing.assert_array_equal(
        half.objects.num_points, sim.count_points(half.points, half.objects.boxes)
    )
    assert half.objects.num_points.sum() < scan.objects.num_points.sum()
    np.testing.assert_array_equal(half.objects.boxes, scan.objects.boxes)

    noisy = range_noise(scan, 0.1, np.random.default_rng(0))
    np.testing.assert_array_equal(noisy.labels, scan.labels)
    change = np.linalg.norm(noisy.points[:, :3], axis=1) - np.linalg.norm(
        scan.points[:, :3], axis=1
    )
    assert np.std(change) == pytest.approx(0.1, rel=0.05)
    np.testing.assert_allclose(noisy.points[:, 3], scan.points[:, 3])

    dropped = point_dropout(scan, 0.3, np.random.default_rng(0))
    assert len(dropped.points) == pytest.approx(0.7 * len(scan.points), rel=0.05)
    assert len(dropped.labels) == len(dropped.ring) == len(dropped.points)
    assert np.all(dropped.objects.num_points <= scan.objects.num_points)
    assert scan.objects.num_points.sum() == sim.count_points(scan.points, scan.objects.boxes).sum()
