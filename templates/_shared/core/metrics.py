"""Classification and segmentation metrics from one confusion matrix.

The confusion matrix (rows: true class, columns: predicted class) is a sum over items, so it
adds up over batches and over processes, and every metric derived from it is exact however the
data was split. Every function takes its arguments in one order, ``(predictions, targets, ...)``,
and works on NumPy arrays and on PyTorch tensors alike (a tensor stays on its device).

Definitions (as in the segmentation benchmarks and scikit-learn):
* accuracy: correct / all items (overall accuracy, OA);
* mean class accuracy: recall averaged over the classes present in the targets (balanced
  accuracy, mAcc);
* IoU of class c: TP / (TP + FP + FN); mIoU: its mean over the classes present in the targets
  or the predictions (a class absent from both has no IoU and is skipped);
* macro F1: F1 averaged over the classes present in the targets.
Items whose target is negative (an ignore label such as -1) are not counted at all.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def confusion_matrix(predictions: Any, targets: Any, num_classes: int) -> Any:
    """Counts [K, K] (int64): entry (t, p) is how many items of true class t were predicted p.

    Items whose target is negative are left out. NumPy in, NumPy out; a tensor in, a tensor on
    the same device out."""
    if _is_tensor(predictions):
        predictions, targets = predictions.reshape(-1).long(), targets.reshape(-1).long()
        kept = targets >= 0
        index = targets[kept] * num_classes + predictions[kept]
        counts = index.bincount(minlength=num_classes * num_classes)
        return _square(counts, num_classes)
    predictions = np.asarray(predictions).reshape(-1).astype(np.int64)
    targets = np.asarray(targets).reshape(-1).astype(np.int64)
    kept = targets >= 0
    index = targets[kept] * num_classes + predictions[kept]
    counts = np.bincount(index, minlength=num_classes * num_classes)
    return _square(counts, num_classes)


def _square(counts: Any, num_classes: int) -> Any:
    # bincount grows past K*K only when a class index is out of range: a bug, not a count.
    if counts.shape[0] != num_classes * num_classes:
        raise ValueError(f"a target or prediction is outside the {num_classes} classes")
    return counts.reshape(num_classes, num_classes)


def per_class_scores(confusion: Any) -> dict[str, np.ndarray]:
    """Per-class accuracy (recall), precision, IoU and F1, NaN where a class has no items."""
    confusion = _to_numpy(confusion).astype(np.float64)
    true_positive = np.diag(confusion)
    support = confusion.sum(axis=1)  # items of each true class
    predicted = confusion.sum(axis=0)
    union = support + predicted - true_positive
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(support > 0, true_positive / support, np.nan)
        precision = np.where(predicted > 0, true_positive / predicted, 0.0)
        iou = np.where(union > 0, true_positive / union, np.nan)
        f1 = np.where(
            support > 0, 2 * true_positive / np.maximum(support + predicted, 1e-300), np.nan
        )
    return {"accuracy": recall, "precision": precision, "iou": iou, "f1": f1}


def classification_metrics(confusion: Any) -> dict[str, Any]:
    """accuracy, mean_class_accuracy, miou, macro_f1 (floats) and per_class_accuracy and
    per_class_iou (lists, NaN where undefined) of a confusion matrix."""
    counts = _to_numpy(confusion).astype(np.float64)
    scores = per_class_scores(counts)
    total = counts.sum()
    return {
        "accuracy": float(np.trace(counts) / total) if total else float("nan"),
        "mean_class_accuracy": _nanmean(scores["accuracy"]),
        "miou": _nanmean(scores["iou"]),
        "macro_f1": _nanmean(scores["f1"]),
        "per_class_accuracy": scores["accuracy"].tolist(),
        "per_class_iou": scores["iou"].tolist(),
    }


def _nanmean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else float("nan")


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch")


def _to_numpy(value: Any) -> np.ndarray:
    if _is_tensor(value):
        return value.detach().cpu().numpy()
    return np.asarray(value)
