"""The basic residual block of ResNet-18/34 (He et al., 2016)."""

from __future__ import annotations

import torch
from torch import nn

from . import BLOCKS
from .layers import make_act, make_norm


@BLOCKS.register("residual")
class ResidualBlock(nn.Module):
    """act(x + norm(conv(act(norm(conv(x)))))), with a 1x1 projection when the shape changes."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int | None = None,
        stride: int = 1,
        norm: str = "batch",
        act: str = "relu",
    ):
        super().__init__()
        out_channels = out_channels or in_channels
        bias = norm == "none"
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=bias)
        self.norm1 = make_norm(norm, out_channels)
        self.act1 = make_act(act)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=bias)
        self.norm2 = make_norm(norm, out_channels)
        self.act2 = make_act(act)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=bias),
                make_norm(norm, out_channels),
            )
        self.out_channels = out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act1(self.norm1(self.conv1(x)))
        y = self.norm2(self.conv2(y))
        return self.act2(y + self.shortcut(x))
