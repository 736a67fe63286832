"""Known answers for every metric this project reports (the shared core/metrics.py, on the
point-cloud shapes used here), and agreement with torchmetrics' own implementations."""

from __future__ import annotations

import math

import pytest
import torch
from torchmetrics.classification import MulticlassAccuracy, MulticlassJaccardIndex

from {{ cookiecutter.package_name }}.core.metrics import (
    classification_metrics,
    confusion_matrix,
)


def test_known_answer_by_hand():
    # true:      0 0 0 0 1 1 2 2
    # predicted: 0 0 1 2 1 1 2 0
    labels = torch.tensor([0, 0, 0, 0, 1, 1, 2, 2])
    predictions = torch.tensor([0, 0, 1, 2, 1, 1, 2, 0])
    confusion = confusion_matrix(predictions, labels, 3)
    assert confusion.tolist() == [[2, 1, 1], [0, 2, 0], [1, 0, 1]]
    m = classification_metrics(confusion)
    assert m["accuracy"] == pytest.approx(5 / 8)
    # recalls 2/4, 2/2, 1/2
    assert m["per_class_accuracy"] == pytest.approx([0.5, 1.0, 0.5])
    assert m["mean_class_accuracy"] == pytest.approx(2 / 3)
    # IoU = TP / (TP + FP + FN): 2/(2+1+2), 2/(2+1+0), 1/(1+1+1)
    assert m["per_class_iou"] == pytest.approx([2 / 5, 2 / 3, 1 / 3])
    assert m["miou"] == pytest.approx((2 / 5 + 2 / 3 + 1 / 3) / 3)


def test_perfect_and_all_wrong_predictions():
    labels = torch.tensor([0, 1, 2, 3])
    perfect = classification_metrics(confusion_matrix(labels, labels, 4))
    assert perfect["accuracy"] == perfect["mean_class_accuracy"] == perfect["miou"] == 1.0
    wrong = classification_metrics(confusion_matrix((labels + 1) % 4, labels, 4))
    assert wrong["accuracy"] == wrong["mean_class_accuracy"] == wrong["miou"] == 0.0


def test_classes_absent_from_truth_and_predictions_are_skipped():
    # Class 2 never occurs: it has no accuracy and no IoU, and does not drag the means to 0.
    labels = torch.tensor([0, 0, 1, 1])
    predictions = torch.tensor([0, 0, 1, 0])
    m = classification_metrics(confusion_matrix(predictions, labels, 3))
    assert math.isnan(m["per_class_iou"][2]) and math.isnan(m["per_class_accuracy"][2])
    assert m["mean_class_accuracy"] == pytest.approx((1 + 0.5) / 2)
    assert m["miou"] == pytest.approx((2 / 3 + 1 / 2) / 2)


def test_a_class_only_predicted_has_iou_zero():
    labels = torch.tensor([0, 0, 0, 0])
    predictions = torch.tensor([0, 0, 0, 1])
    m = classification_metrics(confusion_matrix(predictions, labels, 2))
    assert m["per_class_iou"] == pytest.approx([0.75, 0.0])
    assert m["miou"] == pytest.approx(0.375)
    assert m["mean_class_accuracy"] == pytest.approx(0.75)  # class 1 has no support


def test_summed_batches_equal_one_big_batch():
    generator = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 6, (1000,), generator=generator)
    predictions = torch.randint(0, 6, (1000,), generator=generator)
    whole = confusion_matrix(predictions, labels, 6)
    parts = sum(
        confusion_matrix(predictions[i : i + 100], labels[i : i + 100], 6)
        for i in range(0, 1000, 100)
    )
    assert torch.equal(whole, parts)


def test_agrees_with_torchmetrics_on_segmentation_shaped_data():
    generator = torch.Generator().manual_seed(1)
    labels = torch.randint(0, 7, (4, 300), generator=generator)
    noise = torch.randint(0, 7, (4, 300), generator=generator)
    predictions = torch.where(torch.rand(4, 300, generator=generator) < 0.6, labels, noise)
    m = classification_metrics(confusion_matrix(predictions, labels, 7))
    flat_p, flat_t = predictions.reshape(-1), labels.reshape(-1)
    oa = MulticlassAccuracy(num_classes=7, average="micro")(flat_p, flat_t)
    macc = MulticlassAccuracy(num_classes=7, average="macro")(flat_p, flat_t)
    miou = MulticlassJaccardIndex(num_classes=7, average="macro")(flat_p, flat_t)
    assert m["accuracy"] == pytest.approx(oa.item(), abs=1e-6)
    assert m["mean_class_accuracy"] == pytest.approx(macc.item(), abs=1e-6)
    assert m["miou"] == pytest.approx(miou.item(), abs=1e-6)
