"""DGCNN (Wang et al., ACM TOG 2019): EdgeConv layers on a k-nearest-neighbour graph.

Each EdgeConv looks at every point's k neighbours and applies a shared layer to the edge
feature ``[x_i, x_j - x_i]``, then max-pools over the neighbours: local geometry that PointNet
cannot see. With ``dynamic_graph`` the graph is rebuilt in feature space at every layer, as in
the paper; without it the xyz graph is reused (faster, and often as good on small inputs).
"""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS
from .layers import batch_norm_last, gather_neighbours, knn, mlp


class EdgeConv(nn.Module):
    """LeakyReLU(BN(max_j W [x_i, x_j - x_i])) over the k neighbours j of each point i.

    Two savings over the paper's layer, same receptive field and edge function:
    the linear layer is split as ``W [x_i, x_j - x_i] = (A - B) x_i + B x_j`` so it runs once
    per point instead of once per edge, and the max over neighbours is taken before the
    normalisation and activation. Both are monotone per channel, so this equals the paper's
    ``max_j LeakyReLU(BN(.))`` whenever the BN scale is positive, with BN statistics taken over
    points rather than edges. Measured on CPU: several times faster than the edge-wise form.
    """

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.centre = nn.Linear(in_channels, out_channels, bias=False)  # A
        self.neighbour = nn.Linear(in_channels, out_channels, bias=False)  # B
        self.norm = nn.BatchNorm1d(out_channels)
        self.act = nn.LeakyReLU(0.2)

    def forward(self, x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        neighbour = self.neighbour(x)
        pooled = gather_neighbours(neighbour, index).max(dim=2).values  # max_j B x_j
        return self.act(batch_norm_last(self.norm, self.centre(x) - neighbour + pooled))


@MODELS.register("dgcnn")
class DGCNN(nn.Module):
    """Classification: [B, P, 3] -> [B, K]. Segmentation: [B, P, 3] -> [B, P, K]."""

    def __init__(
        self,
        num_classes: int,
        task: str = "classification",
        k: int = 16,
        widths: tuple[int, ...] = (64, 64, 128),
        embedding: int = 256,
        head_width: int = 128,
        dropout: float = 0.3,
        dynamic_graph: bool = True,
    ):
        super().__init__()
        self.task, self.k, self.dynamic_graph = task, k, dynamic_graph
        ins = (3, *widths[:-1])
        self.edge_convs = nn.ModuleList(EdgeConv(i, o) for i, o in zip(ins, widths, strict=True))
        self.embed = mlp([sum(widths), embedding])
        if task == "classification":
            self.head = nn.Sequential(
                mlp([2 * embedding, head_width]),
                nn.Dropout(dropout),
                nn.Linear(head_width, num_classes),
            )
        else:
            self.head = nn.Sequential(
                mlp([sum(widths) + 2 * embedding, head_width, head_width // 2]),
                nn.Linear(head_width // 2, num_classes),
            )

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        k = min(self.k, points.shape[1])
        index = knn(points, k)
        features, x = [], points
        for layer, edge_conv in enumerate(self.edge_convs):
            if self.dynamic_graph and layer > 0:
                index = knn(x, k)
            x = edge_conv(x, index)
            features.append(x)
        local = torch.cat(features, dim=-1)
        embedded = self.embed(local)
        pooled = torch.cat([embedded.max(dim=1).values, embedded.mean(dim=1)], dim=-1)
        if self.task == "classification":
            return self.head(pooled)
        expanded = pooled.unsqueeze(1).expand(-1, points.shape[1], -1)
        return self.head(torch.cat([local, expanded], dim=-1))
