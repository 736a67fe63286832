"""Box operations and NMS against hand-computed cases."""

from __future__ import annotations

import math

import pytest
import torch

from {{ cookiecutter.package_name }}.detection import boxes as ops
from {{ cookiecutter.package_name }}.detection.nms import batched_nms, nms


def t(*rows):
    return torch.tensor(rows, dtype=torch.float64)


def test_iou_of_hand_computed_pairs():
    a = t([0, 0, 2, 2], [0, 0, 10, 10])
    b = t([1, 1, 3, 3], [5, 0, 15, 10], [20, 20, 30, 30], [0, 0, 10, 10])
    iou = ops.box_iou(a, b)
    assert iou[0, 0].item() == pytest.approx(1 / 7)  # overlap 1, union 4 + 4 - 1
    assert iou[1, 1].item() == pytest.approx(50 / 150)
    assert iou[1, 2].item() == 0.0  # disjoint
    assert iou[1, 3].item() == 1.0  # identical
    assert iou[0, 3].item() == pytest.approx(4 / 100)  # inside: 4 / (4 + 100 - 4)


def test_empty_boxes_have_no_overlap_and_no_nan():
    empty = t([3, 3, 3, 3])
    assert ops.box_iou(empty, empty).item() == 0.0
    assert ops.box_area(t([5, 5, 2, 2])).item() == 0.0  # inverted: area 0, not positive


def test_ioa_scores_a_detection_against_a_crowd_region():
    det, crowd = t([0, 0, 2, 2]), t([1, 0, 5, 5])
    assert ops.box_ioa(det, crowd).item() == pytest.approx(0.5)  # 2 of the det's 4 px inside
    assert ops.box_ioa(crowd, det).item() == pytest.approx(2 / 20)


def test_paired_iou_matches_the_pairwise_diagonal():
    a = t([0, 0, 4, 4], [1, 1, 5, 7], [2, 0, 3, 9])
    b = t([2, 2, 6, 6], [1, 1, 5, 7], [0, 0, 1, 1])
    assert torch.allclose(ops.paired_iou(a, b), ops.box_iou(a, b).diagonal())


def test_layout_conversions_round_trip_and_agree_by_hand():
    box = t([10, 20, 40, 60])
    assert ops.xyxy_to_xywh(box).tolist() == [[10, 20, 30, 40]]
    assert ops.xyxy_to_cxcywh(box).tolist() == [[25, 40, 30, 40]]
    assert torch.equal(ops.xywh_to_xyxy(ops.xyxy_to_xywh(box)), box)
    assert torch.equal(ops.cxcywh_to_xyxy(ops.xyxy_to_cxcywh(box)), box)


def test_clip_and_flip():
    assert ops.clip_boxes(t([-5, 2, 130, 99]), 128, 96).tolist() == [[0, 2, 128, 96]]
    flipped = ops.flip_horizontal(t([10, 5, 30, 15]), 100)
    assert flipped.tolist() == [[70, 5, 90, 15]]
    assert torch.equal(ops.flip_horizontal(flipped, 100), t([10, 5, 30, 15]))


def test_nms_is_greedy_a_suppressed_box_suppresses_nothing():
    # B overlaps A (IoU 0.68) and is removed; D overlaps B (0.68) but A only by 0.47, and B
    # is gone, so D stays: greedy NMS, not "remove everything that overlaps anything".
    boxes = t([0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [2, 2, 12, 12])
    scores = torch.tensor([0.9, 0.8, 0.7, 0.6])
    iou = ops.box_iou(boxes, boxes)
    assert iou[0, 1] > 0.5 and iou[0, 3] < 0.5 and iou[1, 3] > 0.5
    assert nms(boxes, scores, 0.5).tolist() == [0, 2, 3]


def test_nms_orders_by_score_and_keeps_the_first_of_equal_scores():
    boxes = t([0, 0, 10, 10], [0, 0, 10, 10], [50, 50, 60, 60])
    assert nms(boxes, torch.tensor([0.5, 0.5, 0.9]), 0.5).tolist() == [2, 0]
    assert nms(t(), torch.zeros(0), 0.5).numel() == 0


def reference_nms(boxes, scores, threshold):
    """The textbook loop, for comparison."""
    order = sorted(range(len(scores)), key=lambda i: -float(scores[i]))
    keep, removed = [], set()
    iou = ops.box_iou(boxes, boxes)
    for i in order:
        if i in removed:
            continue
        keep.append(i)
        removed.update(j for j in order if iou[i, j] > threshold and j != i)
    return keep


def test_nms_equals_the_textbook_loop_on_random_boxes():
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        corner = torch.rand(40, 2, generator=generator) * 50
        size = torch.rand(40, 2, generator=generator) * 20 + 1
        boxes = torch.cat([corner, corner + size], dim=1)
        scores = torch.rand(40, generator=generator)
        assert nms(boxes, scores, 0.4).tolist() == reference_nms(boxes, scores, 0.4)


def test_batched_nms_never_suppresses_across_classes():
    boxes = t([0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10])
    scores = torch.tensor([0.9, 0.8, 0.7])
    kept = batched_nms(boxes, scores, torch.tensor([0, 1, 0]), 0.5)
    assert kept.tolist() == [0, 1]
    assert not math.isnan(float(boxes.sum()))
