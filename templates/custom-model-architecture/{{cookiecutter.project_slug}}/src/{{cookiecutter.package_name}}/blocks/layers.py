"""Normalisation and activation choices shared by every block (a variant picks them by name)."""

from __future__ import annotations

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "hardswish": nn.Hardswish,
    "none": nn.Identity,
}
NORMS = ("batch", "group", "layer", "none")


class ChannelLayerNorm(nn.LayerNorm):
    """LayerNorm over the channels of each pixel of a (B, C, H, W) map (as in ConvNeXt)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def make_norm(kind: str, channels: int) -> nn.Module:
    """Normalisation layer for a (B, C, H, W) map: batch | group | layer | none."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "group":
        # 8 channels per group, the usual choice when batches are too small for BatchNorm.
        return nn.GroupNorm(max(1, channels // 8), channels)
    if kind == "layer":
        return ChannelLayerNorm(channels)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}; choose one of {', '.join(NORMS)}")


def make_act(kind: str) -> nn.Module:
    """Activation layer by name: relu | gelu | silu | hardswish | none."""
    if kind not in ACTIVATIONS:
        raise ValueError(f"unknown act {kind!r}; choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[kind]()
