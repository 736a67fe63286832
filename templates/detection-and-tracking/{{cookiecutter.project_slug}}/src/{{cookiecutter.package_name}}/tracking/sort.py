"""The baseline tracker: SORT (Bewley et al., 2016), with ByteTrack's low-score stage (Zhang et
al., 2022) and an appearance term, each switched by config.

Every frame:

1. every track predicts its box: the Kalman filter's constant-velocity prediction
   (``motion: kalman``), or its last box (``motion: none``, the IoU-only tracker);
2. detections split into high (score >= ``high_score``) and low (``low_score`` <= score <
   ``high_score``) ones;
3. all tracks are matched to the high detections by the Hungarian algorithm on ``1 - IoU``;
   with ``appearance_weight`` > 0 the cost blends in the embedding distance, and a pair that
   overlaps less than ``match_iou`` may still match if it overlaps at least
   ``appearance_gate_iou`` and looks alike (distance <= ``appearance_threshold``), so a track
   that drifted during an occlusion is found again;
4. with ``low_score_stage``, tracks seen in the previous frame that found no high detection are
   matched to the low ones by IoU alone: an object half hidden behind another is often such a
   low-score detection, and its track survives instead of breaking (ByteTrack's idea);
5. matched tracks correct their state; unmatched ones count a miss and are dropped after
   ``max_age`` misses (a tentative track, after its first); unmatched high detections above
   ``new_track_score`` start tentative tracks, confirmed after ``min_hits`` matches.

Reported: confirmed tracks matched in this frame, with the filtered box (Kalman) or the
detected box (no motion model). Association happens within a class only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..core.errors import ConfigError
from . import TRACKERS
from .association import FORBIDDEN, appearance_distance, assign, association_cost, iou_matrix
from .kalman import BoxKalman

MOTIONS = ("kalman", "none")


@dataclass
class TrackOutput:
    """One reported track in one frame."""

    track_id: int
    label: int
    box: np.ndarray  # x1, y1, x2, y2
    score: float


class Track:
    """One object's state between frames."""

    def __init__(self, track_id, box, score, label, embedding, motion: str, noise=(1 / 20, 1 / 40)):
        self.track_id, self.label, self.score = track_id, int(label), float(score)
        self.box = np.asarray(box, dtype=np.float64)
        self.kalman = BoxKalman(self.box, *noise) if motion == "kalman" else None
        self.predicted = self.box
        self.embedding = None if embedding is None else np.asarray(embedding, np.float64)
        self.hits, self.misses = 1, 0

    def predict(self) -> np.ndarray:
        self.predicted = self.kalman.predict() if self.kalman is not None else self.box
        return self.predicted

    def update(self, box, score, embedding, momentum: float) -> None:
        box = np.asarray(box, dtype=np.float64)
        self.box = self.kalman.update(box) if self.kalman is not None else box
        self.score = float(score)
        self.hits += 1
        self.misses = 0
        if embedding is not None:
            embedding = np.asarray(embedding, np.float64)
            if self.embedding is None:
                self.embedding = embedding
            else:  # a moving average keeps one bad frame from changing who this is
                mixed = momentum * self.embedding + (1 - momentum) * embedding
                self.embedding = mixed / max(np.linalg.norm(mixed), 1e-12)


