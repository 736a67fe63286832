"""CenterNet's targets, losses and decoding: hand-computed targets, a known focal loss, and
decoding perfect head outputs gives the ground-truth boxes back."""

from __future__ import annotations

import math

import pytest
import torch

from {{ cookiecutter.package_name }}.detection.decode import decode, select
from {{ cookiecutter.package_name }}.detection.losses import contrastive_loss, focal_loss
from {{ cookiecutter.package_name }}.detection.targets import center_targets


def targets(*objects, slots: int = 3):
    """Padded target rows [1, slots, 9] from (label, x1, y1, x2, y2, track, visibility)."""
    rows = torch.zeros(1, slots, 9)
    rows[..., 0], rows[..., 5] = -1, -1
    for i, (label, x1, y1, x2, y2, track, visibility) in enumerate(objects):
        rows[0, i] = torch.tensor([label, x1, y1, x2, y2, track, visibility, 0, 0])
    return rows


def test_targets_put_a_peak_at_the_centre_cell_with_size_and_offset():
    # Box 8..26 x 8..16 at stride 4: centre (17, 12) px = (4.25, 3.0) cells.
    found = center_targets(targets((1, 8, 8, 26, 16, 7, 1.0)), 3, 4, (6, 8))
    assert found.heatmap[0, 1, 3, 4] == 1.0
    assert found.heatmap[0, 1].max() == 1.0 and (found.heatmap[0, 1] == 1).sum() == 1
    assert found.heatmap[0, 0].max() == 0 and found.heatmap[0, 2].max() == 0
    assert 0 < found.heatmap[0, 1, 3, 5] < 1  # the Gaussian's shoulder
    assert found.index[0, 0] == 3 * 8 + 4
    assert found.size[0, 0].tolist() == pytest.approx([4.5, 2.0])
    assert found.offset[0, 0].tolist() == pytest.approx([0.25, 0.0])
    assert found.positive[0].tolist() == [True, False, False]
    assert found.identity[0, 0] == 7


def test_a_hidden_object_gets_no_peak_and_its_box_is_left_out_of_the_loss():
    found = center_targets(targets((0, 4, 4, 20, 12, 1, 0.1)), 3, 4, (6, 8), min_visibility=0.25)
    assert found.heatmap.max() == 0 and not found.positive.any()
    assert found.weight[0, 0, 1:3, 1:5].eq(0).all()  # the cells inside the box
    assert found.weight[0, 0, 5, 7] == 1 and found.weight[0, 1].eq(1).all()


def test_focal_loss_known_answer():
    # p = 0.5 everywhere, one positive cell, every other target 0:
    # positive term (1 - p)^2 * ln 2, each negative p^2 * ln 2; normalised by 1 positive.
    logits = torch.zeros(1, 1, 2, 3)
    target = torch.zeros(1, 1, 2, 3)
    target[0, 0, 1, 2] = 1.0
    loss = focal_loss(logits, target, torch.ones_like(target))
    assert loss.item() == pytest.approx(6 * 0.25 * math.log(2))


def test_decoding_perfect_outputs_returns_the_ground_truth():
    truth = targets((0, 6, 10, 30, 22, 1, 1.0), (2, 40, 4, 52, 20, 2, 1.0))
    found = center_targets(truth, 3, 4, (6, 16))
    logits = torch.where(found.heatmap >= 1, 10.0, -10.0)
    size = torch.zeros(1, 2, 6, 16)
    offset = torch.zeros(1, 2, 6, 16)
    for slot in range(2):
        y, x = divmod(int(found.index[0, slot]), 16)
        size[0, :, y, x] = found.size[0, slot]
        offset[0, :, y, x] = found.offset[0, slot]
    outputs = {"heatmap": logits, "size": size, "offset": offset}
    detections = decode(outputs, stride=4, image_size=(64, 24), max_detections=10)
    chosen = select(detections, 0, score_threshold=0.5, nms_iou=0.7)
    order = chosen["labels"].argsort()
    assert chosen["labels"][order].tolist() == [0, 2]
    assert torch.allclose(chosen["boxes"][order], truth[0, :2, 1:5], atol=1e-5)
    assert chosen["scores"].min() > 0.99
    assert "embeddings" not in chosen


def test_contrastive_loss_is_small_when_identities_are_apart_and_large_when_swapped():
    a = torch.eye(3)
    ids = torch.tensor([1, 2, 3])
    right = contrastive_loss(a, a.clone(), ids, ids, temperature=0.1)
    wrong = contrastive_loss(a, a[[1, 2, 0]], ids, ids, temperature=0.1)
    assert right.item() < 1e-3 < 5 < wrong.item()
    none = contrastive_loss(a, a, ids, torch.tensor([7, 8, 9]))
    assert none.item() == 0.0  # no identity in both frames: nothing to learn
