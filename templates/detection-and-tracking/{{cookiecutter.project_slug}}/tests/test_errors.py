"""Error analysis on a hand-made frame: each kind of false positive once, misses by
occlusion band."""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.package_name }}.data.video import Annotations, SequenceInfo, VideoSplit
from {{ cookiecutter.package_name }}.evaluation.errors import detection_errors
from {{ cookiecutter.package_name }}.pipeline import FrameDetections


def test_false_positives_by_kind_and_misses_by_occlusion():
    # Ground truth: a car, a pedestrian (half hidden), a hidden cyclist (an ignore region).
    rows = [
        (0, 1, 0, 0, 0, 40, 20, 1.0, 0.0, 0.0),
        (0, 2, 1, 60, 0, 70, 30, 0.5, 0.5, 0.0),
        (0, 3, 2, 90, 0, 110, 30, 0.1, 0.9, 0.0),
    ]
    video = VideoSplit(
        "test",
        ["car", "pedestrian", "cyclist"],
        np.zeros((1, 40, 128, 3), np.uint8),
        [SequenceInfo("s", 0, 1)],
        Annotations.from_rows(rows),
    )
    boxes = [
        [0, 0, 40, 20],  # the car: a hit
        [1, 0, 40, 20],  # the car again: duplicate
        [20, 0, 60, 20],  # half on the car: localization
        [60, 0, 70, 30],  # "car" on the pedestrian: wrong class
        [90, 0, 110, 30],  # on the hidden cyclist, as a cyclist: not an error
        [40, 30, 50, 40],  # nothing there: background
        [0, 0, 40, 20],  # below the score threshold: not counted
    ]
    found = FrameDetections(
        np.array(boxes, float),
        np.array([0.9, 0.8, 0.7, 0.65, 0.6, 0.55, 0.2]),
        np.array([0, 0, 0, 0, 2, 1, 0]),
        None,
    )
    errors = detection_errors(video, [found], min_visibility=0.25, score_threshold=0.5)
    assert errors["confident_detections"] == 6
    assert errors["false_positives"] == {
        "duplicate": 1,
        "localization": 1,
        "class": 1,
        "background": 1,
    }
    bands = {
        row["occlusion"]: (row["objects"], row["missed"]) for row in errors["misses_by_occlusion"]
    }
    assert bands["0.00-0.10"] == (1, 0)  # the car was found
    assert bands["0.50-1.00"] == (1, 1)  # the half-hidden pedestrian was missed, and the
    assert sum(objects for objects, _ in bands.values()) == 2  # hidden cyclist is ignored
