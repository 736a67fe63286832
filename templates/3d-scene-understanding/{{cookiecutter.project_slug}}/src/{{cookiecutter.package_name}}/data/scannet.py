"""ScanNet v2 semantic segmentation, 20 benchmark classes.

Layout: ``<root>/scannetv2_train.txt`` and ``<root>/scannetv2_val.txt`` (one scene name per
line, from the ScanNet repository's ``Tasks/Benchmark`` folder) and, per scene, either
``<root>/<scene>/`` or ``<root>/scans/<scene>/`` (the download script's layout) holding

* ``<scene>_vh_clean_2.ply``: the cleaned mesh, vertices ``x y z red green blue ...``;
* ``<scene>_vh_clean_2.labels.ply``: the same vertices with a ``label`` property in NYU40 ids.

NYU40 ids map to the 20 benchmark classes (``CLASSES``); every other id, and 0 (unannotated),
becomes ``IGNORE_INDEX`` (-1), which the loss (``tasks.py``) and the metrics (``core/metrics.py``)
skip. Splits: the official test labels are hidden, so, as every paper does, results are
reported on the official val list ("test" here); "val" holds every 10th *room* of the train
list (``scene0000``, ``scene0010``, ...: every scan of it, ``_00``, ``_01``, ...) and "train"
the other rooms, so no room is scanned on both sides of the checkpoint choice. Scenes are cut
into ``block_size`` metre columns (1.5 m, as in PointNet++'s ScanNet setup) resampled to
``num_points``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import ConfigError
from . import DATASETS
from .base import IGNORE_INDEX, ReaderDataset
from .ply import read_ply
from .readers_common import (
    DatasetFileError,
    check_split,
    holdout_groups,
    require_dir,
    require_file,
    split_blocks,
)

# (NYU40 id, benchmark class name): ScanNet's VALID_CLASS_IDS, in benchmark order.
BENCHMARK_CLASSES = (
    (1, "wall"),
    (2, "floor"),
    (3, "cabinet"),
    (4, "bed"),
    (5, "chair"),
    (6, "sofa"),
    (7, "table"),
    (8, "door"),
    (9, "window"),
    (10, "bookshelf"),
    (11, "picture"),
    (12, "counter"),
    (14, "desk"),
    (16, "curtain"),
    (24, "refrigerator"),
    (28, "shower curtain"),
    (33, "toilet"),
    (34, "sink"),
    (36, "bathtub"),
    (39, "otherfurniture"),
)
CLASSES = [name for _, name in BENCHMARK_CLASSES]


def nyu40_to_benchmark(nyu40: np.ndarray) -> np.ndarray:
    """Benchmark class ids 0..19 for NYU40 ids; every other value becomes IGNORE_INDEX."""
    table = np.full(256, IGNORE_INDEX, dtype=np.int64)
    for index, (nyu_id, _) in enumerate(BENCHMARK_CLASSES):
        table[nyu_id] = index
    nyu40 = np.asarray(nyu40, dtype=np.int64)
    inside = (nyu40 >= 0) & (nyu40 < len(table))
    return np.where(inside, table[np.clip(nyu40, 0, len(table) - 1)], IGNORE_INDEX)


def scene_folder(root: Path, scene: str) -> Path:
    """A scene's folder: ``<root>/<scene>`` or ``<root>/scans/<scene>``."""
    for folder in (root / scene, root / "scans" / scene):
        if folder.is_dir():
            return folder
    # Missing: the file check below names the path of the download script's layout.
    return root / "scans" / scene


def room_of(scene: str) -> str:
    """The room a scan belongs to: ``scene0000`` for ``scene0000_01``."""
    return scene.rsplit("_", 1)[0]


def read_scene(folder: Path, scene: str) -> tuple[np.ndarray, np.ndarray]:
    """Vertices float32 [n, 3] and benchmark labels int64 [n] of one scene."""
    mesh_path = require_file(folder / f"{scene}_vh_clean_2.ply")
    labels_path = require_file(folder / f"{scene}_vh_clean_2.labels.ply")
    vertex = read_ply(mesh_path).get("vertex", {})
    if not all(axis in vertex for axis in "xyz"):
        raise DatasetFileError.at(mesh_path, None, "no vertex element with x, y, z")
    label_vertex = read_ply(labels_path).get("vertex", {})
    if "label" not in label_vertex:
        raise DatasetFileError.at(labels_path, None, "no 'label' property on its vertices")
    xyz = np.stack([vertex[axis] for axis in "xyz"], axis=1).astype(np.float32)
    if len(label_vertex["label"]) != len(xyz):
        problem = f"{len(label_vertex['label'])} labels for {len(xyz)} mesh vertices"
        raise DatasetFileError.at(labels_path, None, problem)
    if len(xyz) == 0:
        raise DatasetFileError.at(mesh_path, None, "no vertices")
    finite = np.isfinite(xyz).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        problem = f"vertex {row + 1} of {len(xyz)} has a non-finite coordinate {xyz[row].tolist()}"
        raise DatasetFileError.at(mesh_path, None, problem)
    return xyz, nyu40_to_benchmark(label_vertex["label"])


def read_scene_list(root: Path, split: str) -> list[str]:
    """Scene names of a split ("test" is the official val list, see the module docstring)."""
    path = require_file(root / f"scannetv2_{'val' if split == 'test' else 'train'}.txt")
    scenes = sorted(line.strip() for line in path.read_text().splitlines() if line.strip())
    if not scenes:
        raise DatasetFileError.at(path, None, "lists no scenes")
    return scenes if split == "test" else holdout_groups(scenes, split, room_of)


def class_names(root: str | Path = "", task: str = "segmentation") -> list[str]:
    """The 20 ScanNet benchmark class names (label -1 = ignored, not a class)."""
    return list(CLASSES)


def load(
    root: str | Path,
    task: str,
    split: str,
    num_points: int,
    seed: int,
    block_size: float = 1.5,
    block_stride: float | None = None,
    min_block_points: int = 100,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """ScanNet segmentation blocks: points float32 [N, P, 3], labels int64 [N, P] (-1 = ignore)."""
    if task != "segmentation":
        raise ConfigError(f"ScanNet only supports task 'segmentation', got {task!r}")
    check_split(split)
    root = require_dir(root, "ScanNet root")
    scenes = (read_scene(scene_folder(root, s), s) for s in read_scene_list(root, split))
    points, labels = split_blocks(
        scenes, split, seed, num_points, block_size, block_stride, min_block_points, root
    )
    return points, labels, list(CLASSES)


@DATASETS.register("scannet")
class ScanNet(ReaderDataset):
    """ScanNet v2 scans cut into blocks (segmentation, 20 benchmark classes).

    Options (``data.scannet``): the keywords of ``load`` above."""

    read = staticmethod(load)
    names = staticmethod(class_names)
