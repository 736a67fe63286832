"""The one in-memory form of every dataset: frames of sequences and a table of boxes.

Every source (the synthetic street, MOTChallenge folders, COCO files) becomes a ``VideoSplit``:
frames resized into the model's frame (``image_size``), one row per object per frame in
``Annotations`` (box, class, track identity, visibility, occlusion, truncation), and per
sequence the transform back to its original pixels, so results can be written in the
benchmark's own coordinates. A COCO image set is a split of one-frame sequences. Datasets
that ship detections (MOTChallenge's ``det/det.txt``) add them as ``PublicDetections``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Columns of the target tensor the training engine batches: one row per object slot.
TARGET_COLUMNS = (
    "label", "x1", "y1", "x2", "y2", "track_id", "visibility", "occlusion", "truncation",
)  # fmt: skip
PAD_LABEL = -1  # an empty slot


@dataclass
class SequenceInfo:
    """One sequence of a split: frames ``start .. start + length - 1`` of the split."""

    name: str
    start: int
    length: int
    fps: float = 10.0
    width: int = 0  # original frame size (before resizing into the model's frame)
    height: int = 0
    scale: float = 1.0  # original pixel -> model pixel: x * scale + pad_x
    pad_x: float = 0.0
    pad_y: float = 0.0
    image_ids: tuple[int, ...] = ()  # COCO image ids, when the sequence came from COCO

    def to_original(self, boxes: np.ndarray) -> np.ndarray:
        """Boxes [K, 4] (x1, y1, x2, y2) from the model's frame back to original pixels."""
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4).copy()
        boxes[:, [0, 2]] = (boxes[:, [0, 2]] - self.pad_x) / self.scale
        boxes[:, [1, 3]] = (boxes[:, [1, 3]] - self.pad_y) / self.scale
        return boxes

    def to_model(self, boxes: np.ndarray) -> np.ndarray:
        """Boxes [K, 4] from original pixels into the model's frame."""
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4).copy()
        boxes[:, [0, 2]] = boxes[:, [0, 2]] * self.scale + self.pad_x
        boxes[:, [1, 3]] = boxes[:, [1, 3]] * self.scale + self.pad_y
        return boxes


@dataclass
class Annotations:
    """One row per object per frame (all arrays have the same length K)."""

    frame: np.ndarray  # int64 [K]: index of the frame in the split
    track_id: np.ndarray  # int64 [K]: identity, unique within the split (-1: none)
    label: np.ndarray  # int64 [K]: class index
    boxes: np.ndarray  # float32 [K, 4]: x1, y1, x2, y2 in the model's frame
    visibility: np.ndarray  # float32 [K]: share of the whole object that is seen
    occlusion: np.ndarray  # float32 [K]: share of its in-image part hidden by others
    truncation: np.ndarray  # float32 [K]: share of the object outside the image

    @classmethod
    def empty(cls) -> Annotations:
        return cls.from_rows([])

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> Annotations:
        """From tuples (frame, track_id, label, x1, y1, x2, y2, visibility, occlusion,
        truncation)."""
        table = np.asarray(rows, dtype=np.float64).reshape(-1, 10)
        return cls(
            frame=table[:, 0].astype(np.int64),
            track_id=table[:, 1].astype(np.int64),
            label=table[:, 2].astype(np.int64),
            boxes=table[:, 3:7].astype(np.float32),
            visibility=table[:, 7].astype(np.float32),
            occlusion=table[:, 8].astype(np.float32),
            truncation=table[:, 9].astype(np.float32),
        )

    def __len__(self) -> int:
        return len(self.frame)

    def select(self, mask: np.ndarray) -> Annotations:
        return Annotations(**{k: v[mask] for k, v in self.__dict__.items()})


