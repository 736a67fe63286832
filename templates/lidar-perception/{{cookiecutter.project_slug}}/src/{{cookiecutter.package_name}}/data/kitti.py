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

from ..core.errors import DataError
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
           "read_label", "write_label"]  # fmt: skip


def read_velodyne(path: str | Path) -> np.ndarray:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such velodyne file")
    raw = path.read_bytes()
    if len(raw) % 16:
        raise DataError(f"{path}: {len(raw)} bytes is not a whole number of 16-byte points")
    return np.frombuffer(raw, dtype="<f4").reshape(-1, 4).copy()


def write_velodyne(path: str | Path, points: np.ndarray) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(np.ascontiguousarray(points[:, :4], dtype="<f4").tobytes())
    return path


def read_calib(path: str | Path) -> Calibration:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such calib file")
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        key, _, rest = line.partition(":")
        try:
            values[key.strip()] = np.array([float(v) for v in rest.split()])
        except ValueError:
            raise DataError(f"{path}:{number}: not a list of numbers: {line.strip()!r}") from None
    try:
        return Calibration(
            P2=values["P2"].reshape(3, 4),
            R0_rect=values["R0_rect"].reshape(3, 3),
            Tr_velo_to_cam=values["Tr_velo_to_cam"].reshape(3, 4),
        )
    except (KeyError, ValueError) as error:
        raise DataError(
            f"{path}: needs P2 (12 numbers), R0_rect (9), Tr_velo_to_cam (12): {error}"
        ) from None


def write_calib(path: str | Path, calib: Calibration) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = {
        "P0": calib.P2, "P1": calib.P2, "P2": calib.P2, "P3": calib.P2,
        "R0_rect": calib.R0_rect, "Tr_velo_to_cam": calib.Tr_velo_to_cam,
        "Tr_imu_to_velo": np.eye(3, 4),
    }  # fmt: skip
    text = "".join(f"{k}: {' '.join(f'{v:.12e}' for v in m.ravel())}\n" for k, m in rows.items())
    path.write_text(text)
    return path


def read_label(path: str | Path, calib: Calibration) -> Objects:
    """Objects of a label_2 (15 fields) or results (16 fields, with score) file, boxes in the
    LiDAR frame. DontCare rows are kept (the evaluation uses their image boxes)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such label file")
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) not in (15, 16):
            raise DataError(
                f"{path}:{number}: {len(fields)} fields, KITTI labels have 15 (16 with a score)"
            )
        if fields[0] not in KITTI_TYPES:
            raise DataError(
                f"{path}:{number}: unknown type {fields[0]!r} (KITTI's: {', '.join(KITTI_TYPES)})"
            )
        try:
            rows.append((fields[0], [float(v) for v in fields[1:]]))
        except ValueError:
            raise DataError(f"{path}:{number}: a field is not a number: {line.strip()!r}") from None
    if not rows:
        return Objects.empty()
    names = np.array([name for name, _ in rows], dtype="<U16")
    values = np.array([v + [np.nan] * (15 - len(v)) for _, v in rows])
    scored = len(rows[0][1]) == 15
    boxes = camera_to_lidar_boxes(values[:, 10:13], values[:, 7:10], values[:, 13], calib)
    return Objects(
        names=names,
        boxes=boxes,
        truncated=values[:, 0],
        occluded=values[:, 1].astype(np.int64),
        bbox=values[:, 3:7],
        alpha=values[:, 2],
        num_points=np.full(len(rows), -1, dtype=np.int64),
        scores=values[:, 14] if scored else None,
    )


def write_label(path: str | Path, objects: Objects, calib: Calibration) -> Path:
    """15 fields per object, plus the score when ``objects.scores`` is set (the submission
    format); numbers with 2 decimals as the devkit writes them, scores with 4."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    location, dimensions, rotation_y = lidar_to_camera_boxes(objects.boxes, calib)
    lines = []
    for i in range(len(objects)):
        fields = [
            str(objects.names[i]), f"{objects.truncated[i]:.2f}", str(int(objects.occluded[i])),
            f"{objects.alpha[i]:.2f}", *(f"{v:.2f}" for v in objects.bbox[i]),
            *(f"{v:.2f}" for v in dimensions[i]), *(f"{v:.2f}" for v in location[i]),
            f"{rotation_y[i]:.2f}",
        ]  # fmt: skip
        if objects.scores is not None:
            fields.append(f"{objects.scores[i]:.4f}")
        lines.append(" ".join(fields))
    path.write_text("".join(line + "\n" for line in lines))
    return path


@DATASETS.register("kitti")
def kitti(split, seed, root, split_files=None):
    """KITTI object scans of `split` from ``root/training`` and the frame ids in
    ``root/ImageSets/<split>.txt`` (``split_files`` maps a split to another list file; the
    test split reads val.txt unless told otherwise: KITTI's test labels are not public)."""
    if not root:
        raise DataError("data.root must point at a KITTI object folder (docs/DATASETS.md)")
    root = Path(root)
    default = {"train": "train.txt", "val": "val.txt", "test": "val.txt"}
    listing = root / "ImageSets" / (dict(default, **(split_files or {})))[split]
    if not listing.is_file():
        raise DataError(f"{listing}: no such frame list")
    scans = []
    for frame in listing.read_text().split():
        base = root / "training"
        calib = read_calib(base / "calib" / f"{frame}.txt")
        points = read_velodyne(base / "velodyne" / f"{frame}.bin")
        objects = read_label(base / "label_2" / f"{frame}.txt", calib)
        owner = points_in_boxes(points[:, :3], objects.boxes)
        objects.num_points = np.bincount(owner[owner >= 0], minlength=len(objects))[: len(objects)]
        scans.append(Scan(points=points, objects=objects, calib=calib, frame_id=frame))
    return scans
