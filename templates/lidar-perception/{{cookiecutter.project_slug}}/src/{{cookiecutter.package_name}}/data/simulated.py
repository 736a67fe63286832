"""The default dataset: scans of a simulated spinning LiDAR ray-cast in procedural driving
scenes, with per-point SemanticKITTI labels and KITTI object annotations.

``simulate_scan`` draws one scene and sweeps the sensor through it: nearest hit per ray, then
the sensor's own effects (range noise; returns lost at random, and more often when far, weak or
grazing; intensity from the incidence cosine times the surface's reflectivity, with noise).
Occlusion shadows and the fall of density with range come from the geometry itself. Each
object's ``occluded`` level is the share of the rays that meet it which it actually returns
(the object alone against the full scene): at least 0.7 -> 0, at least 0.3 -> 1, less -> 2.

The ``simulated`` dataset gives every split its own random stream from (seed, split) and every
scan its own child stream, so a split is identical whenever and however (``workers``) it is
built. Splits are cached in memory and as one ``.npz`` per split on disk.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError, DataError
from . import DATASETS, SPLITS
from .raycast import cast, surface_normals
from .scan import Objects, Scan
from .scenes import Scene, SceneConfig, make_scene
from .sensor import SensorConfig

try:
    from ..geometry.boxes import (
        default_calibration,
        image_boxes,
        observation_angle,
        points_in_boxes,
    )
except ModuleNotFoundError as missing:  # pragma: no cover - stand-ins until it is written
    if not (missing.name or "").endswith("geometry.boxes"):
        raise

    def default_calibration():
        return None

    def image_boxes(boxes, calib, image_size=(1242, 375)):
        m = len(boxes)
        return np.zeros((m, 4)), np.zeros(m), boxes[:, 0] > 0

    def observation_angle(boxes, calib):
        ry = -boxes[:, 6] - np.pi / 2
        return (ry + np.arctan2(boxes[:, 1], boxes[:, 0]) + np.pi) % (2 * np.pi) - np.pi

    def points_in_boxes(points, boxes):
        out = np.full(len(points), -1, dtype=np.int64)
        for k, box in enumerate(boxes):
            c, s = np.cos(box[6]), np.sin(box[6])
            d = points - box[:3]
            u, v = d[:, 0] * c + d[:, 1] * s, -d[:, 0] * s + d[:, 1] * c
            inside = (np.abs(u) <= box[3] / 2) & (np.abs(v) <= box[4] / 2)
            inside &= np.abs(d[:, 2]) <= box[5] / 2
            out[inside & (out < 0)] = k
        return out


# Bump whenever a change to the simulator changes what a seed generates (invalidates caches).
GENERATOR_VERSION = 1
DEFAULT_SCANS = {"train": 200, "val": 40, "test": 60}
VISIBLE, PARTLY = 0.7, 0.3  # visible share of an object's rays for occluded 0 and 1


@functools.lru_cache(maxsize=8)
def _sensor_rays(sensor: SensorConfig):
    grid = sensor.ray_grid()
    grid.setflags(write=False)
    return grid, sensor.elevations(), sensor.azimuths()


def simulate_scan(
    rng: np.random.Generator,
    sensor: SensorConfig | None = None,
    scene_cfg: SceneConfig | None = None,
    frame_id: str = "",
) -> Scan:
    """One scan of a new random scene (`rng` decides everything)."""
    sensor = sensor or SensorConfig()
    scene = make_scene(rng, scene_cfg, sensor.height)
    return scan_scene(scene, sensor, rng, frame_id)


def scan_scene(
    scene: Scene, sensor: SensorConfig, rng: np.random.Generator, frame_id: str = ""
) -> Scan:
    """Sweep `sensor` (at the origin) through `scene`; `rng` draws the sensor's noise."""
    shapes = [p.shape for p in scene.primitives]
    semantic, instance = scene.semantic(), scene.instance()
    grid, elevations, azimuths = _sensor_rays(sensor)
    object_parts = {i for obj in scene.objects for i in obj.primitives}
    hits = cast(shapes, grid, elevations, azimuths, sensor.max_range, record=object_parts)

    true_range = hits.range.reshape(-1)
    flat = np.nonzero(np.isfinite(true_range) & (true_range >= sensor.min_range))[0]
    hit_range, index = true_range[flat], hits.index.reshape(-1)[flat]
    dirs = grid.reshape(-1, 3)[flat]
    normals = surface_normals(shapes, dirs * hit_range[:, None], index)
    cosine = np.abs(np.einsum("ij,ij->i", normals, dirs))
    signal = scene.reflectivity()[index] * cosine

    n = len(flat)
    far = (hit_range / sensor.max_range) ** 2
    lost = sensor.dropout + (1 - sensor.dropout) * (
        0.5 * far * (1 - signal) + 0.3 * (cosine < 0.05)
    )
    keep = rng.random(n) >= lost
    noisy_range = hit_range + rng.normal(0.0, sensor.range_noise, n)
    intensity = np.clip(signal + rng.normal(0.0, sensor.intensity_noise, n), 0.0, 1.0)
    keep &= noisy_range >= sensor.min_range

    xyz = dirs[keep] * noisy_range[keep, None]
    points = np.concatenate([xyz, intensity[keep, None]], axis=1).astype(np.float32)
    index, flat = index[keep], flat[keep]
    labels = (semantic[index] | (instance[index] << 16)).astype(np.uint32)
    ring = (flat // sensor.columns).astype(np.int16)
    column = (flat % sensor.columns).astype(np.int16)

    calib = default_calibration()
    objects, extras = _annotate(scene, hits, instance, points, calib)
    return Scan(points, labels, objects, calib, frame_id, ring, column, extras)


def _annotate(scene, hits, instance, points, calib) -> tuple[Objects, dict]:
    """KITTI annotations of the scene's objects, from the cast `hits` and the final points."""
    if not scene.objects:
        return Objects.empty(), {"in_image": np.zeros(0, bool), "visible": np.zeros(0)}
    nearest = hits.index.reshape(-1)
    nearest_instance = np.where(nearest >= 0, instance[np.maximum(nearest, 0)], 0)
    visible = np.zeros(len(scene.objects))
    for k, obj in enumerate(scene.objects):
        rays = np.unique(np.concatenate([hits.seen[i] for i in obj.primitives]))
        if len(rays):
            visible[k] = np.mean(nearest_instance[rays] == obj.instance)
    occluded = np.where(visible >= VISIBLE, 0, np.where(visible >= PARTLY, 1, 2)).astype(np.int64)
    boxes = np.stack([obj.box for obj in scene.objects]).astype(np.float64)
    bbox, truncated, in_image = image_boxes(boxes, calib, image_size=(1242, 375))
    num_points = count_points(points, boxes)
    objects = Objects(
        names=np.array([obj.name for obj in scene.objects], dtype="<U16"),
        boxes=boxes,
        truncated=np.asarray(truncated, dtype=np.float64),
        occluded=occluded,
        bbox=np.asarray(bbox, dtype=np.float64),
        alpha=np.asarray(observation_angle(boxes, calib), dtype=np.float64),
        num_points=num_points,
    )
    return objects, {"in_image": np.asarray(in_image, bool), "visible": visible}


def count_points(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """[M] int64 points of `points` [N, >=3] inside each box [M, 7] (``points_in_boxes``,
    asked box by box about the points in the box's x window only: the scene's boxes do not
    overlap, so the answer is the same and far cheaper)."""
    order = np.argsort(points[:, 0], kind="stable")
    xs = points[order, 0]
    counts = np.zeros(len(boxes), dtype=np.int64)
    for k, box in enumerate(boxes):
        reach = 0.5 * float(np.hypot(box[3], box[4])) + 1e-3
        lo, hi = np.searchsorted(xs, [box[0] - reach, box[0] + reach])
        if hi > lo:
            window = points[order[lo:hi], :3]
            counts[k] = int(np.sum(points_in_boxes(window, box[None]) >= 0))
    return counts


# the dataset ------------------------------------------------------------------------------


@DATASETS.register("simulated")
def simulated(
    split: str,
    seed: int,
    root: str | None,
    scans: dict | None = None,
    sensor: dict | None = None,
    scene: dict | None = None,
    workers: int = 1,
    cache: bool = True,
) -> list[Scan]:
    """The `split` of the simulated dataset: ``scans`` counts per split (default train 200,
    val 40, test 60), ``sensor``/``scene`` fields of SensorConfig/SceneConfig; cached in
    memory and on disk under `root` (default ``data/cache``) unless ``cache`` is false."""
    if split not in SPLITS:
        raise ConfigError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    counts = dict(DEFAULT_SCANS)
    unknown = sorted(set(scans or {}) - set(SPLITS))
    if unknown:
        raise ConfigError(
            f"data.simulated.scans has no split {', '.join(map(repr, unknown))} "
            f"(its splits: {', '.join(SPLITS)})"
        )
    counts.update(scans or {})
    count = counts[split]
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ConfigError(f"data.simulated.scans.{split} must be an integer >= 0, got {count!r}")
    if not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"data.simulated.workers must be an integer >= 1, got {workers!r}")
    sensor_cfg = SensorConfig.from_dict(sensor)
    scene_cfg = SceneConfig.from_dict(scene)
    options = json.dumps(
        {
            "version": GENERATOR_VERSION,
            "split": split,
            "seed": int(seed),
            "count": count,
            "sensor": asdict(sensor_cfg),
            "scene": asdict(scene_cfg),
        },
        sort_keys=True,
    )
    if not cache:
        return _generate(options, workers)
    folder = str(Path(root or "data/cache").resolve())
    return [_copy(scan) for scan in _cached(options, folder, workers)]


def split_stream(seed: int, split: str) -> np.random.SeedSequence:
    """The seed sequence of one split; scan i uses its i-th spawned child."""
    return np.random.SeedSequence(entropy=int(seed), spawn_key=(SPLITS.index(split),))


@functools.lru_cache(maxsize=6)
def _cached(options: str, folder: str, workers: int) -> tuple[Scan, ...]:
    spec = json.loads(options)
    key = hashlib.sha256(options.encode()).hexdigest()[:16]
    path = Path(folder) / f"simulated-{spec['split']}-{key}.npz"
    if path.exists():
        return tuple(_load(path))
    scans = _generate(options, workers)
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(path, scans)
    return tuple(scans)


def _generate(options: str, workers: int) -> list[Scan]:
    spec = json.loads(options)
    children = split_stream(spec["seed"], spec["split"]).spawn(spec["count"])
    jobs = [(options, i, child) for i, child in enumerate(children)]
    if workers > 1 and len(jobs) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context) as pool:
            return list(pool.map(_one_scan, jobs, chunksize=max(1, len(jobs) // (4 * workers))))
    return [_one_scan(job) for job in jobs]


def _one_scan(job) -> Scan:
    options, i, child = job
    spec = json.loads(options)
    return simulate_scan(
        np.random.default_rng(child),
        SensorConfig(**spec["sensor"]),
        SceneConfig(**spec["scene"]),
        frame_id=f"sim-{spec['split']}-{i:06d}",
    )


_POINT_FIELDS = ("points", "labels", "ring", "column")
_OBJECT_FIELDS = ("names", "boxes", "truncated", "occluded", "bbox", "alpha", "num_points")


def _save(path: Path, scans: list[Scan]) -> None:
    """All scans of a split in one .npz: per-point and per-object arrays concatenated, with
    offsets; written to a temporary name and renamed, so a reader never sees half a file."""
    arrays = {
        "point_offsets": np.cumsum([0] + [len(s.points) for s in scans]),
        "object_offsets": np.cumsum([0] + [len(s.objects) for s in scans]),
        "frame_ids": np.array([s.frame_id for s in scans], dtype="<U64"),
        "in_image": _concat([s.extras["in_image"] for s in scans], bool),
        "visible": _concat([s.extras["visible"] for s in scans], float),
    }
    for name in _POINT_FIELDS:
        arrays[name] = np.concatenate([getattr(s, name) for s in scans]) if scans else np.zeros(0)
    for name in _OBJECT_FIELDS:
        arrays["objects_" + name] = _concat([getattr(s.objects, name) for s in scans], None)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        np.savez(handle, **arrays)
    os.replace(temporary, path)


def _load(path: Path) -> list[Scan]:
    try:
        with np.load(path) as data:
            arrays = {name: data[name] for name in data.files}
        points, objects = arrays["point_offsets"], arrays["object_offsets"]
        calib = default_calibration()
        scans = []
        for i, frame_id in enumerate(arrays["frame_ids"]):
            p = slice(points[i], points[i + 1])
            o = slice(objects[i], objects[i + 1])
            fields = {name: arrays[name][p] for name in _POINT_FIELDS}
            objs = Objects(**{name: arrays["objects_" + name][o] for name in _OBJECT_FIELDS})
            extras = {"in_image": arrays["in_image"][o], "visible": arrays["visible"][o]}
            scans.append(
                Scan(objects=objs, calib=calib, frame_id=str(frame_id), extras=extras, **fields)
            )
        return scans
    except (OSError, ValueError, KeyError, IndexError) as error:
        raise DataError(
            f"{path}: not a readable simulator cache ({error}); delete it to regenerate"
        ) from None


def _concat(parts: list, dtype) -> np.ndarray:
    parts = [np.asarray(p) for p in parts]
    if not parts:
        return np.zeros(0, dtype=dtype)
    return np.concatenate(parts).astype(dtype) if dtype is not None else np.concatenate(parts)


def _copy(scan: Scan) -> Scan:
    """A scan whose arrays the caller may change without touching the cached one."""
    o = scan.objects
    objects = Objects(*(np.array(getattr(o, f)) for f in _OBJECT_FIELDS), scores=None)
    return Scan(
        scan.points.copy(),
        scan.labels.copy(),
        objects,
        scan.calib,
        scan.frame_id,
        scan.ring.copy(),
        scan.column.copy(),
        {k: np.array(v) for k, v in scan.extras.items()},
    )
