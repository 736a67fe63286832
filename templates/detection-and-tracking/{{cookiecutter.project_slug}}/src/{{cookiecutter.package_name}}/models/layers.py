"""Building blocks shared by the detectors: conv-BN-ReLU, a top-down neck, CenterNet heads."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class ConvBNReLU(nn.Sequential):
    """3x3 (or k x k) convolution, batch norm, ReLU."""

    def __init__(self, cin: int, cout: int, stride: int = 1, kernel: int = 3, groups: int = 1):
        super().__init__(
            nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )


class TopDownNeck(nn.Module):
    """Feature-pyramid-style fusion back up to the finest input level: each coarser level is
    projected (1x1), upsampled and added to the next finer one, then smoothed (3x3)."""

    def __init__(self, widths: list[int]):
        super().__init__()
        self.lateral = nn.ModuleList(
            nn.Conv2d(coarse, fine, 1) for fine, coarse in zip(widths[:-1], widths[1:], strict=True)
        )
        self.smooth = nn.ModuleList(ConvBNReLU(w, w) for w in widths[:-1])

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        """features: finest first; returns the fused finest level."""
        x = features[-1]
        for level in range(len(features) - 2, -1, -1):
            fine = features[level]
            up = F.interpolate(self.lateral[level](x), size=fine.shape[-2:], mode="nearest")
            x = self.smooth[level](fine + up)
        return x


class CenterHeads(nn.Module):
    """CenterNet's heads on one feature map: a shared 3x3 conv trunk, then one 1x1 output
    per head (separate 3x3 trunks per head, as in CenterNet, cost 4x the compute here)."""

    def __init__(self, cin: int, num_classes: int, width: int, embedding_dim: int):
        super().__init__()
        self.trunk = ConvBNReLU(cin, width)
        self.heatmap = nn.Conv2d(width, num_classes, 1)
        self.size = nn.Conv2d(width, 2, 1)
        self.offset = nn.Conv2d(width, 2, 1)
        self.embedding = nn.Conv2d(width, embedding_dim, 1)
        # Start every cell at probability 0.1 (CenterNet): the focal loss is stable from step 1.
        nn.init.constant_(self.heatmap.bias, -math.log((1 - 0.1) / 0.1))

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        x = self.trunk(x)
        return {
            "heatmap": self.heatmap(x),
            "size": self.size(x),
            "offset": self.offset(x),
            "embedding": self.embedding(x),
        }
