"""The pillar encoder (PointPillars): points to a bird's-eye-view pseudo-image, in torch.

Each point is decorated with its offsets to its pillar's centre and to the mean height of its
pillar, passed through a shared linear layer, and max-pooled per pillar into the grid (a
``scatter_reduce``, so no custom ops: this is the part ONNX export leaves in torch). Four
fixed channels sit beside the learned ones because they carried the design study: log point
count, highest and mean height above the fitted ground, and the strongest return.
"""

from __future__ import annotations

import torch
from torch import nn

from ..bev.grid import BevGrid

POINT_FEATURES = 4  # x, y, height above the fitted ground, intensity (then a validity flag)
FIXED_CHANNELS = 4


class PillarEncoder(nn.Module):
    def __init__(self, grid: BevGrid, channels: int = 16):
        super().__init__()
        self.grid = grid
        self.channels = channels
        self.linear = nn.Linear(POINT_FEATURES + 3, channels, bias=False)
        self.norm = nn.BatchNorm1d(channels)

    @property
    def out_channels(self) -> int:
        return self.channels + FIXED_CHANNELS

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        """points [B, P, 5] (x, y, height, intensity, valid) -> [B, C, rows, cols]."""
        grid = self.grid
        rows, cols = grid.shape
        batch = points.shape[0]
        x, y, z, intensity = points[..., 0], points[..., 1], points[..., 2], points[..., 3]
        row = torch.floor((x - grid.x_range[0]) / grid.cell).long()
        col = torch.floor((y - grid.y_range[0]) / grid.cell).long()
        valid = (
            (points[..., 4] > 0)
            & (row >= 0)
            & (row < rows)
            & (col >= 0)
            & (col < cols)
            & (z >= grid.z_range[0])
            & (z < grid.z_range[1])
        )
        offset = torch.arange(batch, device=points.device)[:, None] * (rows * cols)
        cell = (offset + row * cols + col)[valid]  # flat grid cell of each valid point
        # Pool over the occupied pillars only (about a fifth of the grid), then place them:
        # the max's backward then runs over those rows, not over every cell of the grid.
        occupied, pillar = torch.unique(cell, return_inverse=True)
        z, intensity = z[valid], intensity[valid]
        pillars = len(occupied)
        count = z.new_zeros(pillars).index_add_(0, pillar, torch.ones_like(z))
        z_mean = z.new_zeros(pillars).index_add_(0, pillar, z) / count
        centre_x = grid.x_range[0] + (row[valid].float() + 0.5) * grid.cell
        centre_y = grid.y_range[0] + (col[valid].float() + 0.5) * grid.cell
        decorated = torch.stack(
            [
                x[valid] / grid.x_range[1],
                y[valid] / grid.y_range[1],
                z,
                intensity,
                (x[valid] - centre_x) / grid.cell,
                (y[valid] - centre_y) / grid.cell,
                z - z_mean[pillar],
            ],
            dim=1,
        )
        features = torch.relu(self.norm(self.linear(decorated)))
        pooled = features.new_zeros(pillars, self.channels).scatter_reduce(
            0, pillar[:, None].expand(-1, self.channels), features, "amax", include_self=True
        )
        floor = grid.z_range[0]
        z_max = z.new_full((pillars,), floor).scatter_reduce(0, pillar, z, "amax")
        i_max = z.new_zeros(pillars).scatter_reduce(0, pillar, intensity, "amax")
        fixed = torch.stack([torch.log1p(count), z_max - floor, z_mean - floor, i_max], dim=1)
        size = batch * rows * cols
        image = features.new_zeros(size, self.out_channels)
        image = image.index_put((occupied,), torch.cat([pooled, fixed], dim=1))
        image = image.view(batch, rows, cols, -1)
        # [B, rows, cols, C] seen as [B, C, rows, cols]: channels-last already, no copy.
        return image.permute(0, 3, 1, 2)
