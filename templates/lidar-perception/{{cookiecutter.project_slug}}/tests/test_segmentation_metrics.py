"""Confusion-matrix scores of point-wise segmentation on hand-counted cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.evaluation.segmentation import (
    by_distance,
    confusion,
    iou_per_class,
    miou,
)

# five points: targets 1, 2, 1, 1, 0 (the last ignored) and predictions 1, 2, 2, 0, 1
PREDICTED = np.array([1, 2, 2, 0, 1])
TARGET = np.array([1, 2, 1, 1, 0])


def test_confusion_counts_and_ignores_target_zero():
    conf = confusion(PREDICTED, TARGET, 3)
    # row = truth, column = prediction; the ignored point (predicted 1) is nowhere
    assert conf.tolist() == [[0, 0, 0], [1, 1, 1], [0, 0, 1]]
    assert conf.sum() == 4


def test_iou_per_class_by_hand():
    ious = iou_per_class(confusion(PREDICTED, TARGET, 4))
    # class 1: 1 hit, 3 true, 1 predicted: 1 / 3; class 2: 1 hit, 1 true, 2 predicted: 1 / 2
    assert ious[1] == pytest.approx(1 / 3) and ious[2] == pytest.approx(1 / 2)
    assert math.isnan(ious[0])  # the ignore class
    assert math.isnan(ious[3])  # neither in the targets nor in the predictions


def test_miou_over_the_classes_in_the_targets():
    conf = confusion(PREDICTED, TARGET, 4)
    assert miou(conf) == pytest.approx((1 / 3 + 1 / 2) / 2)
    # a class predicted but absent from the targets has IoU 0 and stays out of the mean
    conf = confusion(np.r_[PREDICTED, 3], np.r_[TARGET, 2], 4)
    assert iou_per_class(conf)[3] == 0.0
    assert miou(conf) == pytest.approx((1 / 3 + 1 / 3) / 2)  # class 2: 1 hit of 2 true, 2 pred
    # an explicit set of classes: here the one absent class adds a 0
    assert miou(conf, present=[1, 2, 3]) == pytest.approx((1 / 3 + 1 / 3 + 0) / 3)
    assert math.isnan(miou(np.zeros((3, 3), dtype=np.int64)))


def test_by_distance_bins():
    points = np.array([[5, 0, 0], [0, 25, 0], [30, 30, 0], [3, 4, 0], [100, 0, 0]], dtype=float)
    # distances 5, 25, 42.4, 5, 100: bins [0, 20) [20, 40) [40, inf)
    predicted, target = np.array([1, 1, 2, 2, 0]), np.array([1, 2, 2, 0, 1])
    near, middle, far = by_distance(points, predicted, target, 3)
    assert near.tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]  # the 5 m target-0 point ignored
    assert middle.tolist() == [[0, 0, 0], [0, 0, 0], [0, 1, 0]]
    assert far.tolist() == [[0, 0, 0], [1, 0, 0], [0, 0, 1]]
    assert (near + middle + far).tolist() == confusion(predicted, target, 3).tolist()
    assert len(by_distance(points, predicted, target, 3, bins=(0, 50, math.inf))) == 2


def test_bad_inputs():
    with pytest.raises(ValueError, match="predictions"):
        confusion([1, 2], [1], 3)
    with pytest.raises(ValueError, match="outside"):
        confusion([1, 5], [1, 1], 3)
