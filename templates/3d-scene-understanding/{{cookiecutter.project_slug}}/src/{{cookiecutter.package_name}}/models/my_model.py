"""YOUR MODEL GOES HERE: the place for your own architecture idea.

It is registered as ``my_model`` (the decorator below), so

    python -m {{ cookiecutter.package_name }}.train --config configs/quick.yaml model.name=my_model

trains it and every model test runs on it. The working default below is a one-level
PointNet++-style network (Qi et al., NeurIPS 2017): farthest-point sampling picks centres, a
small PointNet summarises each centre's k nearest points, and a second PointNet pools the
regions. Replace it with your
idea; keep the constructor arguments ``num_classes`` and ``task`` and the output shapes.
"""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS
from .layers import farthest_point_sample, gather_neighbours, knn, mlp


@MODELS.register("my_model")
class MyModel(nn.Module):
    """Classification: [B, P, 3] -> [B, K]. Segmentation: [B, P, 3] -> [B, P, K]."""

    def __init__(
        self,
        num_classes: int,
        task: str = "classification",
        centres: int = 64,
        k: int = 16,
        width: int = 128,
        dropout: float = 0.3,
    ):
        super().__init__()
        self.task, self.centres, self.k = task, centres, k
        self.point_mlp = mlp([3, 64])
        self.region_mlp = mlp([3 + 64, width, width])  # sees each neighbour relative to its centre
        self.global_mlp = mlp([3 + width, 2 * width])
        if task == "classification":
            self.head = nn.Sequential(
                mlp([2 * width, width]), nn.Dropout(dropout), nn.Linear(width, num_classes)
            )
        else:
            self.head = nn.Sequential(
                mlp([64 + width + 2 * width, width]), nn.Linear(width, num_classes)
            )

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        batch = torch.arange(points.shape[0], device=points.device).view(-1, 1)
        features = self.point_mlp(points)
        centre_index = farthest_point_sample(points, min(self.centres, points.shape[1]))
        centres = points[batch, centre_index]  # [B, M, 3]
        neighbours = knn(points, min(self.k, points.shape[1]), queries=centres)  # [B, M, k]
        relative = gather_neighbours(points, neighbours) - centres.unsqueeze(2)
        grouped = torch.cat([relative, gather_neighbours(features, neighbours)], dim=-1)
        regions = self.region_mlp(grouped).max(dim=2).values  # [B, M, width]
        pooled = self.global_mlp(torch.cat([centres, regions], dim=-1)).max(dim=1).values
        if self.task == "classification":
            return self.head(pooled)
        # Every point takes the feature of its nearest centre, its own, and the global one.
        nearest = knn(centres, 1, queries=points).squeeze(-1)  # [B, P]
        expanded = pooled.unsqueeze(1).expand(-1, points.shape[1], -1)
        return self.head(torch.cat([features, regions[batch, nearest], expanded], dim=-1))
