"""The baseline: a small CenterNet ("Objects as Points", Zhou et al., 2019).

A plain conv backbone down to 1/16, a top-down neck back to 1/4, and the heatmap, size,
offset and embedding heads at 1/4 (stride 4). About 85k parameters at the default widths,
which ``configs/quick.yaml`` uses (84,815 with its three classes): big enough for the
synthetic street, small enough to train on a laptop CPU in a minute.
"""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS
from .layers import CenterHeads, ConvBNReLU, TopDownNeck


@MODELS.register("centernet")
class CenterNet(nn.Module):
    """CenterNet with a plain backbone of stride-2 stages (widths: one per stage)."""

    stride = 4

    def __init__(
        self,
        num_classes: int,
        widths: tuple[int, ...] = (16, 24, 32, 48),
        head_width: int = 32,
        embedding_dim: int = 16,
    ):
        super().__init__()
        widths = list(widths)
        if len(widths) < 3:
            raise ValueError("centernet needs at least 3 widths: stem, stride 4, stride 8")
        self.embedding_dim = embedding_dim
        self.stem = ConvBNReLU(3, widths[0], stride=2)  # 1/2
        self.stages = nn.ModuleList(
            nn.Sequential(ConvBNReLU(cin, cout, stride=2), ConvBNReLU(cout, cout))
            for cin, cout in zip(widths[:-1], widths[1:], strict=True)
        )  # 1/4, 1/8, ...
        self.neck = TopDownNeck(widths[1:])
        self.heads = CenterHeads(widths[1], num_classes, head_width, embedding_dim)

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        x = self.stem(images)
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return self.heads(self.neck(features))
