"""KITTI object detection files: velodyne scans, label_2 objects, calib, and results in the
benchmark's submission format; and the dataset reading them from a local copy.

Formats (KITTI's devkit readme):

* ``velodyne/NNNNNN.bin``: float32 rows of x, y, z, reflectance (LiDAR frame);
* ``label_2/NNNNNN.txt``: one object per line, 15 fields: type, truncated, occluded, alpha,
  left, top, right, bottom (image box), height, width, length, x, y, z (bottom centre, rectified
  camera frame), rotation_y; a 16th field, the score, makes it a results file;
* ``calib/NNNNNN.txt``: ``P0:`` .. ``P3:`` (3x4), ``R0_rect:`` (3x3), ``Tr_velo_to_cam:`` and
  ``Tr_imu_to_velo:`` (3x4), row-major.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import ConfigError, DataError
from ..geometry.boxes import (
    Calibration,
    camera_to_lidar_boxes,
    default_calibration,
    lidar_to_camera_boxes,
    points_in_boxes,
)
from . import DATASETS
from .scan import KITTI_TYPES, Objects, Scan

__all__ = ["default_calibration", "read_velodyne", "write_velodyne", "read_calib", "write_calib",
           "read_label", "write_label", "kitti"]  # fmt: skip

# h, w, l, x, y, z, rotation_y of KITTI's DontCare rows
DONTCARE_3D = (-1.0, -1.0, -1.0, -1000.0, -1000.0, -1000.0, -10.0)
CALIB_KEYS = ("P0", "P1", "P2", "P3", "R0_rect", "Tr_velo_to_cam", "Tr_imu_to_velo")


def read_velodyne(path: str | Path) -> np.ndarray:
    """A velodyne scan as float32 [N, 4]: x, y, z, reflectance."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such velodyne file")
    raw = path.read_bytes()
    if len(raw) % 16:
        raise DataError(
            f"{path}: {len(raw)} bytes is not a whole number of points (16 bytes: 4 float32)"
        )
    return np.frombuffer(raw, dtype="<f4").reshape(-1, 4).copy()


