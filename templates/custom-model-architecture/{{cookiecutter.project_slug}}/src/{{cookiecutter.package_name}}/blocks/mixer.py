"""MLP-Mixer block (Tolstikhin et al., 2021): mix information across tokens with an MLP
instead of attention, then across channels with a second MLP."""

from __future__ import annotations

import torch
from torch import nn

from . import BLOCKS
from .layers import make_act


@BLOCKS.register("mixer")
class MixerBlock(nn.Module):
    """Token-mixing MLP (across the H*W positions) + channel-mixing MLP; keeps the shape.

    The token MLP has one weight per pair of positions, so the block is tied to its input size.
    """

    def __init__(
        self,
        in_channels: int,
        in_size: tuple[int, int],
        token_ratio: float = 2.0,
        channel_ratio: float = 2.0,
        act: str = "gelu",
    ):
        super().__init__()
        tokens = in_size[0] * in_size[1]
        self.norm1 = nn.LayerNorm(in_channels)
        self.token_mlp = nn.Sequential(
            nn.Linear(tokens, int(tokens * token_ratio)),
            make_act(act),
            nn.Linear(int(tokens * token_ratio), tokens),
        )
        self.norm2 = nn.LayerNorm(in_channels)
        self.channel_mlp = nn.Sequential(
            nn.Linear(in_channels, int(in_channels * channel_ratio)),
            make_act(act),
            nn.Linear(int(in_channels * channel_ratio), in_channels),
        )
        self.out_channels = in_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, channels, height, width = x.shape
        tokens = x.flatten(2).transpose(1, 2)  # (B, N, C)
        # Token mixing acts along N, so transpose to put the tokens last for the Linear layers.
        tokens = tokens + self.token_mlp(self.norm1(tokens).transpose(1, 2)).transpose(1, 2)
        tokens = tokens + self.channel_mlp(self.norm2(tokens))
        return tokens.transpose(1, 2).reshape(batch, channels, height, width)
