"""Squeeze-and-excitation (Hu et al., 2018): reweight channels by a gate computed from the
whole image, so a local layer can use global context for the price of two tiny linear layers."""

from __future__ import annotations

import torch
from torch import nn

from . import BLOCKS
from .layers import make_act


@BLOCKS.register("se")
class SqueezeExcite(nn.Module):
    """x * sigmoid(W2 act(W1 mean_hw(x))); keeps the shape of x."""

    def __init__(self, in_channels: int, reduction: int = 4, act: str = "relu"):
        super().__init__()
        hidden = max(8, in_channels // reduction)
        self.squeeze = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(in_channels, hidden, 1)
        self.act = make_act(act)
        self.fc2 = nn.Conv2d(hidden, in_channels, 1)
        self.out_channels = in_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = torch.sigmoid(self.fc2(self.act(self.fc1(self.squeeze(x)))))
        return x * gate