@TRACKERS.register("sort")
class SortTracker:
    """SORT, optionally with ByteTrack's low-score stage and appearance matching."""

    def __init__(
        self,
        motion: str = "kalman",
        low_score_stage: bool = False,
        appearance_weight: float = 0.0,
        high_score: float = 0.5,
        low_score: float = 0.1,
        new_track_score: float = 0.6,
        match_iou: float = 0.3,
        low_match_iou: float = 0.5,
        appearance_gate_iou: float = 0.05,
        appearance_threshold: float = 0.2,
        appearance_momentum: float = 0.9,
        max_age: int = 10,
        min_hits: int = 2,
        position_noise: float = 1 / 20,
        velocity_noise: float = 1 / 40,
    ):
        if motion not in MOTIONS:
            raise ConfigError(f"tracker.motion must be one of {', '.join(MOTIONS)}, got {motion!r}")
        if not 0 <= appearance_weight <= 1:
            raise ConfigError(
                f"tracker.appearance_weight must be in [0, 1], got {appearance_weight}"
            )
        if not low_score <= high_score:
            raise ConfigError("tracker.low_score must not exceed tracker.high_score")
        self.motion = motion
        self.low_score_stage = bool(low_score_stage)
        self.appearance_weight = float(appearance_weight)
        self.high_score, self.low_score = float(high_score), float(low_score)
        self.new_track_score = float(new_track_score)
        self.match_iou, self.low_match_iou = float(match_iou), float(low_match_iou)
        self.appearance_gate_iou = float(appearance_gate_iou)
        self.appearance_threshold = float(appearance_threshold)
        self.momentum = float(appearance_momentum)
        self.max_age, self.min_hits = int(max_age), int(min_hits)
        self.noise = (float(position_noise), float(velocity_noise))
        self.tracks: list[Track] = []
        self.frame = 0
        self._ids = itertools.count(1)

    def update(
        self,
        boxes: np.ndarray,
        scores: np.ndarray,
        labels: np.ndarray,
        embeddings: np.ndarray | None = None,
    ) -> list[TrackOutput]:
        """Consume one frame's detections; return the tracks reported for it."""
        self.frame += 1
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        labels = np.asarray(labels).reshape(-1).astype(np.int64)
        use_appearance = self.appearance_weight > 0 and embeddings is not None
        if not use_appearance:
            embeddings = None
        seen_last_frame = [track.misses == 0 for track in self.tracks]
        for track in self.tracks:
            track.predict()

        high = np.flatnonzero(scores >= self.high_score)
        low = np.flatnonzero((scores >= self.low_score) & (scores < self.high_score))

        # Stage 1: every track against the high-score detections.
        matches, unmatched, free_high = self._match(
            list(range(len(self.tracks))), high, boxes, labels, embeddings, first_stage=True
        )
        # Stage 2 (ByteTrack): tracks alive a frame ago against the low-score detections.
        if self.low_score_stage and len(low):
            candidates = [i for i in unmatched if seen_last_frame[i]]
            low_matches, _, _ = self._match(candidates, low, boxes, labels, None, first_stage=False)
            matches += low_matches
            matched = {i for i, _ in low_matches}
            unmatched = [i for i in unmatched if i not in matched]

        for t, d in matches:
            embedding = None if embeddings is None else embeddings[d]
            self.tracks[t].update(boxes[d], scores[d], embedding, self.momentum)
        for t in unmatched:
            self.tracks[t].misses += 1
        self.tracks = [
            track
            for track in self.tracks
            if track.misses == 0 or (track.hits >= self.min_hits and track.misses <= self.max_age)
        ]
        for d in free_high:
            if scores[d] >= self.new_track_score:
                embedding = None if embeddings is None else embeddings[d]
                self.tracks.append(
                    Track(
                        next(self._ids),
                        boxes[d],
                        scores[d],
                        labels[d],
                        embedding,
                        self.motion,
                        self.noise,
                    )
                )
        return [
            TrackOutput(track.track_id, track.label, track.box.copy(), track.score)
            for track in self.tracks
            if track.misses == 0 and (track.hits >= self.min_hits or self.frame <= self.min_hits)
        ]

    def _match(self, track_rows, detections, boxes, labels, embeddings, first_stage: bool):
        """Hungarian matching of the given tracks and detections (indices into the frame's
        arrays); returns (matches (track, detection), unmatched tracks, unmatched detections)."""
        if not track_rows or not len(detections):
            return [], list(track_rows), [int(d) for d in detections]
        tracks = [self.tracks[i] for i in track_rows]
        predicted = np.stack([track.predicted for track in tracks])
        iou = iou_matrix(predicted, boxes[detections])
        same_class = np.array([t.label for t in tracks])[:, None] == labels[detections][None, :]
        if not first_stage:
            cost = association_cost(iou, same_class, self.low_match_iou)
        elif embeddings is None or all(t.embedding is None for t in tracks):
            cost = association_cost(iou, same_class, self.match_iou)
        else:
            known = np.stack(
                [t.embedding if t.embedding is not None else np.zeros(embeddings.shape[1])
                 for t in tracks]
            )  # fmt: skip
            distance = appearance_distance(known, embeddings[detections])
            cost = association_cost(
                iou, same_class, self.appearance_gate_iou, distance, self.appearance_weight
            )
            # Below match_iou only a pair that looks alike may match.
            alike = distance <= self.appearance_threshold
            cost = np.where((iou >= self.match_iou) | alike, cost, FORBIDDEN)
        pairs, free_tracks, free_detections = assign(cost, max_cost=FORBIDDEN / 2)
        return (
            [(track_rows[i], int(detections[j])) for i, j in pairs],
            [track_rows[i] for i in free_tracks],
            [int(detections[j]) for j in free_detections],
        )
