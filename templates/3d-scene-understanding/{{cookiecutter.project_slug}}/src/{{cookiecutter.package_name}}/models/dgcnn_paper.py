"""DGCNN as published (Wang et al., ACM TOG 2019): k = 20, EdgeConv on a graph rebuilt in
feature space at every layer, BatchNorm over the edges.

Classification (WangYueFt/dgcnn, PyTorch): four EdgeConv layers 64, 64, 128, 256 on
``[x_j - x_i, x_i]``, their outputs concatenated (512) and embedded to 1024, max and mean
pooled (2048), then FC 512 -> 256 -> classes with dropout 0.5 and LeakyReLU 0.2; 1,809,576
parameters for 40 classes, as the reference. Segmentation (the S3DIS network of the authors'
code, as in antao97/dgcnn.pytorch ``DGCNN_semseg_s3dis``): three EdgeConv blocks (64-64,
64-64, 64), embedding 1024, max pool, then per point [global, the three blocks] -> 512 -> 256
-> classes.

Unlike the compact ``dgcnn`` model, every edge feature goes through the BatchNorm and the
activation before the max over neighbours, exactly as in the paper. The first linear map of
a block is applied per point and gathered (``W [x_j - x_i, x_i] = A x_j + (B - A) x_i``):
the same numbers as applying it to every edge, k times fewer multiplications.
"""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS
from .layers import batch_norm_last, gather_neighbours, knn, mlp

SLOPE = 0.2  # LeakyReLU slope of every layer


class EdgeConvBlock(nn.Module):
    """max_j of an MLP (Linear -> BN -> LeakyReLU per layer) on the edge features
    ``[x_j - x_i, x_i]`` of the k nearest neighbours j of every point i."""

    def __init__(self, in_channels: int, widths: tuple[int, ...]):
        super().__init__()
        self.in_channels = in_channels
        self.first = nn.Linear(2 * in_channels, widths[0], bias=False)
        self.first_norm = nn.BatchNorm1d(widths[0])
        self.act = nn.LeakyReLU(SLOPE)
        self.rest = mlp(list(widths), bias=False, slope=SLOPE)

    def forward(self, x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        difference, centre = self.first.weight.split(self.in_channels, dim=1)  # A, B
        neighbour = x @ difference.T  # A x_j, gathered below
        own = x @ (centre - difference).T  # (B - A) x_i
        edges = gather_neighbours(neighbour, index) + own.unsqueeze(2)  # [B, P, k, C]
        edges = self.act(batch_norm_last(self.first_norm, edges))
        return self.rest(edges).max(dim=2).values


@MODELS.register("dgcnn_paper")
class DGCNNPaper(nn.Module):
    """Classification: [B, P, 3] -> [B, K]. Segmentation: [B, P, 3] -> [B, P, K]."""

    def __init__(
        self,
        num_classes: int,
        task: str = "classification",
        k: int = 20,
        embedding: int = 1024,
        dropout: float = 0.5,
    ):
        super().__init__()
        self.task, self.k = task, k
        if task == "classification":
            blocks = [(3, (64,)), (64, (64,)), (64, (128,)), (128, (256,))]
        else:
            blocks = [(3, (64, 64)), (64, (64, 64)), (64, (64,))]
        self.edge_convs = nn.ModuleList(EdgeConvBlock(i, widths) for i, widths in blocks)
        local = sum(widths[-1] for _, widths in blocks)
        self.embed = mlp([local, embedding], bias=False, slope=SLOPE)
        if task == "classification":
            self.head = nn.Sequential(
                mlp([2 * embedding, 512], bias=False, slope=SLOPE),
                nn.Dropout(dropout),
                mlp([512, 256], bias=True, slope=SLOPE),
                nn.Dropout(dropout),
                nn.Linear(256, num_classes),
            )
        else:
            self.head = nn.Sequential(
                mlp([embedding + local, 512, 256], bias=False, slope=SLOPE),
                nn.Dropout(dropout),
                nn.Linear(256, num_classes, bias=False),
            )

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        k = min(self.k, points.shape[1])
        features, x = [], points
        for edge_conv in self.edge_convs:
            x = edge_conv(x, knn(x, k))  # the graph rebuilt in the current feature space
            features.append(x)
        local = torch.cat(features, dim=-1)
        embedded = self.embed(local)
        if self.task == "classification":
            pooled = torch.cat([embedded.max(dim=1).values, embedded.mean(dim=1)], dim=-1)
            return self.head(pooled)
        pooled = embedded.max(dim=1).values.unsqueeze(1).expand(-1, points.shape[1], -1)
        return self.head(torch.cat([pooled, local], dim=-1))
