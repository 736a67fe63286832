"""SemanticKITTI: per-point labels of the KITTI odometry scans, the benchmark's learning map,
and predictions in its submission layout; and the dataset reading a local copy.

Layout (semantic-kitti.org)::

    sequences/NN/velodyne/NNNNNN.bin     float32 rows x, y, z, reflectance
    sequences/NN/labels/NNNNNN.label     uint32 per point: semantic id (lower 16 bits),
                                         instance id (upper 16)
    sequences/NN/predictions/NNNNNN.label   a submission: the same, raw semantic ids

The raw ids, the learning map (raw -> 19 train ids, 0 = ignore) and its inverse are those of
``config/semantic-kitti.yaml`` in the benchmark's semantic-kitti-api.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import ConfigError, DataError
from . import DATASETS
from .kitti import read_velodyne
from .scan import Scan

# The 34 raw semantic ids and their names.
RAW_NAMES = {
    0: "unlabeled", 1: "outlier", 10: "car", 11: "bicycle", 13: "bus", 15: "motorcycle",
    16: "on-rails", 18: "truck", 20: "other-vehicle", 30: "person", 31: "bicyclist",
    32: "motorcyclist", 40: "road", 44: "parking", 48: "sidewalk", 49: "other-ground",
    50: "building", 51: "fence", 52: "other-structure", 60: "lane-marking", 70: "vegetation",
    71: "trunk", 72: "terrain", 80: "pole", 81: "traffic-sign", 99: "other-object",
    252: "moving-car", 253: "moving-bicyclist", 254: "moving-person",
    255: "moving-motorcyclist", 256: "moving-on-rails", 257: "moving-bus",
    258: "moving-truck", 259: "moving-other-vehicle",
}  # fmt: skip

# Raw id -> train id (0 = ignored: unlabeled, outlier, other-structure, other-object).
LEARNING_MAP = {
    0: 0, 1: 0, 10: 1, 11: 2, 13: 5, 15: 3, 16: 5, 18: 4, 20: 5, 30: 6, 31: 7, 32: 8,
    40: 9, 44: 10, 48: 11, 49: 12, 50: 13, 51: 14, 52: 0, 60: 9, 70: 15, 71: 16, 72: 17,
    80: 18, 81: 19, 99: 0, 252: 1, 253: 7, 254: 6, 255: 8, 256: 5, 257: 5, 258: 4, 259: 5,
}  # fmt: skip

# Train id -> the raw id a prediction is submitted as.
LEARNING_MAP_INV = {
    0: 0, 1: 10, 2: 11, 3: 15, 4: 18, 5: 20, 6: 30, 7: 31, 8: 32, 9: 40, 10: 44, 11: 48,
    12: 49, 13: 50, 14: 51, 15: 70, 16: 71, 17: 72, 18: 80, 19: 81,
}  # fmt: skip

# The 19 evaluated classes, train ids 1 .. 19 (index 0 here is train id 1).
CLASS_NAMES = tuple(RAW_NAMES[LEARNING_MAP_INV[train]] for train in range(1, 20))
NUM_CLASSES = len(CLASS_NAMES) + 1  # with 0 = ignore

# The benchmark's split by sequence (its test sequences 11-21 have no labels: test = val).
DEFAULT_SEQUENCES = {
    "train": ("00", "01", "02", "03", "04", "05", "06", "07", "09", "10"),
    "val": ("08",),
    "test": ("08",),
}

_LOOKUP = np.zeros(1 << 16, dtype=np.int64)  # unknown raw ids map to 0 (ignore)
for _raw, _train in LEARNING_MAP.items():
    _LOOKUP[_raw] = _train
_INVERSE = np.array([LEARNING_MAP_INV[train] for train in range(NUM_CLASSES)], dtype=np.uint32)


def learning_map(raw_labels: np.ndarray) -> np.ndarray:
    """Train ids (int64, 0 = ignore) of raw labels; the instance bits (upper 16) are dropped,
    so both a ``.label`` file's uint32 values and bare semantic ids work."""
    return _LOOKUP[np.asarray(raw_labels, dtype=np.int64) & 0xFFFF]


def learning_map_inv(train_ids: np.ndarray) -> np.ndarray:
    """Raw semantic ids (uint32) of train ids 0 .. 19, as the benchmark expects predictions."""
    train_ids = np.asarray(train_ids, dtype=np.int64)
    if train_ids.size and (train_ids.min() < 0 or train_ids.max() >= NUM_CLASSES):
        raise ValueError(f"train ids must be in 0..{NUM_CLASSES - 1}")
    return _INVERSE[train_ids]


