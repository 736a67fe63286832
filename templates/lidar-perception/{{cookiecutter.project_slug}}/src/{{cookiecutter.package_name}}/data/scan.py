"""One LiDAR scan with its annotations: the type every reader and the simulator return.

Frames and conventions are KITTI's:

* points are in the LiDAR (velodyne) frame: x forward, y left, z up, metres; intensity in
  [0, 1] (KITTI's velodyne ``*.bin`` rows are x, y, z, reflectance as float32);
* ``labels`` are SemanticKITTI's raw labels: the semantic id (the 34 raw ids of
  ``data/semantickitti.py``) in the lower 16 bits, the instance id in the upper 16;
* boxes are in the LiDAR frame as ``[x, y, z, length, width, height, yaw]`` with ``z`` the
  box's centre and ``yaw`` the heading about +z, 0 along +x (OpenPCDet's convention);
  ``geometry/boxes.py`` converts to and from KITTI's camera-frame labels with a
  ``Calibration``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# KITTI object classes (label_2 "type"), in the order the benchmark lists them.
KITTI_TYPES = (
    "Car",
    "Van",
    "Truck",
    "Pedestrian",
    "Person_sitting",
    "Cyclist",
    "Tram",
    "Misc",
    "DontCare",
)


@dataclass
class Objects:
    """The annotated objects of one scan (KITTI label_2 fields, boxes in the LiDAR frame)."""

    names: np.ndarray  # [M] str, a KITTI type
    boxes: np.ndarray  # [M, 7] float64 x, y, z (centre), length, width, height, yaw
    truncated: np.ndarray  # [M] float in [0, 1]: the part outside the camera image
    occluded: np.ndarray  # [M] int 0 visible, 1 partly, 2 largely occluded, 3 unknown
    bbox: np.ndarray  # [M, 4] float left, top, right, bottom in image pixels (camera P2)
    alpha: np.ndarray  # [M] float observation angle in the camera frame, [-pi, pi]
    num_points: np.ndarray  # [M] int LiDAR points inside the box (-1 when unknown)
    scores: np.ndarray | None = None  # [M] float for detections, None for ground truth

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def empty(cls, with_scores: bool = False) -> Objects:
        return cls(
            names=np.zeros(0, dtype="<U16"),
            boxes=np.zeros((0, 7)),
            truncated=np.zeros(0),
            occluded=np.zeros(0, dtype=np.int64),
            bbox=np.zeros((0, 4)),
            alpha=np.zeros(0),
            num_points=np.zeros(0, dtype=np.int64),
            scores=np.zeros(0) if with_scores else None,
        )

    def subset(self, keep: np.ndarray) -> Objects:
        """The objects where the boolean or index array `keep` selects."""
        return Objects(
            names=self.names[keep],
            boxes=self.boxes[keep],
            truncated=self.truncated[keep],
            occluded=self.occluded[keep],
            bbox=self.bbox[keep],
            alpha=self.alpha[keep],
            num_points=self.num_points[keep],
            scores=None if self.scores is None else self.scores[keep],
        )


@dataclass
class Scan:
    """A scan: points, optional per-point labels, optional objects and calibration."""

    points: np.ndarray  # [N, 4] float32 x, y, z, intensity
    labels: np.ndarray | None = None  # [N] uint32 SemanticKITTI raw label (semantic | inst << 16)
    objects: Objects | None = None
    calib: object | None = None  # geometry.boxes.Calibration
    frame_id: str = ""
    # The simulator's own sensor indices (real scans leave them None): beam (row) and
    # azimuth step (column) of each point, so the range image of a simulated scan is exact.
    ring: np.ndarray | None = None  # [N] int16
    column: np.ndarray | None = None  # [N] int16
    extras: dict = field(default_factory=dict)

    @property
    def semantic(self) -> np.ndarray | None:
        """Raw semantic ids (the lower 16 bits of ``labels``)."""
        return None if self.labels is None else (self.labels & 0xFFFF).astype(np.int64)

    @property
    def instance(self) -> np.ndarray | None:
        """Instance ids (the upper 16 bits of ``labels``; 0 = no instance)."""
        return None if self.labels is None else (self.labels >> 16).astype(np.int64)
