"""From head outputs to boxes: CenterNet's peak decoding, then per-class NMS.

A peak is a heatmap cell that is the maximum of its 3x3 neighbourhood (a max-pool stands in
for NMS on the heatmap, as in CenterNet); the top-k peaks over all classes become boxes from
the size and offset heads at their cells. A per-class box NMS then removes the rare
duplicate peak of one object.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .boxes import clip_boxes
from .losses import gather_cells
from .nms import batched_nms


@dataclass
class Detections:
    """Top-k detections per image, padded: every tensor has a leading [B, K]."""

    boxes: torch.Tensor  # [B, K, 4] x1, y1, x2, y2 in input pixels
    scores: torch.Tensor  # [B, K]
    labels: torch.Tensor  # [B, K]
    embeddings: torch.Tensor | None  # [B, K, E], L2-normalised


def decode(
    outputs: dict[str, torch.Tensor],
    stride: int,
    image_size: tuple[int, int],
    max_detections: int = 100,
) -> Detections:
    """Top `max_detections` peaks of every image; image_size is (width, height)."""
    heat = outputs["heatmap"].float().sigmoid()
    batch, classes, height, width = heat.shape
    peaks = heat * (F.max_pool2d(heat, 3, stride=1, padding=1) == heat)
    k = min(max_detections, classes * height * width)
    scores, flat = peaks.flatten(1).topk(k, dim=1)
    labels = torch.div(flat, height * width, rounding_mode="floor")
    cell = flat % (height * width)
    xs, ys = (
        (cell % width).to(heat.dtype),
        torch.div(cell, width, rounding_mode="floor").to(heat.dtype),
    )
    size = gather_cells(outputs["size"].float(), cell)
    offset = gather_cells(outputs["offset"].float(), cell)
    cx, cy = (xs + offset[..., 0]) * stride, (ys + offset[..., 1]) * stride
    w, h = size[..., 0].clamp(min=0) * stride, size[..., 1].clamp(min=0) * stride
    boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=-1)
    boxes = clip_boxes(boxes, float(image_size[0]), float(image_size[1]))
    embeddings = None
    if "embedding" in outputs:
        embeddings = F.normalize(gather_cells(outputs["embedding"].float(), cell), dim=-1)
    return Detections(boxes, scores, labels, embeddings)


def select(
    detections: Detections, image: int, score_threshold: float, nms_iou: float | None
) -> dict[str, torch.Tensor]:
    """One image's detections above `score_threshold`, after per-class NMS (None: none),
    highest score first: boxes [D, 4], scores [D], labels [D], embeddings [D, E] or absent."""
    keep = detections.scores[image] >= score_threshold
    boxes, scores = detections.boxes[image][keep], detections.scores[image][keep]
    labels = detections.labels[image][keep]
    order = (
        batched_nms(boxes, scores, labels, nms_iou)
        if nms_iou is not None and nms_iou < 1
        else torch.sort(scores, descending=True, stable=True).indices
    )
    out = {"boxes": boxes[order], "scores": scores[order], "labels": labels[order]}
    if detections.embeddings is not None:
        out["embeddings"] = detections.embeddings[image][keep][order]
    return out
