"""The tracker: Hungarian assignment, class gating, and each switchable part doing its job on
a hand-made sequence (Kalman through a gap, the low-score stage, appearance)."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ConfigError
from {{ cookiecutter.package_name }}.tracking import TRACKERS
from {{ cookiecutter.package_name }}.tracking.association import (
    FORBIDDEN,
    assign,
    association_cost,
    iou_matrix,
)

BASE = {
    "name": "sort",
    "high_score": 0.5,
    "low_score": 0.1,
    "new_track_score": 0.6,
    "match_iou": 0.3,
    "max_age": 10,
    "min_hits": 2,
}


def tracker(**options):
    return TRACKERS.build({**BASE, **options})


def frame(*boxes, scores=None, labels=None, embeddings=None):
    boxes = np.array(boxes, dtype=float).reshape(-1, 4)
    scores = np.full(len(boxes), 0.9) if scores is None else np.array(scores, float)
    labels = np.zeros(len(boxes), int) if labels is None else np.array(labels)
    return boxes, scores, labels, None if embeddings is None else np.array(embeddings, float)


def test_assignment_minimises_the_total_cost_and_drops_expensive_pairs():
    cost = np.array([[0.1, 0.2], [0.15, 0.9]])
    matches, rows, columns = assign(cost, max_cost=0.5)
    assert matches == [(0, 1), (1, 0)] and rows == [] and columns == []  # 0.35 < 1.0
    matches, rows, columns = assign(np.array([[0.9]]), max_cost=0.5)
    assert matches == [] and rows == [0] and columns == [0]


def test_pairs_of_different_classes_or_below_the_gate_cannot_match():
    iou = np.array([[0.9, 0.2]])
    cost = association_cost(iou, np.array([[False, True]]), min_iou=0.3)
    assert cost[0, 0] == FORBIDDEN and cost[0, 1] == FORBIDDEN
    assert iou_matrix(np.array([[0, 0, 2, 2.0]]), np.array([[1, 1, 3, 3.0]]))[
        0, 0
    ] == pytest.approx(1 / 7)


def moving_object(frames: int, gap: range = range(0)):
    """A 20-pixel box moving 8 px per frame (IoU 0.43 with its previous box), missing during
    `gap`."""
    for t in range(frames):
        box = [8.0 * t, 0, 8.0 * t + 20, 20]
        yield frame() if t in gap else frame(box)


def ids_over(track, frames):
    return [[r.track_id for r in track.update(*f)] for f in frames]


def test_the_kalman_filter_carries_a_track_through_missed_frames():
    gap = range(10, 13)  # 3 missed frames: the object moves 32 px, more than its width
    kalman = ids_over(tracker(motion="kalman"), moving_object(18, gap))
    iou_only = ids_over(tracker(motion="none"), moving_object(18, gap))
    assert kalman[9] == kalman[17] == [1]  # found again under the same id
    assert iou_only[9] == [1] and iou_only[17] and iou_only[17] != [1]  # a new id
    assert all(ids == [] for ids in kalman[10:13])  # nothing reported while unseen


def test_the_low_score_stage_keeps_a_half_hidden_object_tracked():
    scores = [0.9] * 5 + [0.3] * 3 + [0.9] * 2  # occluded: the detector is unsure

    def run(low_score_stage):
        track = tracker(motion="kalman", low_score_stage=low_score_stage)
        return [
            [r.track_id for r in track.update(*frame([4.0 * t, 0, 4.0 * t + 20, 20], scores=[s]))]
            for t, s in enumerate(scores)
        ]

    with_stage, without = run(True), run(False)
    assert all(ids == [1] for ids in with_stage)
    assert without[5:8] == [[], [], []] and without[9] == [1]


def test_appearance_decides_when_position_cannot():
    # Two objects side by side overlap (IoU 0.54); then they appear swapped. By position the
    # tracker keeps the slots; by appearance it follows the objects.
    left, right = [0.0, 0, 20, 20], [6.0, 0, 26, 20]
    a, b = [1.0, 0.0], [0.0, 1.0]
    frames = [frame(left, right, embeddings=[a, b]) for _ in range(3)]
    frames.append(frame(left, right, embeddings=[b, a]))

    def final_ids(weight):
        track = tracker(motion="none", appearance_weight=weight, appearance_threshold=0.2)
        out = [track.update(*f) for f in frames]
        return {tuple(r.box.round(3)): r.track_id for r in out[-1]}

    by_position, by_appearance = final_ids(0.0), final_ids(0.9)
    assert by_position[tuple(left)] == 1 and by_position[tuple(right)] == 2
    assert by_appearance[tuple(left)] == 2 and by_appearance[tuple(right)] == 1


def test_tracks_never_jump_between_classes():
    box = [0.0, 0, 20, 20]
    track = tracker()
    for _ in range(3):
        reported = track.update(*frame(box, box, labels=[0, 1]))
    assert sorted((r.label, r.track_id) for r in reported) == [(0, 1), (1, 2)]


def test_a_new_track_is_reported_from_its_second_hit():
    track = tracker(min_hits=2)
    box = [0.0, 0, 20, 20]
    assert [len(track.update(*frame(box))) for _ in range(4)] == [1, 1, 1, 1]  # first frames
    later = tracker(min_hits=2)
    later.update(*frame())
    later.update(*frame())
    assert [len(later.update(*frame(box))) for _ in range(3)] == [0, 1, 1]


def test_bad_tracker_options_are_config_errors():
    with pytest.raises(ConfigError, match="motion"):
        tracker(motion="teleport")
    with pytest.raises(ConfigError, match="takes no option 'max_aeg'"):
        TRACKERS.build({"name": "sort", "max_aeg": 3})
    with pytest.raises(ConfigError, match="unknown tracker"):
        TRACKERS.build({"name": "deepsort9000"})
