"""ScanNet v2 semantic segmentation, 20 benchmark classes.

Layout: ``<root>/scannetv2_train.txt`` and ``<root>/scannetv2_val.txt`` (one scene name per
line, from the ScanNet repository's ``Tasks/Benchmark`` folder) and, per scene, either
``<root>/<scene>/`` or ``<root>/scans/<scene>/`` (the download script's layout) holding

* ``<scene>_vh_clean_2.ply``: the cleaned mesh, vertices ``x y z red green blue ...``;
* ``<scene>_vh_clean_2.labels.ply``: the same vertices with a ``label`` property in NYU40 ids.

NYU40 ids map to the 20 benchmark classes (``CLASSES``); every other id, and 0 (unannotated),
becomes ``IGNORE_INDEX`` (-1), which the loss (``tasks.py``) and the metrics (``metrics.py``)
skip. Splits: the official test labels are hidden, so, as every paper does, results are
reported on the official val list ("test" here); "val" is every 10th scene of the train list
and "train" the rest. Scenes are cut into ``block_size`` metre columns (1.5 m, as in
PointNet++'s ScanNet setup) resampled to ``num_points``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .ply import read_ply
from .readers_common import (
    DatasetFileError,
    check_split,
    holdout,
    item_rng,
    require_dir,
    require_file,
    scene_blocks,
    stack_or_fail,
)

IGNORE_INDEX = -1
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
SPLIT_CODES = {"train": 0, "val": 1, "test": 2}


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
    return root / scene  # missing: the file check below names the expected path


def read_scene(folder: Path, scene: str) -> tuple[np.ndarray, np.ndarray]:
    """Vertices float32 [n, 3] and benchmark labels int64 [n] of one scene."""
    mesh_path = require_file(folder / f"{scene}_vh_clean_2.ply")
    labels_path = require_file(folder / f"{scene}_vh_clean_2.labels.ply")
    vertex = read_ply(mesh_path).get("vertex", {})
    if not all(axis in vertex for axis in "xyz"):
        raise DatasetFileError(mesh_path, "no vertex element with x, y, z")
    label_vertex = read_ply(labels_path).get("vertex", {})
    if "label" not in label_vertex:
        raise DatasetFileError(labels_path, "no 'label' property on its vertices")
    xyz = np.stack([vertex[axis] for axis in "xyz"], axis=1).astype(np.float32)
    if len(label_vertex["label"]) != len(xyz):
        raise DatasetFileError(
            labels_path, f"{len(label_vertex['label'])} labels for {len(xyz)} mesh vertices"
        )
    if len(xyz) == 0 or not np.all(np.isfinite(xyz)):
        raise DatasetFileError(mesh_path, "empty or non-finite vertex coordinates")
    return xyz, nyu40_to_benchmark(label_vertex["label"])


def read_scene_list(root: Path, split: str) -> list[str]:
    """Scene names of a split ("test" is the official val list, see the module docstring)."""
    path = require_file(root / f"scannetv2_{'val' if split == 'test' else 'train'}.txt")
    scenes = sorted(line.strip() for line in path.read_text().splitlines() if line.strip())
    if not scenes:
        raise DatasetFileError(path, "lists no scenes")
    return scenes if split == "test" else holdout(scenes, split)


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
        raise ValueError(f"ScanNet only supports task 'segmentation', got {task!r}")
    check_split(split)
    root = require_dir(root, "ScanNet root")
    points, labels = [], []
    for index, scene in enumerate(read_scene_list(root, split)):
        xyz, scene_labels = read_scene(scene_folder(root, scene), scene)
        rng = item_rng(seed, SPLIT_CODES[split], index)
        block_points, block_labels = scene_blocks(
            xyz, scene_labels, num_points, rng, block_size, block_stride, min_block_points
        )
        points += block_points
        labels += block_labels
    points, labels = stack_or_fail(points, labels, root, split)
    return points, labels, list(CLASSES)
