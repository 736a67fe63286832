"""Known-answer tests of the metrics, against scikit-learn, and of the augmentation."""

from __future__ import annotations

import pytest
import torch
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from {{ cookiecutter.package_name }}.augment import random_crop_flip
from {{ cookiecutter.package_name }}.metrics import (
    confusion_matrix,
    metrics_from_confusion,
)


def test_confusion_matrix_counts():
    labels = torch.tensor([0, 0, 1, 2, 2, 2])
    predictions = torch.tensor([0, 1, 1, 2, 0, 2])
    expected = [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert confusion_matrix(labels, predictions, 3).tolist() == expected


def test_metrics_match_scikit_learn():
    generator = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 5, (200,), generator=generator)
    predictions = torch.where(
        torch.rand(200, generator=generator) < 0.7,
        labels,
        torch.randint(0, 5, (200,), generator=generator),
    )
    metrics = metrics_from_confusion(confusion_matrix(labels, predictions, 5))
    assert metrics["accuracy"] == pytest.approx(accuracy_score(labels, predictions))
    assert metrics["balanced_accuracy"] == pytest.approx(
        balanced_accuracy_score(labels, predictions)
    )
    assert metrics["macro_f1"] == pytest.approx(f1_score(labels, predictions, average="macro"))


def test_confusion_sums_over_batches():
    labels, predictions = torch.tensor([0, 1, 1, 0]), torch.tensor([0, 1, 0, 0])
    whole = confusion_matrix(labels, predictions, 2)
    parts = confusion_matrix(labels[:2], predictions[:2], 2) + confusion_matrix(
        labels[2:], predictions[2:], 2
    )
    assert torch.equal(whole, parts)
    assert metrics_from_confusion(whole)["accuracy"] == 0.75


def test_crop_and_flip_keep_pixels_and_shape():
    images = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).reshape(2, 3, 4, 4)
    assert torch.equal(random_crop_flip(images), images)
    torch.manual_seed(0)
    flipped = random_crop_flip(images, flip=True)
    for original, out in zip(images, flipped, strict=True):
        assert torch.equal(out, original) or torch.equal(out, original.flip(2))
    shifted = random_crop_flip(images, pad=1)
    assert shifted.shape == images.shape
    # A shift by at most one pixel keeps the centre 2x2 of every channel inside the crop.
    for original, out in zip(images, shifted, strict=True):
        assert set(original[:, 1:3, 1:3].flatten().tolist()) <= set(out.flatten().tolist())
