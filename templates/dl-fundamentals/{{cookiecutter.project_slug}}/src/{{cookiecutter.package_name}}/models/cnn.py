"""A small convolutional network: conv blocks, then a linear classifier."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..nn import BatchNorm, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential
from . import CLASSIFIER_GAIN, IMAGE_SIZE, MODELS, NUM_CLASSES


@MODELS.register("cnn")
class SmallCNN(Module):
    """[Conv3x3, BatchNorm, ReLU, MaxPool2] per entry of `channels`, then Dropout, Linear."""

    def __init__(
        self, rng: np.random.Generator, channels: tuple[int, ...] = (16, 32), dropout: float = 0.1
    ):
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