def write_velodyne(path: str | Path, points: np.ndarray) -> Path:
    """Write points [N, 4] (x, y, z, reflectance) as KITTI's little-endian float32 rows."""
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] < 4:
        raise ValueError(f"velodyne points must be [N, 4], got {points.shape}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(np.ascontiguousarray(points[:, :4], dtype="<f4").tobytes())
    return path


def read_calib(path: str | Path) -> Calibration:
    """The Calibration (P2, R0_rect, Tr_velo_to_cam) of a KITTI object calib file."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such calib file")
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        key, colon, rest = line.partition(":")
        if not colon:
            raise DataError(f"{path}:{number}: expected 'NAME: numbers', got {line.strip()!r}")
        try:
            values[key.strip()] = np.array([float(v) for v in rest.split()])
        except ValueError:
            raise DataError(f"{path}:{number}: not a list of numbers: {line.strip()!r}") from None
    sizes = {"P2": (3, 4), "R0_rect": (3, 3), "Tr_velo_to_cam": (3, 4)}
    for key, shape in sizes.items():
        if key not in values:
            raise DataError(f"{path}: no {key} line (needs P2, R0_rect and Tr_velo_to_cam)")
        if values[key].size != shape[0] * shape[1]:
            raise DataError(
                f"{path}: {key} has {values[key].size} numbers, expected {shape[0] * shape[1]}"
            )
    return Calibration(**{key: values[key].reshape(shape) for key, shape in sizes.items()})


def write_calib(path: str | Path, calib: Calibration, others: dict | None = None) -> Path:
    """Write a calib file with KITTI's seven lines. ``others`` may give P0, P1, P3 and
    Tr_imu_to_velo (which the labels do not need); by default P0, P1, P3 repeat P2 and
    Tr_imu_to_velo is the identity."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = {key: (others or {}).get(key) for key in CALIB_KEYS}
    rows.update(P2=calib.P2, R0_rect=calib.R0_rect, Tr_velo_to_cam=calib.Tr_velo_to_cam)
    for key in ("P0", "P1", "P3"):
        rows[key] = calib.P2 if rows[key] is None else rows[key]
    if rows["Tr_imu_to_velo"] is None:
        rows["Tr_imu_to_velo"] = np.eye(3, 4)
    lines = (f"{key}: {' '.join(f'{v:.12e}' for v in np.ravel(m))}\n" for key, m in rows.items())
    path.write_text("".join(lines))
    return path


def read_label(path: str | Path, calib: Calibration) -> Objects:
    """Objects of a label_2 file (15 fields) or a results file (16, the last the score),
    boxes in the LiDAR frame. DontCare rows are kept with their name (the evaluation uses
    their image boxes); their boxes are whatever KITTI's placeholder values map to."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such label file")
    names, rows = [], []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) not in (15, 16):
            raise DataError(
                f"{path}:{number}: {len(fields)} fields, KITTI labels have 15 (16 with a score)"
            )
        if rows and len(fields) != len(rows[0]) + 1:
            raise DataError(f"{path}:{number}: {len(fields)} fields where line 1 has "
                            f"{len(rows[0]) + 1}: every line has a score or none does")  # fmt: skip
        if fields[0] not in KITTI_TYPES:
            raise DataError(
                f"{path}:{number}: unknown type {fields[0]!r} (KITTI's: {', '.join(KITTI_TYPES)})"
            )
        try:
            rows.append([float(v) for v in fields[1:]])
        except ValueError:
            raise DataError(f"{path}:{number}: a field is not a number: {line.strip()!r}") from None
        names.append(fields[0])
    if not rows:
        return Objects.empty()
    values = np.array(rows)
    boxes = camera_to_lidar_boxes(values[:, 10:13], values[:, 7:10], values[:, 13], calib)
    return Objects(
        names=np.array(names, dtype="<U16"),
        boxes=boxes,
        truncated=values[:, 0],
        occluded=values[:, 1].astype(np.int64),
        bbox=values[:, 3:7],
        alpha=values[:, 2],
        num_points=np.full(len(rows), -1, dtype=np.int64),
        scores=values[:, 14] if values.shape[1] == 15 else None,
    )


def write_label(path: str | Path, objects: Objects, calib: Calibration) -> Path:
    """One line per object, 15 fields plus the score when ``objects.scores`` is set (KITTI's
    submission format); numbers with 2 decimals as the devkit writes them, scores with 4."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    location, dimensions, rotation_y = lidar_to_camera_boxes(objects.boxes, calib)
    lines = []
    for i in range(len(objects)):
        if objects.names[i] == "DontCare":  # an image region only: KITTI's 3D placeholders
            box_3d = DONTCARE_3D
        else:
            box_3d = [*dimensions[i], *location[i], rotation_y[i]]
        numbers = [objects.alpha[i], *objects.bbox[i], *box_3d]
        fields = [str(objects.names[i]), f"{objects.truncated[i]:.2f}",
                  str(int(objects.occluded[i])), *(f"{v:.2f}" for v in numbers)]  # fmt: skip
        if objects.scores is not None:
            fields.append(f"{objects.scores[i]:.4f}")
        lines.append(" ".join(fields) + "\n")
    path.write_text("".join(lines))
    return path


@DATASETS.register("kitti")
def kitti(
    split: str,
    seed: int,
    root: str | None,
    split_files: dict | None = None,
    limit: int | None = None,
) -> list[Scan]:
    """KITTI object scans of `split` from ``root/training/{velodyne,label_2,calib}`` with the
    frame ids of ``root/ImageSets/<split>.txt``. ``split_files`` maps a split to another list
    file in ImageSets; the test split reads val.txt unless told otherwise (KITTI's test labels
    are not public, and its test.txt names frames of ``testing/``, not ``training/``).
    ``limit`` keeps the first frames of the list only. ``seed`` is unused: the lists fix the
    split."""
    del seed
    if not root:
        raise ConfigError("data.root must point at a KITTI object folder (docs/DATASETS.md)")
    root = Path(root)
    lists = {"train": "train.txt", "val": "val.txt", "test": "val.txt", **(split_files or {})}
    listing = root / "ImageSets" / lists[split]
    if not listing.is_file():
        raise DataError(f"{listing}: no such frame list (one frame id per line)")
    frames = listing.read_text().split()
    if limit is not None:
        frames = frames[: int(limit)]
    base = root / "training"
    scans = []
    for frame in frames:
        calib = read_calib(base / "calib" / f"{frame}.txt")
        points = read_velodyne(base / "velodyne" / f"{frame}.bin")
        objects = read_label(base / "label_2" / f"{frame}.txt", calib)
        owner = points_in_boxes(points, objects.boxes)
        objects.num_points = np.bincount(owner[owner >= 0], minlength=len(objects))
        scans.append(Scan(points=points, objects=objects, calib=calib, frame_id=frame))
    return scans
