"""PointNet (Qi et al., CVPR 2017): a shared per-point MLP and a global max pool.

The baseline: fast, permutation invariant, but blind to local structure, since each point is
processed alone until the pool. The input/feature transform nets (T-Net) of the paper are left
out; they add about 1 point of accuracy on ModelNet40 for a lot of compute.
"""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS
from .layers import mlp


@MODELS.register("pointnet")
class PointNet(nn.Module):
    """Classification: [B, P, 3] -> [B, K]. Segmentation: [B, P, 3] -> [B, P, K]."""

    def __init__(
        self,
        num_classes: int,
        task: str = "classification",
        widths: tuple[int, ...] = (64, 128, 256),
        head_width: int = 128,
        dropout: float = 0.3,
    ):
        super().__init__()
        self.task = task
        self.local = mlp([3, widths[0]])
        self.encoder = mlp(list(widths))
        if task == "classification":
            self.head = nn.Sequential(
                mlp([widths[-1], head_width]),
                nn.Dropout(dropout),
                nn.Linear(head_width, num_classes),
            )
        else:
            # Each point sees its own local feature next to the global one.
            self.head = nn.Sequential(
                mlp([widths[0] + widths[-1], head_width, head_width // 2]),
                nn.Linear(head_width // 2, num_classes),
            )

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        local = self.local(points)
        features = self.encoder(local)
        pooled = features.max(dim=1).values  # [B, C]: the order of points does not matter
        if self.task == "classification":
            return self.head(pooled)
        expanded = pooled.unsqueeze(1).expand(-1, points.shape[1], -1)
        return self.head(torch.cat([local, expanded], dim=-1))
