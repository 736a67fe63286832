"""The three models trained on digits: an MLP, a small CNN and a tiny transformer.

Each has a PyTorch twin in torch_reference.py with the same layer names, so
weights copy across and both engines start from the same point.
"""

from __future__ import annotations

import numpy as np

from .autograd import Tensor
from .nn import (
    BatchNorm,
    Conv2d,
    Dropout,
    Flatten,
    LayerNorm,
    Linear,
    MaxPool2d,
    Module,
    Parameter,
    ReLU,
    Sequential,
    TransformerBlock,
)

IMAGE_SIZE = 8  # digits are 8x8 grey images
NUM_CLASSES = 10
CLASSIFIER_GAIN = 0.1  # small initial logits: the first loss is close to log(10)


class MLP(Module):
    """Flattened pixels -> [Linear, ReLU, Dropout] x len(hidden) -> Linear."""

    def __init__(self, hidden: list[int], dropout: float, rng: np.random.Generator):
        layers, width = [], IMAGE_SIZE * IMAGE_SIZE
        for size in hidden:
            layers += [Linear(width, size, rng), ReLU(), Dropout(dropout, rng)]
            width = size
        layers.append(Linear(width, NUM_CLASSES, rng, gain=CLASSIFIER_GAIN))
        self.net = Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.reshape(len(x), -1))


class SmallCNN(Module):
    """[Conv3x3, BatchNorm, ReLU, MaxPool2] per entry of `channels`, then Dropout, Linear."""

    def __init__(self, channels: list[int], dropout: float, rng: np.random.Generator):
        layers, in_channels, size = [], 1, IMAGE_SIZE
        for out_channels in channels:
            # No conv bias: the BatchNorm right after it would cancel it.
            layers += [
                Conv2d(in_channels, out_channels, 3, rng, padding=1, bias=False),
                BatchNorm(out_channels),
                ReLU(),
                MaxPool2d(2),
            ]
            in_channels, size = out_channels, size // 2
        self.features = Sequential(*layers)
        self.classifier = Sequential(
            Flatten(),
            Dropout(dropout, rng),
            Linear(in_channels * size * size, NUM_CLASSES, rng, gain=CLASSIFIER_GAIN),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x.reshape(len(x), 1, IMAGE_SIZE, IMAGE_SIZE)))


class AttentionClassifier(Module):
    """Each image row is a token (8 tokens of 8 pixels): embed, transformer blocks, mean-pool."""

    def __init__(self, dim: int, heads: int, depth: int, rng: np.random.Generator):
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


def build_model(cfg: dict) -> Module:
    """The model named by cfg["model"], initialised from cfg["seed"]."""
    rng = np.random.default_rng(cfg["seed"])
    kind = cfg["model"]
    if kind == "mlp":
        return MLP(cfg["hidden"], cfg["dropout"], rng)
    if kind == "cnn":
        return SmallCNN(cfg["channels"], cfg["dropout"], rng)
    if kind == "attention":
        return AttentionClassifier(cfg["dim"], cfg["heads"], cfg["depth"], rng)
    raise ValueError(f"unknown model {kind!r}: choose mlp, cnn or attention")
