"""YOUR MODEL: the paper you reproduce proposes a model; write it here.

The default below is a working small convolutional network, so `model.name=my_model` trains
from the first minute. Replace its body with the paper's architecture, keep the constructor's
two context arguments (`input_shape`, `num_classes`), and expose every hyperparameter the paper
states as a keyword option: a claim file can then set it (`set: {model.name: my_model,
model.channels: 64}`) and the deviations log can say where your value differs from the paper's.
The model tests (tests/test_models.py) run on it automatically.
"""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS, init_weights


@MODELS.register("my_model")
class MyModel(nn.Module):
    """Two conv-BN-ReLU layers, a 2x2 max-pool, global average pooling, a linear classifier."""

    def __init__(
        self,
        input_shape: tuple[int, ...],
        num_classes: int,
        channels: int = 32,
        dropout: float = 0.0,
        init: str = "he",
    ):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(input_shape[0], channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(channels, num_classes),
        )
        init_weights(self, init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))
