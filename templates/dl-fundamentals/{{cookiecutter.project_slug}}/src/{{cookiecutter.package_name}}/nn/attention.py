"""A pre-norm transformer block: multi-head self-attention and a GELU MLP, with residuals."""

from __future__ import annotations

import numpy as np

from ..autograd import ShapeError, Tensor
from ..exercises import scaled_dot_product_attention
from .layers import GELU, LayerNorm, Linear
from .module import Module, Sequential


class SelfAttention(Module):
    """Multi-head self-attention over (N, T, dim) tokens, one fused q/k/v projection."""

    def __init__(self, dim: int, heads: int, rng: np.random.Generator, causal: bool = False):
        if dim % heads:
            raise ShapeError(f"SelfAttention: dim {dim} is not divisible by heads {heads}")
        self.heads, self.causal = heads, causal
        self.qkv = Linear(dim, 3 * dim, rng, gain=1.0)
        self.proj = Linear(dim, dim, rng, gain=1.0)

    def forward(self, x: Tensor) -> Tensor:
        n, t, dim = x.shape
        # (N, T, 3*dim) -> (3, N, heads, T, head_dim)
        qkv = self.qkv(x).reshape(n, t, 3, self.heads, dim // self.heads).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        mixed = scaled_dot_product_attention(q, k, v, causal=self.causal)
        return self.proj(mixed.transpose(0, 2, 1, 3).reshape(n, t, dim))


class TransformerBlock(Module):
    """x + attention(norm(x)), then x + mlp(norm(x)) (the pre-norm layout of GPT-2)."""

    def __init__(self, dim: int, heads: int, rng: np.random.Generator, mlp_ratio: int = 2):
        self.norm1 = LayerNorm(dim)
        self.attn = SelfAttention(dim, heads, rng)
        self.norm2 = LayerNorm(dim)
        self.mlp = Sequential(
            Linear(dim, mlp_ratio * dim, rng), GELU(), Linear(mlp_ratio * dim, dim, rng, gain=1.0)
        )

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))
