"""Box operations on tensors of boxes [..., 4].

Boxes are (x1, y1, x2, y2) in pixels, x to the right and y down, edges (not pixel centres):
a box covering pixels 0..9 of a row is x1 = 0, x2 = 10 and has width 10. COCO files store
(x, y, width, height) and MOTChallenge files (left, top, width, height) with the same
meaning; the converters below translate.
"""

from __future__ import annotations

import torch


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """Areas [...] of boxes [..., 4]; an inverted box has area 0."""
    return (boxes[..., 2] - boxes[..., 0]).clamp(min=0) * (boxes[..., 3] - boxes[..., 1]).clamp(
        min=0
    )


def intersection(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pairwise intersection areas [N, M] of boxes a [N, 4] and b [M, 4]."""
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    size = (bottom_right - top_left).clamp(min=0)
    return size[..., 0] * size[..., 1]


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pairwise intersection over union [N, M]; 0 where both boxes are empty."""
    inter = intersection(a, b)
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return torch.where(union > 0, inter / union.clamp(min=1e-12), torch.zeros_like(inter))


def box_ioa(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pairwise intersection over the area of `a` [N, M]: how COCO scores a detection (a)
    against a crowd region (b), which a detection may cover only in part."""
    inter = intersection(a, b)
    area = box_area(a)[:, None]
    return torch.where(area > 0, inter / area.clamp(min=1e-12), torch.zeros_like(inter))


def paired_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """IoU of corresponding boxes [...]: a[i] with b[i]."""
    top_left = torch.maximum(a[..., :2], b[..., :2])
    bottom_right = torch.minimum(a[..., 2:], b[..., 2:])
    size = (bottom_right - top_left).clamp(min=0)
    inter = size[..., 0] * size[..., 1]
    union = box_area(a) + box_area(b) - inter
    return inter / union.clamp(min=1e-12)


def clip_boxes(boxes: torch.Tensor, width: float, height: float) -> torch.Tensor:
    """Boxes clipped to the image [0, width] x [0, height]."""
    x = boxes[..., 0::2].clamp(0, width)
    y = boxes[..., 1::2].clamp(0, height)
    return torch.stack([x[..., 0], y[..., 0], x[..., 1], y[..., 1]], dim=-1)


def xyxy_to_xywh(boxes: torch.Tensor) -> torch.Tensor:
    """(x1, y1, x2, y2) -> (x, y, width, height), the COCO and MOTChallenge layout."""
    return torch.cat([boxes[..., :2], boxes[..., 2:] - boxes[..., :2]], dim=-1)


def xywh_to_xyxy(boxes: torch.Tensor) -> torch.Tensor:
    """(x, y, width, height) -> (x1, y1, x2, y2)."""
    return torch.cat([boxes[..., :2], boxes[..., :2] + boxes[..., 2:]], dim=-1)


def xyxy_to_cxcywh(boxes: torch.Tensor) -> torch.Tensor:
    """(x1, y1, x2, y2) -> (centre x, centre y, width, height)."""
    return torch.cat([(boxes[..., :2] + boxes[..., 2:]) / 2, boxes[..., 2:] - boxes[..., :2]], -1)


def cxcywh_to_xyxy(boxes: torch.Tensor) -> torch.Tensor:
    """(centre x, centre y, width, height) -> (x1, y1, x2, y2)."""
    half = boxes[..., 2:] / 2
    return torch.cat([boxes[..., :2] - half, boxes[..., :2] + half], dim=-1)


def flip_horizontal(boxes: torch.Tensor, width: float) -> torch.Tensor:
    """Boxes of the mirrored image (x -> width - x)."""
    return torch.stack(
        [width - boxes[..., 2], boxes[..., 1], width - boxes[..., 0], boxes[..., 3]], dim=-1
    )
