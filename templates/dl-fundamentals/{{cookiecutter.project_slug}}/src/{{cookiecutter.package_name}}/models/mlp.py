"""A multi-layer perceptron on the flattened pixels."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..nn import Dropout, Linear, Module, ReLU, Sequential
from . import CLASSIFIER_GAIN, IMAGE_SIZE, MODELS, NUM_CLASSES


@MODELS.register("mlp")
class MLP(Module):
    """Flattened pixels -> [Linear, ReLU, Dropout] x len(hidden) -> Linear."""

    def __init__(
        self, rng: np.random.Generator, hidden: tuple[int, ...] = (128, 64), dropout: float = 0.1
    ):
        layers, width = [], IMAGE_SIZE * IMAGE_SIZE
        for size in hidden:
            layers += [Linear(width, size, rng), ReLU(), Dropout(dropout, rng)]
            width = size
        layers.append(Linear(width, NUM_CLASSES, rng, gain=CLASSIFIER_GAIN))
        self.net = Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.reshape(len(x), -1))
