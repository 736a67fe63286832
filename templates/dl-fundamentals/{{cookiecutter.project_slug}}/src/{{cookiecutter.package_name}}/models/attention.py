"""A tiny transformer over the image rows (milestone 5)."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..nn import LayerNorm, Linear, Module, Parameter, Sequential, TransformerBlock
from . import CLASSIFIER_GAIN, IMAGE_SIZE, MODELS, NUM_CLASSES


@MODELS.register("attention")
class AttentionClassifier(Module):
    """Each image row is a token (8 tokens of 8 pixels): embed, transformer blocks, mean-pool."""

    def __init__(self, rng: np.random.Generator, dim: int = 32, heads: int = 4, depth: int = 1):
        self.embed = Linear(IMAGE_SIZE, dim, rng, gain=1.0)
        self.position = Parameter(
            (0.02 * rng.standard_normal((IMAGE_SIZE, dim))).astype(np.float32)
        )
        self.blocks = Sequential(*[TransformerBlock(dim, heads, rng) for _ in range(depth)])
        self.norm = LayerNorm(dim)
        self.head = Linear(dim, NUM_CLASSES, rng, gain=CLASSIFIER_GAIN)

    def forward(self, x: Tensor) -> Tensor:
        tokens = self.embed(x.reshape(len(x), IMAGE_SIZE, IMAGE_SIZE)) + self.position
        return self.head(self.norm(self.blocks(tokens)).mean(axis=1))
