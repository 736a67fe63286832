"""S3DIS (``Stanford3dDataset_v1.2_Aligned_Version``): indoor rooms, 13 semantic classes.

Layout: ``<root>/Area_<n>/<room>/Annotations/<class>_<k>.txt``, one point per row,
``x y z r g b``. Every annotation file is one object; its class is the file name before the
last underscore. The one class outside the 13 benchmark classes in the release, ``stairs``,
counts as ``clutter`` (as in PointNet's preparation script); any other name is an error naming
the file, and so is a file not named ``<class>_<k>.txt`` (``wall_1 (1).txt``, a copy that
would double that object's points).

Splits by area: "test" is the rooms of ``test_area`` (Area 5 by default, the standard S3DIS
benchmark), "train" the rooms of every other area except every 10th room, which forms "val".
Rooms are cut into ``block_size`` x ``block_size`` metre columns (1 m, as in PointNet/DGCNN),
each resampled to ``num_points``: x and y relative to the block centre, z above the floor.

Parsing text is slow (S3DIS holds hundreds of millions of rows), so each parsed room and its
cut into blocks are cached as ``.npz`` under ``<root>/.npcache/`` when the folder is writable
(``cached_npz``: rebuilt when an annotation file changes); only the resampling of each block
is done afresh, so any ``num_points`` or ``seed`` reuses them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError
from . import DATASETS
from .base import ReaderDataset
from .readers_common import (
    DatasetFileError,
    MissingDataError,
    cached_npz,
    check_split,
    cut_scene,
    holdout,
    read_text_table,
    require_dir,
    split_blocks,
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


# Object names in the release outside the 13 classes, and the class they count as.
OTHER_NAMES = {"stairs": "clutter"}
ANNOTATION_NAME = re.compile(r"([A-Za-z]+)_(\d+)")


def read_annotation(path: Path) -> np.ndarray:
    """Points float32 [n, 3] of one object file (colour columns checked, then dropped).

    The known stray byte of ``Area_5/hallway_6/Annotations/ceiling_1.txt`` (a control byte
    where a space belongs) is read as that space, with a warning."""
    table = read_text_table(path, 6, "x y z r g b", np.float32, repair_stray_bytes=True)
    return table[:, :3]


def annotation_class(path: Path) -> int:
    """The class id of an annotation file, from its name ``<class>_<k>.txt``."""
    match = ANNOTATION_NAME.fullmatch(path.stem)
    if match is None:
        raise DatasetFileError.at(
            path,
            None,
            "not an annotation name '<class>_<k>.txt'; a copy such as 'wall_1 (1).txt' would "
            "count that object twice: delete it (docs/DATASETS.md)",
        )
    name = OTHER_NAMES.get(match.group(1), match.group(1))
    if name not in CLASSES:
        known = ", ".join([*CLASSES, *OTHER_NAMES])
        raise DatasetFileError.at(path, None, f"unknown S3DIS class {match.group(1)!r} ({known})")
    return CLASSES.index(name)


def room_annotations(room: Path) -> list[Path]:
    """The annotation files of a room, sorted (macOS ``._*`` litter is not one)."""
    annotations = sorted(p for p in (room / "Annotations").glob("*.txt") if p.name[0] != ".")
    if not annotations:
        raise MissingDataError.at(room / "Annotations", None, "no <class>_<k>.txt files")
    return annotations


def read_room(room: Path, cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Points float32 [n, 3] and class ids int64 [n] of one room, from its Annotations."""
    annotations = room_annotations(room)
    classes = [annotation_class(path) for path in annotations]  # names first: fail fast

    def parse() -> dict[str, np.ndarray]:
        points, labels = [], []
        for path, label in zip(annotations, classes, strict=True):
            xyz = read_annotation(path)
            points.append(xyz)
            labels.append(np.full(len(xyz), label, dtype=np.int8))  # int8: 8x smaller cache
        return {"points": np.concatenate(points), "labels": np.concatenate(labels)}

    root = room.parent.parent
    stored = cached_npz(root, f"s3dis-room {room.relative_to(root)}", annotations, parse, cache)
    return stored["points"], stored["labels"].astype(np.int64)


def read_room_blocks(
    room: Path, block_size: float, block_stride: float | None, min_block_points: int, cache: bool
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """A room's points, labels and its cut into blocks (``cut_scene``), cached with the room."""
    xyz, labels = read_room(room, cache)
    root = room.parent.parent
    key = f"s3dis-blocks {room.relative_to(root)} {block_size} {block_stride} {min_block_points}"
    cut = cached_npz(
        root,
        key,
        room_annotations(room),
        lambda: cut_scene(xyz, block_size, block_stride, min_block_points),
        cache,
    )
    return xyz, labels, cut


def list_rooms(root: Path, split: str, test_area: int) -> list[Path]:
    """Room folders of a split, sorted by area then room name."""
    areas = sorted(p for p in root.glob("Area_*") if p.is_dir())
    if not areas:
        raise MissingDataError.at(root, None, "no Area_<n> folders (see docs/DATASETS.md)")
    test_name = f"Area_{test_area}"
    if test_name not in {p.name for p in areas}:
        raise MissingDataError.at(root / test_name, None, "test area folder not found")
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
        raise ConfigError(f"S3DIS only supports task 'segmentation', got {task!r}")
    check_split(split)
    root = require_dir(root, "S3DIS root (Stanford3dDataset_v1.2_Aligned_Version)")
    rooms = (
        read_room_blocks(room, block_size, block_stride, min_block_points, cache)
        for room in list_rooms(root, split, test_area)
    )
    points, labels = split_blocks(
        rooms, split, seed, num_points, block_size, block_stride, min_block_points, root
    )
    return points, labels, list(CLASSES)


@DATASETS.register("s3dis")
class S3DIS(ReaderDataset):
    """S3DIS rooms cut into blocks (segmentation); Area 5 is the test split by default.

    Options (``data.s3dis``): the keywords of ``load`` above."""

    read = staticmethod(load)
    names = staticmethod(class_names)
