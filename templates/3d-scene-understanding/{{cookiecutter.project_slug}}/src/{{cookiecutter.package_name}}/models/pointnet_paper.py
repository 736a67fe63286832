"""PointNet as published (Qi et al., CVPR 2017): input and feature transform nets (T-Nets),
and the orthogonality regulariser on the feature transform.

The layout and widths follow the reference PyTorch re-implementation (fxia22/pointnet.pytorch,
also yanx27/Pointnet_Pointnet2_pytorch): shared MLP 3 -> 64, the 64 x 64 feature transform,
then 64 -> 128 -> 1024 and a global max pool. Classification head 512 -> 256 (dropout, keep
ratio 0.7) -> classes; segmentation head on [point feature (64), global feature (1024)]:
512 -> 256 -> 128 -> classes. 3,471,473 parameters for 40 classes, as the reference.

The regulariser ``weight * ||I - A A^T||_F^2`` (A: the feature transform, weight 0.001 as in
the paper) is left in ``regularisation_loss`` after every forward pass; the task adds it to
the loss (``tasks.py``).
"""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS
from .layers import batch_norm_last, mlp


class TNet(nn.Module):
    """Predicts a k x k transform of its input points or features: shared MLP k -> 64 -> 128
    -> 1024, max pool, 512 -> 256 -> k*k, plus the identity (so it starts near it)."""

    def __init__(self, k: int):
        super().__init__()
        self.k = k
        self.features = mlp([k, 64, 128, 1024], bias=True)
        self.head = nn.Sequential(mlp([1024, 512, 256], bias=True), nn.Linear(256, k * k))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = self.features(x).max(dim=1).values
        identity = torch.eye(self.k, device=x.device, dtype=pooled.dtype)
        return self.head(pooled).view(-1, self.k, self.k) + identity


def orthogonality_penalty(transform: torch.Tensor) -> torch.Tensor:
    """||I - A A^T||_F^2 averaged over the batch, for transforms A [B, k, k]."""
    identity = torch.eye(transform.shape[-1], device=transform.device, dtype=transform.dtype)
    gram = transform @ transform.transpose(1, 2)
    return (identity - gram).pow(2).sum(dim=(1, 2)).mean()


@MODELS.register("pointnet_paper")
class PointNetPaper(nn.Module):
    """Classification: [B, P, 3] -> [B, K]. Segmentation: [B, P, 3] -> [B, P, K]."""

    def __init__(
        self,
        num_classes: int,
        task: str = "classification",
        dropout: float = 0.3,
        regularisation_weight: float = 0.001,
    ):
        super().__init__()
        self.task, self.regularisation_weight = task, regularisation_weight
        self.input_transform = TNet(3)
        self.point_mlp = mlp([3, 64], bias=True)
        self.feature_transform = TNet(64)
        self.encoder = mlp([64, 128], bias=True)
        self.embed = nn.Linear(128, 1024)  # then BatchNorm, no ReLU, as in the reference
        self.embed_norm = nn.BatchNorm1d(1024)
        if task == "classification":
            self.head = nn.Sequential(
                mlp([1024, 512, 256], bias=True), nn.Dropout(dropout), nn.Linear(256, num_classes)
            )
        else:
            self.head = nn.Sequential(
                mlp([64 + 1024, 512, 256, 128], bias=True), nn.Linear(128, num_classes)
            )
        self.regularisation_loss: torch.Tensor | None = None

    def point_features(self, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-point 64-d features after the feature transform, and that transform [B, 64, 64]."""
        aligned = points @ self.input_transform(points)
        features = self.point_mlp(aligned)
        transform = self.feature_transform(features)
        return features @ transform, transform

    def feature_matrix(self, points: torch.Tensor) -> torch.Tensor:
        """The 64 x 64 feature transform of each cloud: [B, 64, 64]."""
        return self.point_features(points)[1]

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        local, transform = self.point_features(points)
        self.regularisation_loss = self.regularisation_weight * orthogonality_penalty(transform)
        embedded = batch_norm_last(self.embed_norm, self.embed(self.encoder(local)))
        pooled = embedded.max(dim=1).values
        if self.task == "classification":
            return self.head(pooled)
        expanded = pooled.unsqueeze(1).expand(-1, points.shape[1], -1)
        return self.head(torch.cat([local, expanded], dim=-1))

    def __getstate__(self) -> dict:
        # A copy (copy.deepcopy) must not carry the last forward pass's graph along.
        return {**self.__dict__, "regularisation_loss": None}
