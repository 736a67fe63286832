"""Classification metrics from a confusion matrix, which is summable over batches and GPUs."""

from __future__ import annotations

import torch


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor, num_classes: int):
    """(K, K) int64 counts; row = true class, column = predicted class."""
    index = labels.long() * num_classes + predictions.long()
    counts = torch.bincount(index, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def metrics_from_confusion(confusion: torch.Tensor) -> dict[str, float]:
    """accuracy, balanced_accuracy (mean recall over the classes present) and macro_f1."""
    confusion = confusion.double()
    correct = confusion.diag()
    true_count = confusion.sum(1)
    predicted_count = confusion.sum(0)
    present = true_count > 0
    recall = correct / true_count.clamp(min=1)
    precision = correct / predicted_count.clamp(min=1)
    f1 = 2 * precision * recall / (precision + recall).clamp(min=1e-12)
    return {
        "accuracy": (correct.sum() / confusion.sum().clamp(min=1)).item(),
        "balanced_accuracy": recall[present].mean().item(),
        "macro_f1": f1[present].mean().item(),
    }