def split_labels(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(semantic [N], instance [N]) int64 of uint32 labels."""
    labels = np.asarray(labels, dtype=np.uint32)
    return (labels & 0xFFFF).astype(np.int64), (labels >> 16).astype(np.int64)


def join_labels(semantic: np.ndarray, instance: np.ndarray | None = None) -> np.ndarray:
    """uint32 labels of semantic ids and instance ids (0 when None)."""
    semantic = np.asarray(semantic, dtype=np.uint32)
    instance = np.zeros_like(semantic) if instance is None else np.asarray(instance, np.uint32)
    if (semantic > 0xFFFF).any() or (instance > 0xFFFF).any():
        raise ValueError("semantic and instance ids must fit in 16 bits")
    return semantic | (instance << 16)


def read_labels(path: str | Path) -> np.ndarray:
    """A ``.label`` file as uint32 [N] (semantic | instance << 16)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such label file")
    raw = path.read_bytes()
    if len(raw) % 4:
        raise DataError(f"{path}: {len(raw)} bytes is not a whole number of uint32 labels")
    return np.frombuffer(raw, dtype="<u4").copy()


def write_labels(path: str | Path, labels: np.ndarray) -> Path:
    """Write uint32 labels [N] as a ``.label`` file (little-endian)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(np.ascontiguousarray(labels, dtype="<u4").tobytes())
    return path


def write_predictions(
    root: str | Path, sequence: int | str, frame: int | str, train_ids: np.ndarray
) -> Path:
    """Write one scan's predicted train ids as the benchmark's submission expects:
    ``root/sequences/NN/predictions/NNNNNN.label`` holding raw ids (inverse-mapped)."""
    path = Path(root) / "sequences" / _sequence_name(sequence) / "predictions"
    path = path / f"{int(frame):06d}.label"
    return write_labels(path, learning_map_inv(train_ids))


def _sequence_name(sequence: int | str) -> str:
    try:
        return f"{int(sequence):02d}"
    except (TypeError, ValueError):
        message = f"a SemanticKITTI sequence is a number (00 .. 21), got {sequence!r}"
        raise ConfigError(message) from None


@DATASETS.register("semantickitti")
def semantickitti(
    split: str,
    seed: int,
    root: str | None,
    sequences: dict | None = None,
    stride: int = 1,
    limit: int | None = None,
) -> list[Scan]:
    """Labelled SemanticKITTI scans of `split` from ``root/sequences/NN/{velodyne,labels}``.

    ``sequences`` maps a split to its sequence numbers (default: train 00-07 and 09-10, val
    08, test 08, since the benchmark's test labels are not public); ``stride`` keeps every
    stride-th scan of a sequence (they are 10 Hz, neighbours are near-duplicates); ``limit``
    caps the scans per split. ``seed`` is unused: the sequences fix the split."""
    del seed
    if not root:
        raise ConfigError("data.root must point at a SemanticKITTI folder (docs/DATASETS.md)")
    if int(stride) < 1:
        raise ConfigError(f"data.semantickitti.stride must be >= 1, got {stride!r}")
    chosen = {**DEFAULT_SEQUENCES, **(sequences or {})}[split]
    if isinstance(chosen, (str, int)):
        chosen = [chosen]
    scans = []
    for sequence in (_sequence_name(s) for s in chosen):
        folder = Path(root) / "sequences" / sequence
        velodyne = folder / "velodyne"
        if not velodyne.is_dir():
            raise DataError(f"{velodyne}: no such folder (SemanticKITTI sequence {sequence})")
        for scan_path in sorted(velodyne.glob("*.bin"))[:: int(stride)]:
            if limit is not None and len(scans) >= int(limit):
                return scans
            label_path = folder / "labels" / f"{scan_path.stem}.label"
            points = read_velodyne(scan_path)
            labels = read_labels(label_path)
            if len(labels) != len(points):
                raise DataError(
                    f"{label_path}: {len(labels)} labels for the {len(points)} points of "
                    f"{scan_path.name}"
                )
            frame_id = f"{sequence}/{scan_path.stem}"
            scans.append(Scan(points=points, labels=labels, frame_id=frame_id))
    return scans
