"""Segmentation and classification metrics, all derived from one confusion matrix.

The confusion matrix (rows: true class, columns: predicted class) is summable over batches
and over DDP ranks, so every metric below is exact however the data was split. Definitions
follow the point-cloud literature (PointNet, DGCNN, S3DIS/ScanNet benchmarks):

* overall accuracy (OA): correct / all, over clouds (classification) or points (segmentation);
* mean class accuracy (mAcc): recall averaged over the classes that occur in the ground truth;
* IoU of class c: TP / (TP + FP + FN); mIoU: its mean over the classes that occur in the
  ground truth or the predictions (a class absent from both has no IoU and is skipped).

A negative label (``IGNORE_INDEX``, e.g. ScanNet's unlabelled and non-benchmark points) is no
class: those items are left out of the confusion matrix, so every metric ignores them.
"""

from __future__ import annotations

import torch
from torchmetrics.functional.classification import multiclass_confusion_matrix

# Label of points that belong to no class (data/scannet.py writes it): skipped by loss and metrics.
IGNORE_INDEX = -1


def confusion_matrix(
    predictions: torch.Tensor, labels: torch.Tensor, num_classes: int
) -> torch.Tensor:
    """Counts [K, K] (int64): entry (t, p) is how many items of true class t were predicted p.

    Items whose label is negative (``IGNORE_INDEX``) are not counted.
    """
    predictions, labels = predictions.reshape(-1), labels.reshape(-1)
    labelled = labels >= 0
    return multiclass_confusion_matrix(
        predictions[labelled], labels[labelled], num_classes, validate_args=False
    ).long()


def metrics_from_confusion(confusion: torch.Tensor) -> dict:
    """OA, mAcc, mIoU (floats) and per-class accuracy and IoU (lists, NaN where undefined)."""
    confusion = confusion.double().cpu()
    true_positive = confusion.diagonal()
    support = confusion.sum(dim=1)  # items of each true class
    predicted = confusion.sum(dim=0)
    union = support + predicted - true_positive
    per_class_accuracy = torch.where(support > 0, true_positive / support, torch.nan)
    per_class_iou = torch.where(union > 0, true_positive / union, torch.nan)
    return {
        "overall_accuracy": float(true_positive.sum() / confusion.sum().clamp(min=1)),
        "mean_class_accuracy": float(per_class_accuracy.nanmean()),
        "miou": float(per_class_iou.nanmean()),
        "per_class_accuracy": per_class_accuracy.tolist(),
        "per_class_iou": per_class_iou.tolist(),
    }
