"""CenterPoint-style training targets, built on the fly in torch from padded boxes.

Boxes arrive as ``[B, M, 8]``: class (-1 = padding), x, y, z above the ground, length,
width, height, yaw. Each object is a Gaussian peak in its class's heatmap at its centre cell
(radius from its size, as CenterNet's ``gaussian_radius`` with overlap 0.1, at least
``min_radius`` cells); the regression targets live at the centre cell only: the offset of
the centre inside the cell, z, log sizes, and yaw as sin / cos of twice the angle (a box
looks the same turned half a turn, so 2*yaw is what the boxes define) plus a direction bit
that tells the two halves apart (for AOS).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .grid import BevGrid

REGRESSION = ("offset_x", "offset_y", "z", "log_l", "log_w", "log_h", "sin2", "cos2")


@dataclass
class CenterTargets:
    heatmap: torch.Tensor  # [B, C, H, W] Gaussian peaks in [0, 1]
    index: torch.Tensor  # [B, M] flat centre cell (0 for padding)
    regression: torch.Tensor  # [B, M, 8] REGRESSION
    direction: torch.Tensor  # [B, M] 1 when the heading is the decoded angle, 0 when + pi
    mask: torch.Tensor  # [B, M] bool: a real object inside the grid


def gaussian_radius(length: torch.Tensor, width: torch.Tensor, overlap: float = 0.1):
    """CenterNet's radius (in cells) within which a shifted box keeps `overlap` IoU."""
    a1, b1 = 1.0, length + width
    c1 = width * length * (1 - overlap) / (1 + overlap)
    r1 = (b1 + torch.sqrt(b1**2 - 4 * a1 * c1)) / 2
    a2, b2 = 4.0, 2 * (length + width)
    c2 = (1 - overlap) * width * length
    r2 = (b2 + torch.sqrt(b2**2 - 4 * a2 * c2)) / 2
    a3, b3 = 4 * overlap, -2 * overlap * (length + width)
    c3 = (overlap - 1) * width * length
    r3 = (b3 + torch.sqrt(b3**2 - 4 * a3 * c3)) / 2
    return torch.minimum(torch.minimum(r1, r2), r3)


def heading_parts(yaw: torch.Tensor):
    """(sin 2yaw, cos 2yaw, direction bit) of headings."""
    decoded = torch.atan2(torch.sin(2 * yaw), torch.cos(2 * yaw)) / 2
    direction = (torch.cos(yaw - decoded) > 0).float()
    return torch.sin(2 * yaw), torch.cos(2 * yaw), direction


def center_targets(
    boxes: torch.Tensor, num_classes: int, grid: BevGrid, min_radius: float = 1.0
) -> CenterTargets:
    rows, cols = grid.output_shape
    cell = grid.output_cell
    batch, slots = boxes.shape[:2]
    label = boxes[..., 0].long()
    fx = (boxes[..., 1] - grid.x_range[0]) / cell  # continuous output-cell coordinates
    fy = (boxes[..., 2] - grid.y_range[0]) / cell
    row, col = fx.floor().long(), fy.floor().long()
    mask = (label >= 0) & (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
    radius = gaussian_radius(boxes[..., 4] / cell, boxes[..., 5] / cell).clamp(min=min_radius)
    sigma = (2 * radius.floor() + 1) / 6
    heatmap = boxes.new_zeros(batch, num_classes, rows, cols)
    # A Gaussian is separable: exp(-(dr^2 + dc^2) / 2s^2) = exp(-dr^2 / 2s^2) * exp(-dc^2 / 2s^2),
    # so only rows + cols exponentials per real object, not rows x cols per slot.
    which, slot = torch.nonzero(mask, as_tuple=True)
    if len(which):
        rr = torch.arange(rows, device=boxes.device, dtype=boxes.dtype)
        cc = torch.arange(cols, device=boxes.device, dtype=boxes.dtype)
        s2 = 2 * sigma[which, slot, None] ** 2
        along_rows = torch.exp(-((rr[None] - row[which, slot, None]) ** 2) / s2)
        along_cols = torch.exp(-((cc[None] - col[which, slot, None]) ** 2) / s2)
        peaks = along_rows[:, :, None] * along_cols[:, None, :]  # [K, rows, cols]
        channel = which * num_classes + label[which, slot]
        flat = heatmap.view(batch * num_classes, rows, cols)
        index = channel[:, None, None].expand_as(peaks)
        flat.scatter_reduce_(0, index, peaks, "amax", include_self=True)
    sin2, cos2, direction = heading_parts(boxes[..., 7])
    regression = torch.stack(
        [
            fx - row,
            fy - col,
            boxes[..., 3],
            torch.log(boxes[..., 4].clamp(min=1e-3)),
            torch.log(boxes[..., 5].clamp(min=1e-3)),
            torch.log(boxes[..., 6].clamp(min=1e-3)),
            sin2,
            cos2,
        ],
        dim=-1,
    )
    index = torch.where(mask, row * cols + col, torch.zeros_like(row))
    return CenterTargets(heatmap, index, regression, direction, mask)


def rotate_boxes(boxes: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Boxes [B, M, 8] turned by `angle` [B] about the sensor's z axis."""
    cos, sin = torch.cos(angle)[:, None], torch.sin(angle)[:, None]
    out = boxes.clone()
    out[..., 1] = cos * boxes[..., 1] - sin * boxes[..., 2]
    out[..., 2] = sin * boxes[..., 1] + cos * boxes[..., 2]
    out[..., 7] = boxes[..., 7] + angle[:, None]
    return out


def wrap_angle(angle: torch.Tensor) -> torch.Tensor:
    return torch.remainder(angle + math.pi, 2 * math.pi) - math.pi
