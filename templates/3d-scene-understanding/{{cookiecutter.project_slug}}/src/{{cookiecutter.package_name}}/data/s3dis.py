"""S3DIS (``Stanford3dDataset_v1.2_Aligned_Version``): indoor rooms, 13 semantic classes.

Layout: ``<root>/Area_<n>/<room>/Annotations/<class>_<k>.txt``, one point per row,
``x y z r g b``. Every annotation file is one object; its class is the file name before the
last underscore. Classes outside the 13 benchmark classes (the few ``stairs`` objects) count
as ``clutter``, as in PointNet's preparation script.

Splits by area: "test" is the rooms of ``test_area`` (Area 5 by default, the standard S3DIS
benchmark), "train" the rooms of every other area except every 10th room, which forms "val".
Rooms are cut into ``block_size`` x ``block_size`` metre columns (1 m, as in PointNet/DGCNN),
each resampled to ``num_points``: x and y relative to the block centre, z above the floor.

Parsing text is slow (S3DIS holds hundreds of millions of rows), so each parsed room is
cached as ``.npz`` under ``<root>/.npcache/`` when the folder is writable (``cached_arrays``:
rebuilt when an annotation file changes); blocks are cut afresh, so any ``num_points``,
``seed`` or block size reuses it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .readers_common import (
    DatasetFileError,
    cached_arrays,
    check_split,
    holdout,
    item_rng,
    require_dir,
    scene_blocks,
    stack_or_fail,
)

CLASSES = (
    "ceiling",
    "floor",
    "wall",
    "beam",
    "column",
    "window",
    "door",
    "table",
    "chair",
    "sofa",
    "bookcase",
    "board",
    "clutter",
)
SPLIT_CODES = {"train": 0, "val": 1, "test": 2}


def read_annotation(path: Path) -> np.ndarray:
    """Points float32 [n, 3] of one object file (colour columns checked, then dropped)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy warns on empty files; we raise below
            table = np.loadtxt(path, dtype=np.float32, ndmin=2)
    except ValueError as error:
        # numpy's message gives the row; S3DIS has a few known stray bytes (docs/DATASETS.md).
        raise DatasetFileError(path, f"malformed rows: {error}") from None
    if table.shape[0] == 0 or table.shape[1] != 6:
        raise DatasetFileError(path, f"expected rows 'x y z r g b', got shape {table.shape}")
    return table[:, :3]


def read_room(room: Path, cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Points float32 [n, 3] and class ids int64 [n] of one room, from its Annotations."""
    # Hidden files are macOS litter ("._ceiling_1.txt" resource forks), not annotations.
    annotations = sorted(p for p in (room / "Annotations").glob("*.txt") if p.name[0] != ".")
    if not annotations:
        raise FileNotFoundError(f"{room / 'Annotations'}: no <class>_<k>.txt files")

    def parse() -> tuple[np.ndarray, np.ndarray]:
        points, labels = [], []
        for path in annotations:
            name = path.stem.rsplit("_", 1)[0]
            label = CLASSES.index(name) if name in CLASSES else CLASSES.index("clutter")
            xyz = read_annotation(path)
            points.append(xyz)
            labels.append(np.full(len(xyz), label, dtype=np.int8))  # int8: 8x smaller cache
        return np.concatenate(points), np.concatenate(labels)

    root = room.parent.parent
    points, labels = cached_arrays(
        root, f"s3dis-room {room.relative_to(root)}", annotations, parse, cache
    )
    return points, labels.astype(np.int64)


def list_rooms(root: Path, split: str, test_area: int) -> list[Path]:
    """Room folders of a split, sorted by area then room name."""
    areas = sorted(p for p in root.glob("Area_*") if p.is_dir())
    if not areas:
        raise FileNotFoundError(f"{root}: no Area_<n> folders (see docs/DATASETS.md)")
    test_name = f"Area_{test_area}"
    if test_name not in {p.name for p in areas}:
        raise FileNotFoundError(f"{root / test_name}: test area folder not found")
    chosen = [p for p in areas if (p.name == test_name) == (split == "test")]
    rooms = [r for area in chosen for r in sorted(area.iterdir()) if (r / "Annotations").is_dir()]
    return rooms if split == "test" else holdout(rooms, split)


def class_names(root: str | Path = "", task: str = "segmentation") -> list[str]:
    """The 13 S3DIS class names (fixed by the benchmark, whatever the root holds)."""
    return list(CLASSES)


def load(
    root: str | Path,
    task: str,
    split: str,
    num_points: int,
    seed: int,
    test_area: int = 5,
    block_size: float = 1.0,
    block_stride: float | None = None,
    min_block_points: int = 100,
    cache: bool = True,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """S3DIS segmentation blocks: points float32 [N, P, 3], labels int64 [N, P], 13 names."""
    if task != "segmentation":
        raise ValueError(f"S3DIS only supports task 'segmentation', got {task!r}")
    check_split(split)
    root = require_dir(root, "S3DIS root (Stanford3dDataset_v1.2_Aligned_Version)")
    points, labels = [], []
    for index, room in enumerate(list_rooms(root, split, test_area)):
        xyz, room_labels = read_room(room, cache)
        rng = item_rng(seed, SPLIT_CODES[split], index)
        block_points, block_labels = scene_blocks(
            xyz, room_labels, num_points, rng, block_size, block_stride, min_block_points
        )
        points += block_points
        labels += block_labels
    points, labels = stack_or_fail(points, labels, root, split)
    return points, labels, list(CLASSES)
