"""Non-maximum suppression in PyTorch (no torchvision), exact greedy semantics.

Greedy NMS keeps the highest-scoring box, removes every box overlapping it by more than the
threshold, and repeats. Box j's fate depends only on the boxes ranked above it, so the kept
set is the fixed point of ``keep[j] = not any(keep[i] and overlap[i, j] for i ranked above
j)``. Iterating that from "keep everything" reaches the greedy answer exactly, with one
matrix product per round and usually a handful of rounds: no per-box Python loop, so it is as
happy on a GPU as on a CPU.
"""

from __future__ import annotations

import torch

from .boxes import box_iou


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Indices of the boxes [N, 4] kept, highest score first (ties keep the earlier box)."""
    if boxes.numel() == 0:
        return torch.zeros(0, dtype=torch.long, device=boxes.device)
    order = torch.sort(scores, descending=True, stable=True).indices
    ranked = boxes[order]
    # suppresses[i, j]: box i (ranked above j) overlaps box j by more than the threshold.
    suppresses = (box_iou(ranked, ranked) > iou_threshold).triu(diagonal=1).float()
    keep = torch.ones(len(order), dtype=torch.float32, device=boxes.device)
    for _ in range(len(order)):
        updated = ((keep @ suppresses) == 0).float()
        if torch.equal(updated, keep):
            break
        keep = updated
    return order[keep.bool()]


def batched_nms(
    boxes: torch.Tensor, scores: torch.Tensor, labels: torch.Tensor, iou_threshold: float
) -> torch.Tensor:
    """NMS within each class: boxes of different labels never suppress each other."""
    if boxes.numel() == 0:
        return torch.zeros(0, dtype=torch.long, device=boxes.device)
    # Shift each class to its own region of the plane, far from the others.
    offset = labels.to(boxes.dtype)[:, None] * (boxes.max() - boxes.min() + 1)
    return nms(boxes + offset, scores, iou_threshold)
