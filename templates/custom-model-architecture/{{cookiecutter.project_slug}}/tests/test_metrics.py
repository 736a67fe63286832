"""Known-answer tests of the task's metrics (the shared core/metrics.py, as the task sums them
over batches), against scikit-learn, and of the augmentation."""

from __future__ import annotations

import pytest
import torch
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, log_loss

from {{ cookiecutter.package_name }}.augment import random_crop_flip
from {{ cookiecutter.package_name }}.tasks import build_task

TASK_CFG = {"data": {"name": "digits", "seed": 0}, "model": {"name": "cnn"}}


class FixedLogits(torch.nn.Module):
    """A 'model' that returns the logits stored for each image index."""

    def __init__(self, logits: torch.Tensor):
        super().__init__()
        self.logits = logits

    def forward(self, index: torch.Tensor) -> torch.Tensor:
        return self.logits[index.long()]


def test_the_task_metrics_summed_over_batches_match_scikit_learn():
    generator = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 10, (200,), generator=generator)
    logits = torch.randn(200, 10, generator=generator)
    logits[torch.arange(200), labels] += 1.5  # mostly right, not always
    predictions = logits.argmax(1)
    task = build_task(TASK_CFG)
    model = FixedLogits(logits)
    index = torch.arange(200)
    parts = [
        task.eval_batch(model, (index[i : i + 64], labels[i : i + 64])) for i in range(0, 200, 64)
    ]
    sums = {key: sum(part[key] for part in parts) for key in parts[0]}
    metrics = task.summarize(sums)
    assert metrics["accuracy"] == pytest.approx(accuracy_score(labels, predictions))
    assert metrics["mean_class_accuracy"] == pytest.approx(
        balanced_accuracy_score(labels, predictions)
    )
    assert metrics["macro_f1"] == pytest.approx(f1_score(labels, predictions, average="macro"))
    probabilities = torch.softmax(logits.double(), 1).numpy()
    assert metrics["loss"] == pytest.approx(
        log_loss(labels, probabilities, labels=range(10)), rel=1e-5
    )
    assert task.primary_metric in metrics and len(metrics["per_class_accuracy"]) == 10


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
