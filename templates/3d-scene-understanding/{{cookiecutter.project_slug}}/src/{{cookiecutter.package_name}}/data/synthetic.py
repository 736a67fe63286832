"""Procedural point clouds with labels: primitive objects and small scenes.

Everything is vectorised numpy and seeded, so a split is the same array on every machine
(4,000 clouds of 1,024 points take well under a second).

* ``make_objects``: one primitive per cloud (classification). Points are sampled uniformly on
  the surface, then the shape gets an anisotropic scale, a random rotation, sensor-like noise
  (Gaussian jitter whose strength varies per cloud, plus a few stray outlier points) and is
  centred and scaled into the unit sphere, the way ModelNet40 is usually normalised.
* ``make_scenes``: a ground plane with several primitives standing on it and clutter
  (small debris and stray returns), every point labelled (semantic segmentation).
"""

from __future__ import annotations

import inspect
from functools import lru_cache

import numpy as np

from .. import rotations
from ..core.errors import ConfigError
from . import DATASETS
from .base import SPLITS, TASKS, PointCloudDataset, Split

# Order defines the class index of the classification task.
PRIMITIVES = (
    "sphere",
    "cube",
    "cylinder",
    "cone",
    "torus",
    "pyramid",
    "capsule",
    "disk",
    "octahedron",
    "prism",
)


# ----------------------------------------------------------------------------- surfaces
# Every sampler returns points on a shape that fits in [-1, 1]^3: float64 [count, n, 3].


def _unit_sphere(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    points = rng.normal(size=(count, n, 3))
    return points / np.linalg.norm(points, axis=-1, keepdims=True)


def _mesh(vertices: np.ndarray, faces: np.ndarray):
    """A sampler drawing points uniformly on a triangle mesh (face chosen by area)."""
    triangles = vertices[faces]  # [F, 3, 3]
    areas = 0.5 * np.linalg.norm(
        np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0]), axis=-1
    )

    def sample(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
        face = rng.choice(len(faces), size=(count, n), p=areas / areas.sum())
        # Square-root trick: uniform barycentric coordinates on a triangle.
        r1 = np.sqrt(rng.random((count, n, 1)))
        r2 = rng.random((count, n, 1))
        a, b, c = triangles[face, 0], triangles[face, 1], triangles[face, 2]
        return (1 - r1) * a + r1 * (1 - r2) * b + r1 * r2 * c

    return sample


def _box_faces() -> tuple[np.ndarray, np.ndarray]:
    corners = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float)
    quads = [(0, 1, 3, 2), (4, 5, 7, 6), (0, 1, 5, 4), (2, 3, 7, 6), (0, 2, 6, 4), (1, 3, 7, 5)]
    faces = [tri for a, b, c, d in quads for tri in ((a, b, c), (a, c, d))]
    return corners * 0.8, np.array(faces)


def _pyramid_faces() -> tuple[np.ndarray, np.ndarray]:
    vertices = np.array([[-1, -1, -1], [1, -1, -1], [1, 1, -1], [-1, 1, -1], [0, 0, 1]], float)
    faces = np.array([(0, 1, 2), (0, 2, 3), (0, 1, 4), (1, 2, 4), (2, 3, 4), (3, 0, 4)])
    return vertices, faces


def _octahedron_faces() -> tuple[np.ndarray, np.ndarray]:
    vertices = np.array(
        [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float
    )
    faces = np.array([(a, b, c) for a in (0, 1) for b in (2, 3) for c in (4, 5)])
    return vertices, faces


def _prism_faces() -> tuple[np.ndarray, np.ndarray]:
    angles = np.deg2rad([90, 210, 330])
    ring = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    vertices = np.concatenate([np.c_[ring, -np.ones(3)], np.c_[ring, np.ones(3)]])
    faces = [(0, 1, 2), (3, 4, 5)]
    for i in range(3):
        j = (i + 1) % 3
        faces += [(i, j, j + 3), (i, j + 3, i + 3)]
    return vertices, np.array(faces)


def _cylinder(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    # Radius 1, height 2: the side holds 2/3 of the area, the two caps 1/3.
    angle = rng.uniform(0, 2 * np.pi, (count, n))
    on_side = rng.random((count, n)) < 2 / 3
    radius = np.where(on_side, 1.0, np.sqrt(rng.random((count, n))))
    z = np.where(on_side, rng.uniform(-1, 1, (count, n)), rng.choice([-1.0, 1.0], (count, n)))
    return np.stack([radius * np.cos(angle), radius * np.sin(angle), z], axis=-1) * 0.8


def _cone(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    # Apex at z=1, base of radius 1 at z=-1; lateral area pi*sqrt(5), base area pi.
    angle = rng.uniform(0, 2 * np.pi, (count, n))
    on_side = rng.random((count, n)) < np.sqrt(5) / (np.sqrt(5) + 1)
    # On the side the radius grows linearly from the apex, so the area at radius t grows like
    # t; on the base disk too: both draw t with density 2t, i.e. sqrt of a uniform number.
    radius = np.sqrt(rng.random((count, n)))
    z = np.where(on_side, 1 - 2 * radius, -1.0)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle), z], axis=-1)


