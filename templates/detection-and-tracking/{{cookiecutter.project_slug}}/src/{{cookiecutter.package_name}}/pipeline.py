"""Detector to tracks over a whole split: the perception pipeline that evaluation scores.

``detect_video`` runs the trained detector over every frame (batched, in order) and keeps
each frame's detections above ``detection.score_threshold`` after per-class NMS, with their
embeddings; ``public_detections`` gives instead the detections a dataset ships
(MOTChallenge's ``det/det.txt``, ``evaluate.detections: public``), with the embedding the
detector's head has at each box centre; ``track_video`` feeds either, frame by frame and
sequence by sequence, to a fresh tracker built from a tracker config and collects what it
reports, with the time each frame took. ``ground_truth`` gives the split's annotations in
the same table form.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

import numpy as np
import torch

from .core.errors import ConfigError
from .detection.decode import select
from .evaluation.tracking_eval import BoxTable
from .tracking import TRACKERS

# What the tracker tracks (evaluate.detections): the detector's own detections, or the public
# detections of the dataset (MOTChallenge det/det.txt), the benchmarks' "public" protocol.
DETECTION_SOURCES = ("detector", "public")


@dataclass
class FrameDetections:
    """One frame's detections, highest score first (NumPy)."""

    boxes: np.ndarray  # [D, 4]
    scores: np.ndarray  # [D]
    labels: np.ndarray  # [D]
    embeddings: np.ndarray | None  # [D, E]


@torch.no_grad()
def detect_video(task, model, video, batch_size: int = 64, device="cpu") -> list[FrameDetections]:
    """Detections of every frame of a VideoSplit, in frame order."""
    model.eval()
    out = []
    frames = torch.from_numpy(np.ascontiguousarray(video.frames.transpose(0, 3, 1, 2)))
    for start in range(0, len(frames), batch_size):
        batch = frames[start : start + batch_size].to(device)
        _, detections = task.detect(model, batch)
        for i in range(batch.shape[0]):
            chosen = select(detections, i, task.score_threshold, task.nms_iou)
            out.append(
                FrameDetections(
                    chosen["boxes"].cpu().numpy().astype(np.float64),
                    chosen["scores"].cpu().numpy().astype(np.float64),
                    chosen["labels"].cpu().numpy().astype(np.int64),
                    chosen["embeddings"].cpu().numpy().astype(np.float64)
                    if "embeddings" in chosen
                    else None,
                )
            )
    return out


def detection_source(value) -> str:
    """evaluate.detections, checked: "detector" (default) or "public"."""
    source = "detector" if value is None else str(value)
    if source not in DETECTION_SOURCES:
        raise ConfigError(
            f"evaluate.detections must be one of {', '.join(DETECTION_SOURCES)}, got {value!r}"
        )
    return source


def check_public_detections(video) -> None:
    """A ConfigError unless every sequence of the split has public detections."""
    public = video.public_detections
    if public is None:
        raise ConfigError(
            f"evaluate.detections is public, but the {video.split} split has no public "
            "detections: only MOTChallenge sequences with a det/det.txt have them "
            "(docs/DATASETS.md); set evaluate.detections to detector"
        )
    missing = [s.name for s in video.sequences if s.name not in public.sequences]
    if missing:
        raise ConfigError(
            f"evaluate.detections is public, but these {video.split} sequences have no "
            f"det/det.txt: {', '.join(missing)}"
        )


@torch.no_grad()
def public_detections(
    video, model=None, batch_size: int = 64, device="cpu"
) -> list[FrameDetections]:
    """The split's public detections (``video.public_detections``) of every frame, in frame
    order, highest score first, as they are (no score threshold, no NMS). With a `model` that
    has an embedding head, each carries the head's embedding at its box centre, so the
    tracker's appearance term works on them too; without one, embeddings are None."""
    from .tasks import as_float

    check_public_detections(video)
    public = video.public_detections
    out = []
    for frame in range(len(video.frames)):
        rows = np.flatnonzero(public.frame == frame)
        rows = rows[np.argsort(-public.scores[rows], kind="stable")]
        out.append(
            FrameDetections(
                public.boxes[rows].astype(np.float64),
                public.scores[rows].astype(np.float64),
                public.label[rows].astype(np.int64),
                None,
            )
        )
    if model is None:
        return out
    model.eval()
    frames = torch.from_numpy(np.ascontiguousarray(video.frames.transpose(0, 3, 1, 2)))
    for start in range(0, len(frames), batch_size):
        outputs = model(as_float(frames[start : start + batch_size].to(device)))
        if "embedding" not in outputs:
            return out
        maps = outputs["embedding"].float()  # [B, E, h, w]
        stride = frames.shape[2] / maps.shape[2]
        for i in range(maps.shape[0]):
            found = out[start + i]
            if not len(found.boxes):
                found.embeddings = np.zeros((0, maps.shape[1]))
                continue
            centres = torch.from_numpy((found.boxes[:, :2] + found.boxes[:, 2:]) / 2)
            xs = (centres[:, 0] / stride).long().clamp(0, maps.shape[3] - 1).to(maps.device)
            ys = (centres[:, 1] / stride).long().clamp(0, maps.shape[2] - 1).to(maps.device)
            embedding = torch.nn.functional.normalize(maps[i][:, ys, xs].T, dim=-1)
            found.embeddings = embedding.cpu().numpy().astype(np.float64)
    return out


def ground_truth(video, min_visibility: float) -> list[BoxTable]:
    """Per sequence, its annotations (frames numbered from 0 within the sequence); objects
    less visible than `min_visibility` are marked ignore."""
    ann = video.annotations
    tables = []
    for sequence in video.sequences:
        rows = (ann.frame >= sequence.start) & (ann.frame < sequence.start + sequence.length)
        tables.append(
            BoxTable(
                frame=ann.frame[rows] - sequence.start,
                track_id=ann.track_id[rows],
                label=ann.label[rows],
                boxes=ann.boxes[rows].astype(np.float64),
                ignore=ann.visibility[rows] < min_visibility,
                occlusion=ann.occlusion[rows].astype(np.float64),
            )
        )
    return tables


def track_video(
    video, detections: list[FrameDetections], tracker_cfg: dict
) -> tuple[list[BoxTable], list[float]]:
    """Per sequence, the tracks a fresh tracker reports; and the seconds of every frame's
    update."""
    tables, seconds = [], []
    for sequence in video.sequences:
        tracker = TRACKERS.build(copy.deepcopy(tracker_cfg))
        rows = []
        for t in range(sequence.length):
            frame = detections[sequence.start + t]
            start = time.perf_counter()
            reported = tracker.update(frame.boxes, frame.scores, frame.labels, frame.embeddings)
            seconds.append(time.perf_counter() - start)
            rows += [(t, r.track_id, r.label, *r.box, r.score) for r in reported]
        table = np.asarray(rows, dtype=np.float64).reshape(-1, 8)
        tables.append(
            BoxTable(
                frame=table[:, 0].astype(np.int64),
                track_id=table[:, 1].astype(np.int64),
                label=table[:, 2].astype(np.int64),
                boxes=table[:, 3:7],
                score=table[:, 7],
            )
        )
    return tables, seconds


def variant_config(tracker_cfg: dict, overrides: dict | None) -> dict:
    """A tracker config with a variant's options on top (an ablation row)."""
    return {**copy.deepcopy(tracker_cfg), **copy.deepcopy(overrides or {})}
