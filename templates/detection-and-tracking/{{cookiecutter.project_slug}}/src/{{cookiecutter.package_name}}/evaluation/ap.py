"""COCO average precision from summable statistics: how training scores its validation split.

The engine sums per-batch statistics (over batches and over torchrun processes), so the
validation metric must be a sum. COCO's AP is not, but it nearly is: each image's detections
are matched to its ground truth exactly as COCO matches them (``match_image``: greedy by score,
the best-overlapping unmatched box at each IoU threshold, crowd regions absorbing what they
cover), and the matches are counted in a histogram over the score. The precision-recall curve
rebuilt from the histogram's cumulative counts is COCO's curve exactly wherever a score bin
holds only true or only false positives (inside such a run COCO's interpolated precision is
set by the run's end point), so the AP is exact up to ties within one of 1,000 bins.
``tests/test_coco.py`` checks it against faster-coco-eval. The official numbers of a finished
run (all areas, per class, 0.50:0.95) come from ``coco_eval.py``.

Differences from the full COCO protocol, on purpose: area ranges are not split (area "all"),
and each image keeps at most its top ``max_detections`` (COCO's maxDets=100) over all classes.
"""

from __future__ import annotations

import numpy as np
import torch

from ..detection.boxes import box_ioa, box_iou

IOU_THRESHOLDS = np.round(np.linspace(0.5, 0.95, 10), 2)  # COCO's 0.50:0.05:0.95
RECALL_POINTS = np.linspace(0.0, 1.0, 101)  # COCO's 101-point interpolation
SCORE_BINS = 1000


def match_image(
    regular_iou: np.ndarray, crowd_iou: np.ndarray, thresholds: np.ndarray = IOU_THRESHOLDS
) -> tuple[np.ndarray, np.ndarray]:
    """COCO's matching of one image and class, for every IoU threshold at once.

    regular_iou [D, G]: IoU of the detections (highest score first) with the ground truth;
    crowd_iou [D, R]: intersection over detection area with the crowd regions.
    Returns (true_positive [T, D], ignored [T, D]): matched to a free ground-truth box, or
    inside a crowd region (neither true nor false positive)."""
    count = regular_iou.shape[0]
    true_positive = np.zeros((len(thresholds), count), dtype=bool)
    rows = np.arange(len(thresholds))
    if regular_iou.shape[1]:
        taken = np.zeros((len(thresholds), regular_iou.shape[1]), dtype=bool)
        # Only a detection overlapping some box by the lowest threshold can match: the greedy
        # loop visits those (a handful per image), in score order.
        for d in np.flatnonzero(regular_iou.max(axis=1) >= thresholds.min()):
            ious = regular_iou[d]
            free = (ious[None, :] >= thresholds[:, None]) & ~taken
            scored = np.where(free, ious[None, :], -1.0)
            # On a tie COCO keeps the later box (it replaces the best on >=).
            best = scored.shape[1] - 1 - np.argmax(scored[:, ::-1], axis=1)
            found = free.any(axis=1)
            true_positive[found, d] = True
            taken[rows[found], best[found]] = True
    ignored = np.zeros_like(true_positive)
    if crowd_iou.shape[1]:
        in_crowd = crowd_iou.max(axis=1)[None, :] >= thresholds[:, None]  # [T, D]
        ignored = in_crowd & ~true_positive
    return true_positive, ignored


def image_statistics(
    detections: dict[str, torch.Tensor],
    gt_boxes: torch.Tensor,
    gt_labels: torch.Tensor,
    gt_crowd: torch.Tensor,
    num_classes: int,
    bins: int = SCORE_BINS,
) -> dict[str, np.ndarray]:
    """Histograms of one image: true and false positives [T, C, bins] by score, ground-truth
    counts [C] (crowd regions excluded). `detections` holds boxes, scores, labels, highest
    score first."""
    thresholds = len(IOU_THRESHOLDS)
    tp = np.zeros((thresholds, num_classes, bins), dtype=np.int64)
    fp = np.zeros_like(tp)
    gt_count = np.zeros(num_classes, dtype=np.int64)
    boxes = detections["boxes"].detach().float().cpu()
    scores = detections["scores"].detach().float().cpu().numpy()
    labels = detections["labels"].detach().cpu().numpy()
    gt_boxes, gt_labels = gt_boxes.detach().float().cpu(), gt_labels.detach().cpu().numpy()
    gt_crowd = gt_crowd.detach().cpu().numpy().astype(bool)
    score_bin = np.clip((scores * bins).astype(np.int64), 0, bins - 1)
    for c in range(num_classes):
        regular = (gt_labels == c) & ~gt_crowd
        crowd = (gt_labels == c) & gt_crowd
        gt_count[c] = regular.sum()
        mine = labels == c
        if not mine.any():
            continue
        d = boxes[torch.from_numpy(mine)]
        regular_iou = box_iou(d, gt_boxes[torch.from_numpy(regular)]).numpy()
        crowd_iou = box_ioa(d, gt_boxes[torch.from_numpy(crowd)]).numpy()
        true_positive, ignored = match_image(regular_iou, crowd_iou)
        # Histogram all thresholds at once: bin index t * bins + score bin.
        index = np.arange(thresholds)[:, None] * bins + score_bin[mine][None, :]
        tp[:, c] += np.bincount(index[true_positive], minlength=thresholds * bins).reshape(
            thresholds, bins
        )
        false = ~true_positive & ~ignored
        fp[:, c] += np.bincount(index[false], minlength=thresholds * bins).reshape(thresholds, bins)
    return {"tp": tp, "fp": fp, "gt": gt_count}


def average_precision(tp: np.ndarray, fp: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """AP [T, C] from histograms tp, fp [T, C, bins] and counts gt [C], COCO's way: the
    precision envelope read at 101 recall points. NaN for a class without ground truth."""
    tp, fp, gt = np.asarray(tp), np.asarray(fp), np.asarray(gt)
    out = np.full(tp.shape[:2], np.nan)
    for t in range(tp.shape[0]):
        for c in range(tp.shape[1]):
            if gt[c] <= 0:
                continue
            occupied = (tp[t, c] + fp[t, c]) > 0
            tps = np.cumsum(tp[t, c, ::-1][occupied[::-1]])
            fps = np.cumsum(fp[t, c, ::-1][occupied[::-1]])
            if len(tps) == 0:
                out[t, c] = 0.0
                continue
            recall = tps / gt[c]
            precision = tps / np.maximum(tps + fps, np.finfo(np.float64).eps)
            envelope = np.maximum.accumulate(precision[::-1])[::-1]
            index = np.searchsorted(recall, RECALL_POINTS, side="left")
            reached = index < len(recall)
            points = np.zeros(len(RECALL_POINTS))
            points[reached] = envelope[index[reached]]
            out[t, c] = points.mean()
    return out


def summarize(ap: np.ndarray) -> dict[str, float | list[float]]:
    """map (0.50:0.95), ap50, ap75 over the classes with ground truth, and per-class AP
    (-1 for a class without ground truth, as COCO marks it: NaN would never equal itself)."""
    valid = ~np.isnan(ap[0])

    def mean(values: np.ndarray) -> float:
        return float(values[valid].mean()) if valid.any() else float("nan")

    return {
        "map": mean(ap.mean(axis=0)),
        "ap50": mean(ap[0]),
        "ap75": mean(ap[5]),
        "per_class_ap": [float(v) if np.isfinite(v) else -1.0 for v in ap.mean(axis=0)],
    }
