"""PointNet++'s layers as published (Qi et al., NeurIPS 2017), for ``pointnet2_ssg`` and
``pointnet2_msg``: ball-query grouping, single- and multi-scale set abstraction, feature
propagation, and the network assembled from a list of levels.

Each set-abstraction level picks ``centres`` points by farthest-point sampling and, for every
radius, groups the first ``samples`` points within it (ball query, padded with the first one
found, as the reference CUDA kernel does), runs a shared MLP on ``[x_j - c, f_j]`` and max-pools
over the group; several radii (multi-scale grouping, MSG) are concatenated. ``centres=None``
groups the whole cloud into one. Feature propagation interpolates features back to the points
of the level above from the 3 nearest centres (inverse squared distance) and runs an MLP on
``[skip features, interpolated]``. Layers keep the reference implementations' biases, so the
parameter counts match theirs (yanx27/Pointnet_Pointnet2_pytorch).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .layers import farthest_point_sample, gather_neighbours, mlp, pairwise_sq_distances
from .pointnet2 import interpolate


def ball_query(xyz: torch.Tensor, centres: torch.Tensor, radius: float, samples: int):
    """Indices [B, M, min(samples, N)] of the first points (in index order) of ``xyz`` within
    ``radius`` of each centre; groups with fewer repeat their first point."""
    count = xyz.shape[1]
    inside = pairwise_sq_distances(centres, xyz) <= radius * radius  # [B, M, N]
    order = torch.arange(count, device=xyz.device).expand_as(inside)
    index = torch.where(inside, order, count)  # outside: count, sorts last
    index = index.topk(min(samples, count), dim=-1, largest=False, sorted=True).values
    return torch.where(index == count, index[..., :1], index)


@dataclass(frozen=True)
class Level:
    """One set-abstraction level: centres (None: group all), radii, group sizes, MLP widths
    per radius."""

    centres: int | None
    radii: tuple[float, ...]
    samples: tuple[int, ...]
    widths: tuple[tuple[int, ...], ...]


class SetAbstraction(nn.Module):
    """Centres by farthest-point sampling; per radius, a shared MLP on every group and a max."""

    def __init__(self, level: Level, in_channels: int):
        super().__init__()
        self.centres, self.radii, self.samples = level.centres, level.radii, level.samples
        self.branches = nn.ModuleList(
            mlp([in_channels + 3, *widths], bias=True) for widths in level.widths
        )
        self.out_channels = sum(widths[-1] for widths in level.widths)

    def forward(self, xyz: torch.Tensor, features: torch.Tensor | None):
        if self.centres is None:  # group all: one group holding every point, centre 0
            grouped = xyz if features is None else torch.cat([xyz, features], dim=-1)
            pooled = self.branches[0](grouped.unsqueeze(1)).max(dim=2).values
            return xyz.new_zeros(xyz.shape[0], 1, 3), pooled
        batch = torch.arange(xyz.shape[0], device=xyz.device).view(-1, 1)
        centres = xyz[batch, farthest_point_sample(xyz, min(self.centres, xyz.shape[1]))]
        outputs = []
        for radius, samples, branch in zip(self.radii, self.samples, self.branches, strict=True):
            index = ball_query(xyz, centres, radius, samples)  # [B, M, k]
            grouped = gather_neighbours(xyz, index) - centres.unsqueeze(2)
            if features is not None:
                grouped = torch.cat([grouped, gather_neighbours(features, index)], dim=-1)
            outputs.append(branch(grouped).max(dim=2).values)
        return centres, torch.cat(outputs, dim=-1)


class FeaturePropagation(nn.Module):
    """Features of the coarser level interpolated onto the finer one, then an MLP."""

    def __init__(self, in_channels: int, widths: tuple[int, ...]):
        super().__init__()
        self.mlp = mlp([in_channels, *widths], bias=True)

    def forward(self, xyz, coarse_xyz, skip: torch.Tensor | None, coarse: torch.Tensor):
        if coarse_xyz.shape[1] == 1:
            upsampled = coarse.expand(-1, xyz.shape[1], -1)
        else:
            upsampled = interpolate(xyz, coarse_xyz, coarse)
        return self.mlp(upsampled if skip is None else torch.cat([skip, upsampled], dim=-1))


# Feature propagation widths of the scene network, coarsest first: the same for SSG and MSG.
PROPAGATION = [(256, 256), (256, 256), (256, 128), (128, 128, 128)]


class PointNet2Network(nn.Module):
    """PointNet++ from its levels. Classification: the last level groups all, then FC 512 ->
    256 -> classes (dropout 0.4 after each hidden layer). Segmentation: feature propagation
    back through every level (``propagation_widths``, coarsest first), then 128 -> classes
    (dropout 0.5). The input points' xyz are also their features in segmentation, as the
    reference feeds a block's coordinates (and colours) to its first level. A variant (SSG,
    MSG) names its levels in ``classification_levels`` and ``segmentation_levels``."""

    classification_levels: list[Level]
    segmentation_levels: list[Level]
    propagation_widths: list[tuple[int, ...]] = PROPAGATION

    def __init__(
        self, num_classes: int, task: str = "classification", dropout: float | None = None
    ):
        """``dropout``: default 0.4 in the classification head, 0.5 in the segmentation one."""
        super().__init__()
        self.task = task
        classification = task == "classification"
        levels = self.classification_levels if classification else self.segmentation_levels
        dropout = dropout if dropout is not None else (0.4 if classification else 0.5)
        in_channels = 0 if task == "classification" else 3
        skips = [in_channels]
        self.levels = nn.ModuleList()
        for level in levels:
            self.levels.append(SetAbstraction(level, in_channels))
            in_channels = self.levels[-1].out_channels
            skips.append(in_channels)
        if task == "classification":
            self.head = nn.Sequential(
                mlp([in_channels, 512], bias=True),
                nn.Dropout(dropout),
                mlp([512, 256], bias=True),
                nn.Dropout(dropout),
                nn.Linear(256, num_classes),
            )
            return
        self.propagation = nn.ModuleList()
        coarse = in_channels
        for skip, widths in zip(reversed(skips[:-1]), self.propagation_widths, strict=True):
            skip = skip if len(self.propagation) < len(levels) - 1 else 0  # the input: xyz only
            self.propagation.append(FeaturePropagation(skip + coarse, widths))
            coarse = widths[-1]
        self.head = nn.Sequential(
            mlp([coarse, 128], bias=True), nn.Dropout(dropout), nn.Linear(128, num_classes)
        )

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        xyz, features = points, (None if self.task == "classification" else points)
        pyramid = [(xyz, features)]
        for level in self.levels:
            xyz, features = level(xyz, features)
            pyramid.append((xyz, features))
        if self.task == "classification":
            return self.head(features.squeeze(1))
        for k, propagate in enumerate(self.propagation):
            fine_xyz, fine = pyramid[-2 - k]
            skip = fine if k < len(self.propagation) - 1 else None
            features = propagate(fine_xyz, xyz, skip, features)
            xyz = fine_xyz
        return self.head(features)