@dataclass
class PublicDetections:
    """Detections that come with a dataset (MOTChallenge's ``det/det.txt``), for tracking
    from them instead of from the detector's own (``evaluate.detections: public``)."""

    frame: np.ndarray  # int64 [D]: index of the frame in the split
    boxes: np.ndarray  # float64 [D, 4]: x1, y1, x2, y2 in the model's frame
    scores: np.ndarray  # float64 [D]: the file's confidence column, as it is
    label: np.ndarray  # int64 [D]: class index
    sequences: tuple[str, ...] = ()  # the sequences that have them (a det/det.txt)

    @classmethod
    def from_rows(cls, rows: list[tuple], sequences=()) -> PublicDetections:
        """From tuples (frame, label, x1, y1, x2, y2, score)."""
        table = np.asarray(rows, dtype=np.float64).reshape(-1, 7)
        return cls(
            frame=table[:, 0].astype(np.int64),
            boxes=table[:, 2:6].copy(),
            scores=table[:, 6].copy(),
            label=table[:, 1].astype(np.int64),
            sequences=tuple(sequences),
        )

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class VideoSplit:
    """A split of a dataset: frames, sequences and annotations (and the public detections,
    for datasets that ship them)."""

    split: str
    class_names: list[str]
    frames: np.ndarray  # uint8 [N, H, W, 3]
    sequences: list[SequenceInfo]
    annotations: Annotations
    public_detections: PublicDetections | None = None

    @property
    def image_size(self) -> tuple[int, int]:
        """(width, height) of the model's frame."""
        return int(self.frames.shape[2]), int(self.frames.shape[1])

    def frame_sequence(self) -> np.ndarray:
        """int64 [N]: the sequence index of every frame."""
        out = np.empty(len(self.frames), dtype=np.int64)
        for index, sequence in enumerate(self.sequences):
            out[sequence.start : sequence.start + sequence.length] = index
        return out

    def frame_number(self) -> np.ndarray:
        """int64 [N]: 1-based frame number within its sequence (MOTChallenge numbering)."""
        out = np.empty(len(self.frames), dtype=np.int64)
        for sequence in self.sequences:
            out[sequence.start : sequence.start + sequence.length] = np.arange(
                1, sequence.length + 1
            )
        return out

    def targets(self) -> np.ndarray:
        """float32 [N, M, 9]: the objects of every frame (TARGET_COLUMNS), empty slots
        labelled PAD_LABEL; M is the most objects any frame has (at least 1)."""
        ann = self.annotations
        counts = np.bincount(ann.frame, minlength=len(self.frames))
        slots = max(1, int(counts.max()) if len(counts) else 1)
        out = np.zeros((len(self.frames), slots, len(TARGET_COLUMNS)), dtype=np.float32)
        out[..., 0] = PAD_LABEL
        out[..., 5] = -1
        order = np.argsort(ann.frame, kind="stable")
        frame = ann.frame[order]
        slot = np.arange(len(order)) - np.searchsorted(frame, frame, side="left")
        rows = np.column_stack(
            [
                ann.label[order],
                ann.boxes[order],
                ann.track_id[order],
                ann.visibility[order],
                ann.occlusion[order],
                ann.truncation[order],
            ]
        )
        out[frame, slot] = rows
        return out

    def pairs(self, max_gap: int, seed: int) -> np.ndarray:
        """int64 [N, 2]: every frame with a partner frame of the same sequence, 1 to
        `max_gap` frames away (itself in a one-frame sequence). The appearance embedding
        learns from such pairs: the same identity in both frames is a positive."""
        rng = np.random.default_rng(np.random.SeedSequence([seed, 7919]))
        out = np.empty((len(self.frames), 2), dtype=np.int64)
        for sequence in self.sequences:
            index = np.arange(sequence.start, sequence.start + sequence.length)
            if sequence.length == 1 or max_gap < 1:
                out[index] = index[:, None]
                continue
            gap = rng.integers(1, min(max_gap, sequence.length - 1) + 1, size=sequence.length)
            forward = index + gap
            backward = np.maximum(index - gap, sequence.start)
            partner = np.where(forward < sequence.start + sequence.length, forward, backward)
            out[index, 0], out[index, 1] = index, partner
        return out
