"""Building blocks shared by the models: shared per-point MLPs and kNN on point sets.

Tensors are channels-last, ``[batch, points, channels]``: a per-point layer is then a plain
``nn.Linear``, neighbour gathering is one indexing op, and the ONNX graph stays simple.
"""

from __future__ import annotations

import torch
from torch import nn


class PointwiseBlock(nn.Module):
    """Linear -> BatchNorm -> activation applied to every point (or edge) independently.

    ``bias``: a bias before the BatchNorm does nothing the BatchNorm's own shift cannot, so
    the compact models leave it out; the faithful models keep it, as the reference
    implementations' 1x1 convolutions do, so their parameter counts match."""

    def __init__(self, in_channels: int, out_channels: int, slope: float = 0.0, bias: bool = False):
        super().__init__()
        self.linear = nn.Linear(in_channels, out_channels, bias=bias)
        self.norm = nn.BatchNorm1d(out_channels)
        self.act = nn.LeakyReLU(slope) if slope else nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(batch_norm_last(self.norm, self.linear(x)))


def batch_norm_last(norm: nn.BatchNorm1d, x: torch.Tensor) -> torch.Tensor:
    """BatchNorm over the last (channel) dimension of a tensor of any rank."""
    return norm(x.reshape(-1, x.shape[-1])).reshape(x.shape)


def mlp(
    channels: list[int], dropout: float = 0.0, bias: bool = False, slope: float = 0.0
) -> nn.Sequential:
    """Pointwise blocks between consecutive widths, e.g. [3, 64, 128] (``PointwiseBlock``)."""
    layers: list[nn.Module] = []
    for c_in, c_out in zip(channels[:-1], channels[1:], strict=True):
        layers.append(PointwiseBlock(c_in, c_out, slope=slope, bias=bias))
        if dropout:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def pairwise_sq_distances(a: torch.Tensor, b: torch.Tensor | None = None) -> torch.Tensor:
    """Squared Euclidean distances [B, P, Q] from every point of ``a`` [B, P, C] to ``b`` [B, Q, C].

    Same numbers as ``torch.cdist(a, b) ** 2`` but one matmul, and it exports to ONNX. Always
    float32, also under bf16 autocast: neighbour ranks need more than bf16's 3 digits.
    """
    b = a if b is None else b
    with torch.autocast(a.device.type, enabled=False):
        a, b = a.float(), b.float()
        return (
            (a * a).sum(-1, keepdim=True) - 2 * a @ b.transpose(1, 2) + (b * b).sum(-1).unsqueeze(1)
        )


def knn(x: torch.Tensor, k: int, queries: torch.Tensor | None = None) -> torch.Tensor:
    """Indices [B, Q, k] of the k nearest points of ``x`` to each query (default: x itself)."""
    queries = x if queries is None else queries
    return pairwise_sq_distances(queries, x).topk(k, dim=-1, largest=False).indices


def gather_neighbours(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Features of the neighbours: x [B, P, C], index [B, Q, k] -> [B, Q, k, C]."""
    batch, queries, k = index.shape
    flat = index.reshape(batch, queries * k, 1).expand(-1, -1, x.shape[-1])
    # torch.gather (backward: scatter-add) measured faster on CPU than advanced indexing.
    return torch.gather(x, 1, flat).reshape(batch, queries, k, x.shape[-1])


def farthest_point_sample(x: torch.Tensor, count: int) -> torch.Tensor:
    """Indices [B, count] of a farthest-point sampling of every set in ``x`` [B, P, C].

    Starts from point 0 and repeatedly adds the point farthest from those chosen so far;
    the usual down-sampling of PointNet++-style models.
    """
    batch, points, _ = x.shape
    chosen = torch.zeros(batch, count, dtype=torch.long, device=x.device)
    nearest = torch.full((batch, points), float("inf"), device=x.device)
    rows = torch.arange(batch, device=x.device)
    current = torch.zeros(batch, dtype=torch.long, device=x.device)
    for step in range(count):
        chosen[:, step] = current
        distance = ((x - x[rows, current].unsqueeze(1)) ** 2).sum(-1)
        nearest = torch.minimum(nearest, distance)
        current = nearest.argmax(-1)
    return chosen
