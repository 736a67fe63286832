"""Learned absolute position embedding (as in ViT): attention alone is blind to token order."""

from __future__ import annotations

import torch
from torch import nn

from . import BLOCKS


@BLOCKS.register("pos_embed")
class PositionEmbedding(nn.Module):
    """Adds a learned (C, H, W) tensor to the feature map; keeps the shape."""

    def __init__(self, in_channels: int, in_size: tuple[int, int]):
        super().__init__()
        self.embedding = nn.Parameter(torch.zeros(1, in_channels, *in_size))
        nn.init.trunc_normal_(self.embedding, std=0.02)
        self.out_channels = in_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.embedding
