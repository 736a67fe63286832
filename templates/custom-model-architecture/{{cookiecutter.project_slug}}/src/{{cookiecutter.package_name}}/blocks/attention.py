"""Transformer encoder block (Vaswani et al., 2017; ViT, Dosovitskiy et al., 2021) on a feature map.

Each pixel of the (B, C, H, W) map is a token of width C. Pre-norm residual form:
x = x + Attention(LN(x)); x = x + MLP(LN(x)).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from . import BLOCKS
from .layers import make_act


class MultiHeadSelfAttention(nn.Module):
    """Scaled dot-product self-attention over tokens (B, N, C) with `heads` heads."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        if dim % heads:
            raise ValueError(f"attention width {dim} is not divisible by heads={heads}")
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, dim = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.heads, dim // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (B, heads, N, C / heads)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(batch, tokens, dim))


@BLOCKS.register("attention")
class TransformerBlock(nn.Module):
    """Self-attention + MLP over the H*W tokens of a feature map; keeps its shape."""

    def __init__(self, in_channels: int, heads: int = 4, mlp_ratio: float = 2.0, act: str = "gelu"):
        super().__init__()
        hidden = int(in_channels * mlp_ratio)
        self.norm1 = nn.LayerNorm(in_channels)
        self.attn = MultiHeadSelfAttention(in_channels, heads)
        self.norm2 = nn.LayerNorm(in_channels)
        self.mlp = nn.Sequential(
            nn.Linear(in_channels, hidden), make_act(act), nn.Linear(hidden, in_channels)
        )
        self.out_channels = in_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, channels, height, width = x.shape
        tokens = x.flatten(2).transpose(1, 2)  # (B, H*W, C)
        tokens = tokens + self.attn(self.norm1(tokens))
        tokens = tokens + self.mlp(self.norm2(tokens))
        return tokens.transpose(1, 2).reshape(batch, channels, height, width)
