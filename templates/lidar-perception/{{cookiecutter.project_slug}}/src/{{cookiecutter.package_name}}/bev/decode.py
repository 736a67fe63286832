"""Head outputs to boxes: heatmap peaks (3x3 max-pooling as NMS), top-k, regression read at
each peak's cell."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .grid import BevGrid


def gather_cells(feature: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """feature [B, K, H, W] read at flat cells index [B, M] -> [B, M, K]."""
    flat = feature.flatten(2)  # [B, K, H*W]
    return flat.gather(2, index[:, None, :].expand(-1, flat.shape[1], -1)).transpose(1, 2)


def decode(outputs: dict, grid: BevGrid, max_detections: int = 100) -> dict:
    """Top-k detections per scan: ``labels`` [B, K], ``scores`` [B, K] and ``boxes``
    [B, K, 7] (x, y, z above the ground, length, width, height, yaw)."""
    heat = torch.sigmoid(outputs["heatmap"].float())
    peaks = F.max_pool2d(heat, 3, stride=1, padding=1) == heat
    heat = heat * peaks
    batch, classes, rows, cols = heat.shape
    k = min(max_detections, classes * rows * cols)
    scores, flat = heat.flatten(1).topk(k, dim=1)
    labels = flat // (rows * cols)
    cell = flat % (rows * cols)
    reg = gather_cells(outputs["regression"].float(), cell)
    direction = gather_cells(outputs["direction"].float(), cell)[..., 0]
    row, col = (cell // cols).float(), (cell % cols).float()
    x = grid.x_range[0] + (row + reg[..., 0]) * grid.output_cell
    y = grid.y_range[0] + (col + reg[..., 1]) * grid.output_cell
    yaw = torch.atan2(reg[..., 6], reg[..., 7]) / 2
    yaw = torch.where(direction > 0, yaw, yaw + math.pi)
    yaw = torch.remainder(yaw + math.pi, 2 * math.pi) - math.pi
    sizes = torch.exp(reg[..., 3:6].clamp(max=4.0))
    boxes = torch.cat([x[..., None], y[..., None], reg[..., 2:3], sizes, yaw[..., None]], -1)
    return {"labels": labels, "scores": scores, "boxes": boxes}
