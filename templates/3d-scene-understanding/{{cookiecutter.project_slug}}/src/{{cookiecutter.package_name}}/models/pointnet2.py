"""PointNet++ (Qi et al., NeurIPS 2017), compact: two set-abstraction levels and interpolation.

Farthest-point sampling picks centres; each centre summarises its k nearest points with a
shared layer on ``[x_j - c, f_j]`` and a max; a second level does the same on the centres, so
the receptive field grows to whole objects while the number of gathered neighbours stays small.
For segmentation, features flow back to every point by inverse-distance interpolation from
its 3 nearest centres at each level (the paper's feature propagation).
"""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS
from .layers import batch_norm_last, farthest_point_sample, gather_neighbours, knn, mlp


class SetAbstraction(nn.Module):
    """Centres by FPS; each centre c gets max_j W [x_j - c, f_j] over its k nearest points.

    ``W [x_j - c, f_j] = P x_j + F f_j - P c``: the layer runs once per point, the centre term
    is constant over j and subtracted after the max (same function, k times cheaper).
    """

    def __init__(self, in_channels: int, out_channels: int, centres: int, k: int):
        super().__init__()
        self.centres, self.k = centres, k
        self.position = nn.Linear(3, out_channels, bias=False)
        self.feature = nn.Linear(in_channels, out_channels, bias=False)
        self.norm = nn.BatchNorm1d(out_channels)
        self.act = nn.ReLU()
        self.post = mlp([out_channels, out_channels])

    def forward(self, xyz: torch.Tensor, features: torch.Tensor):
        batch = torch.arange(xyz.shape[0], device=xyz.device).view(-1, 1)
        centres = xyz[batch, farthest_point_sample(xyz, min(self.centres, xyz.shape[1]))]
        neighbours = knn(xyz, min(self.k, xyz.shape[1]), queries=centres)  # [B, M, k]
        per_point = self.position(xyz) + self.feature(features)
        pooled = gather_neighbours(per_point, neighbours).max(dim=2).values
        pooled = self.act(batch_norm_last(self.norm, pooled - self.position(centres)))
        return centres, self.post(pooled)


def interpolate(xyz: torch.Tensor, centres: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
    """Features of ``centres`` [B, M, C] at every point of ``xyz`` [B, P, 3]: inverse-distance
    weighted mean over the 3 nearest centres."""
    index = knn(centres, min(3, centres.shape[1]), queries=xyz)  # [B, P, 3]
    sq_distance = (xyz.unsqueeze(2) - gather_neighbours(centres, index)).pow(2).sum(-1)
    weights = 1.0 / (sq_distance + 1e-8)
    weights = weights / weights.sum(-1, keepdim=True)
    return (gather_neighbours(features, index) * weights.unsqueeze(-1)).sum(dim=2)


@MODELS.register("pointnet2")
class PointNet2(nn.Module):
    """Classification: [B, P, 3] -> [B, K]. Segmentation: [B, P, 3] -> [B, P, K]."""

    def __init__(
        self,
        num_classes: int,
        task: str = "classification",
        centres: tuple[int, int] = (128, 32),
        k: tuple[int, int] = (16, 16),
        widths: tuple[int, int, int] = (32, 64, 128),
        head_width: int = 64,
        dropout: float = 0.3,
        point_input: str = "xyz",
    ):
        super().__init__()
        self.task = task
        # "height": each point's own feature sees only z, so the model is translation
        # invariant in the ground plane (scenes); "xyz" suits centred objects.
        self.point_input = point_input
        self.point_mlp = mlp([3 if point_input == "xyz" else 1, widths[0]])
        self.level1 = SetAbstraction(widths[0], widths[1], centres[0], k[0])
        self.level2 = SetAbstraction(widths[1], widths[2], centres[1], k[1])
        if task == "classification":
            self.head = nn.Sequential(
                mlp([widths[2], head_width]),
                nn.Dropout(dropout),
                nn.Linear(head_width, num_classes),
            )
        else:
            # Feature propagation: level 2 -> level-1 centres -> every point.
            self.up1 = mlp([widths[1] + 2 * widths[2], head_width])
            self.head = nn.Sequential(
                mlp([widths[0] + head_width, head_width]), nn.Linear(head_width, num_classes)
            )

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        features = self.point_mlp(points if self.point_input == "xyz" else points[..., 2:])
        xyz1, features1 = self.level1(points, features)
        xyz2, features2 = self.level2(xyz1, features1)
        pooled = features2.max(dim=1).values
        if self.task == "classification":
            return self.head(pooled)
        context = [
            features1,
            interpolate(xyz1, xyz2, features2),
            pooled.unsqueeze(1).expand(-1, xyz1.shape[1], -1),
        ]
        up1 = self.up1(torch.cat(context, dim=-1))
        return self.head(torch.cat([features, interpolate(points, xyz1, up1)], dim=-1))