def _torus(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    # Uniform on the surface: the tube angle is drawn with density proportional to the
    # distance from the axis (rejection sampling on one flat pool, then reshaped).
    major, minor, total = 0.7, 0.3, count * n
    tube = np.empty(0)
    while tube.size < total:
        candidate = rng.uniform(0, 2 * np.pi, 2 * total)
        keep = rng.random(2 * total) < (major + minor * np.cos(candidate)) / (major + minor)
        tube = np.concatenate([tube, candidate[keep]])
    tube = tube[:total].reshape(count, n)
    around = rng.uniform(0, 2 * np.pi, (count, n))
    ring = major + minor * np.cos(tube)
    return np.stack([ring * np.cos(around), ring * np.sin(around), minor * np.sin(tube)], -1)


def _capsule(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    # Radius 0.5, straight part of length 1: side and the two half-spheres have equal area.
    radius, half = 0.5, 0.5
    angle = rng.uniform(0, 2 * np.pi, (count, n))
    side = np.stack(
        [radius * np.cos(angle), radius * np.sin(angle), rng.uniform(-half, half, (count, n))], -1
    )
    cap = _unit_sphere(rng, count, n) * radius
    cap[..., 2] += np.sign(cap[..., 2]) * half
    on_side = (rng.random((count, n)) < 0.5)[..., None]
    return np.where(on_side, side, cap)


def _disk(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    angle = rng.uniform(0, 2 * np.pi, (count, n))
    radius = np.sqrt(rng.random((count, n)))
    return np.stack([radius * np.cos(angle), radius * np.sin(angle), np.zeros((count, n))], -1)


SAMPLERS = {
    "sphere": _unit_sphere,
    "cube": _mesh(*_box_faces()),
    "cylinder": _cylinder,
    "cone": _cone,
    "torus": _torus,
    "pyramid": _mesh(*_pyramid_faces()),
    "capsule": _capsule,
    "disk": _disk,
    "octahedron": _mesh(*_octahedron_faces()),
    "prism": _mesh(*_prism_faces()),
}


# ----------------------------------------------------------------------------- geometry


def random_rotations(rng: np.random.Generator, count: int, kind: str) -> np.ndarray:
    """Rotation matrices [count, 3, 3] drawn from ``rng``: "so3" (any) or "z" (yaw only)."""
    return rotations.random_rotations(
        count, kind, normal=lambda shape: rng.normal(size=shape), uniform=rng.random
    )


def _sensor_noise(
    rng: np.random.Generator, points: np.ndarray, jitter: float, outliers: float
) -> np.ndarray:
    """Per-cloud Gaussian jitter of strength in [0, jitter] and a fraction of stray points."""
    count, n, _ = points.shape
    sigma = rng.uniform(0, jitter, (count, 1, 1)).astype(np.float32)
    points = points.astype(np.float32) + rng.standard_normal(points.shape, np.float32) * sigma
    # Stray returns: a few points replaced by uniform ones in the cloud's bounding box.
    stray = np.flatnonzero(rng.random(count * n, np.float32) < outliers)
    cloud = stray // n
    low, high = points.min(axis=1), points.max(axis=1)
    flat = points.reshape(-1, 3)
    flat[stray] = low[cloud] + rng.random((stray.size, 3), np.float32) * (high - low)[cloud]
    return points


def _normalise(points: np.ndarray) -> np.ndarray:
    """Centre every cloud and scale it into the unit sphere."""
    points = points - points.mean(axis=1, keepdims=True)
    return points / np.linalg.norm(points, axis=-1).max(axis=1)[:, None, None]


def _primitives(
    rng: np.random.Generator, labels: np.ndarray, n: int, max_stretch: float
) -> np.ndarray:
    """One cloud of ``n`` surface points per label, anisotropically scaled (before rotation)."""
    points = np.empty((len(labels), n, 3))
    for index, name in enumerate(PRIMITIVES):
        rows = np.flatnonzero(labels == index)
        if rows.size:
            points[rows] = SAMPLERS[name](rng, rows.size, n)
    scale = rng.uniform(1 / max_stretch, 1.0, (len(labels), 1, 3))
    return points * scale


# ----------------------------------------------------------------------------- datasets


def make_objects(
    count: int,
    num_points: int = 1024,
    seed: int | tuple[int, ...] = 0,
    classes: tuple[str, ...] = PRIMITIVES,
    rotation: str = "so3",
    max_stretch: float = 1.4,
    jitter: float = 0.02,
    outliers: float = 0.01,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Labelled primitive clouds: points float32 [count, num_points, 3], labels int64 [count].

    Labels are balanced (a shuffled repeat of every class). ``rotation`` is "so3" (any
    orientation), "z" (upright, yaw only) or "none".
    """
    rng = np.random.default_rng(seed)
    class_index = np.array([PRIMITIVES.index(name) for name in classes])
    labels = rng.permutation(np.arange(count) % len(classes))
    points = _primitives(rng, class_index[labels], num_points, max_stretch)
    if rotation != "none":
        points = points @ random_rotations(rng, count, rotation).transpose(0, 2, 1)
    points = _normalise(_sensor_noise(rng, points, jitter, outliers))
    return points.astype(np.float32), labels.astype(np.int64), list(classes)


def scene_class_names(classes: tuple[str, ...] = PRIMITIVES) -> list[str]:
    """Labels of the segmentation task: ground, each primitive, clutter."""
    return ["ground", *classes, "clutter"]


def make_scenes(
    count: int,
    num_points: int = 2048,
    seed: int | tuple[int, ...] = 0,
    classes: tuple[str, ...] = PRIMITIVES,
    objects_per_scene: int = 4,
    ground_fraction: float = 0.3,
    clutter_fraction: float = 0.1,
    object_size: tuple[float, float] = (0.16, 0.25),
    rotation: str = "z",
    max_stretch: float = 1.4,
    jitter: float = 0.01,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Labelled scenes: points float32 [count, num_points, 3], labels int64 [count, num_points].

    A square ground plane z=0 spanning [-1, 1]^2 holds ``objects_per_scene`` primitives, each in
    its own cell of a 3x3 grid (so they never overlap), standing on the ground with a random
    yaw (``rotation="z"``; "so3": lying in any orientation; "none"), size (``object_size``
    times a shape of radius about 1) and stretch, plus clutter: small debris on the ground and
    stray returns above it. Label 0 is ground, 1..len(classes) the primitives, the last label
    clutter.
    """
    if objects_per_scene > 9:
        raise ConfigError("objects_per_scene must be at most 9 (one per cell of a 3x3 grid)")
    rng = np.random.default_rng(seed)
    n_clutter = int(num_points * clutter_fraction)
    n_object = int(num_points * (1 - ground_fraction - clutter_fraction)) // objects_per_scene
    n_ground = num_points - n_clutter - n_object * objects_per_scene
    clutter_label = len(classes) + 1

    # Ground: uniform on the square with a little range noise.
    ground = np.concatenate(
        [rng.uniform(-1, 1, (count, n_ground, 2)), np.zeros((count, n_ground, 1))], -1
    )

    # Objects: a class, a cell of the grid, a size; then stand them on the ground.
    total = count * objects_per_scene
    class_index = np.array([PRIMITIVES.index(name) for name in classes])
    object_labels = rng.integers(0, len(classes), total)
    shapes = _primitives(rng, class_index[object_labels], n_object, max_stretch)
    if rotation != "none":
        turn = random_rotations(rng, total, rotation)
        shapes = shapes @ turn.transpose(0, 2, 1)
    shapes *= rng.uniform(*object_size, (total, 1, 1))
    cells = np.argsort(rng.random((count, 9)), axis=1)[:, :objects_per_scene].reshape(-1)
    centres = (np.stack([cells % 3, cells // 3], -1) - 1) * (2 / 3)
    centres += rng.uniform(-0.05, 0.05, centres.shape)
    shapes[..., :2] += centres[:, None, :]
    shapes[..., 2] -= shapes[..., 2].min(axis=1, keepdims=True)
    objects = shapes.reshape(count, objects_per_scene * n_object, 3)
    object_point_labels = np.repeat(object_labels + 1, n_object).reshape(count, -1)

    # Clutter: debris (tiny blobs on the ground) and stray returns anywhere above it.
    n_debris = n_clutter // 2
    debris_centres = np.concatenate(
        [rng.uniform(-1, 1, (count, 6, 2)), np.zeros((count, 6, 1))], -1
    )
    pick = rng.integers(0, 6, (count, n_debris))
    debris = np.take_along_axis(debris_centres, pick[..., None], axis=1)
    debris += np.abs(rng.normal(0, 0.03, (count, n_debris, 3))) * [1, 1, 1.5]
    stray = rng.uniform([-1, -1, 0], [1, 1, 0.5], (count, n_clutter - n_debris, 3))

    points = np.concatenate([ground, objects, debris, stray], axis=1)
    points += rng.normal(0, 1, points.shape) * rng.uniform(0, jitter, (count, 1, 1))
    labels = np.concatenate(
        [
            np.zeros((count, n_ground), np.int64),
            object_point_labels,
            np.full((count, n_clutter), clutter_label),
        ],
        axis=1,
    )
    # Shuffle the points of every scene so that their order carries no information.
    order = np.argsort(rng.random((count, num_points)), axis=1)
    points = np.take_along_axis(points, order[..., None], axis=1)
    labels = np.take_along_axis(labels, order, axis=1)
    return points.astype(np.float32), labels.astype(np.int64), scene_class_names(classes)


# ----------------------------------------------------------------------------- the dataset

SIZES = {"train": 4000, "val": 500, "test": 1000}  # clouds (classification) or scenes


@DATASETS.register("synthetic")
class Synthetic(PointCloudDataset):
    """Generated primitives (classification) and scenes (segmentation); no files.

    Options (``data.synthetic``): ``sizes`` of the splits and the generator's keywords
    (``make_objects`` / ``make_scenes``: classes, rotation, objects_per_scene, ...). Each split
    has its own stream of random numbers: test clouds are never seen in training."""

    def __init__(
        self,
        root: str | None = None,  # unused: the clouds are generated
        seed: int = 0,
        num_points: int = 1024,
        sizes: dict | None = None,
        **generator,
    ):
        super().__init__(root, seed, num_points)
        self.sizes = {**SIZES, **(sizes or {})}
        if "classes" in generator:
            generator["classes"] = tuple(generator["classes"])
        self.generator = generator

    def class_names(self, task: str) -> list[str]:
        classes = tuple(self.generator.get("classes", PRIMITIVES))
        return list(classes) if task == "classification" else scene_class_names(classes)

    def load(self, task: str, split: str) -> Split:
        make = make_objects if task == "classification" else make_scenes
        accepted = [name for name in inspect.signature(make).parameters][3:]
        unknown = sorted(set(self.generator) - set(accepted))
        if unknown:
            raise ConfigError(
                f"data.synthetic: {make.__name__} takes no option {', '.join(unknown)} "
                f"(its options: {', '.join(accepted)})"
            )
        if self.generator.get("rotation", "none") not in rotations.KINDS:
            raise ConfigError(
                f"data.synthetic.rotation must be one of {', '.join(rotations.KINDS)}, "
                f"got {self.generator['rotation']!r}"
            )
        split_seed = (self.seed, TASKS.index(task), SPLITS.index(split))
        options = tuple(sorted(self.generator.items()))
        points, labels, names = _generate(
            task, int(self.sizes[split]), self.num_points, split_seed, options
        )
        return points.copy(), labels.copy(), list(names)


@lru_cache(maxsize=4)
def _generate(task, count, num_points, split_seed, options):
    # Cached: training builds train and val, evaluation the test split more than once.
    make = make_objects if task == "classification" else make_scenes
    return make(count, num_points, seed=split_seed, **dict(options))
