"""A multilayer perceptron whose depth, shortcuts and normalisation are options, so one model
answers the plain-vs-residual (He et al., 2016) and with-vs-without-BN (Ioffe and Szegedy, 2015)
questions at equal parameter counts."""

from __future__ import annotations

import math

import torch
from torch import nn

from . import MODELS, init_weights


class HiddenLayer(nn.Module):
    """Linear, optional BatchNorm, ReLU; with ``residual`` the input is added before the ReLU
    (a one-layer residual unit: y = relu(BN(W x) + x)), which adds no parameter."""

    def __init__(self, width: int, residual: bool, batch_norm: bool):
        super().__init__()
        self.linear = nn.Linear(width, width, bias=not batch_norm)
        self.norm = nn.BatchNorm1d(width) if batch_norm else nn.Identity()
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.norm(self.linear(x))
        return torch.relu(out + x if self.residual else out)


@MODELS.register("mlp")
class MLP(nn.Module):
    """Flatten, `depth` hidden layers of `width` units (the first maps the input to `width`,
    the next `depth - 1` may carry shortcuts), then a linear classifier."""

    def __init__(
        self,
        input_shape: tuple[int, ...],
        num_classes: int,
        depth: int = 3,
        width: int = 64,
        residual: bool = False,
        batch_norm: bool = False,
        init: str = "he",
    ):
        super().__init__()
        if depth < 1 or width < 1:
            raise ValueError("model.depth and model.width must be at least 1")
        self.stem = nn.Sequential(
            nn.Flatten(),
            nn.Linear(math.prod(input_shape), width, bias=not batch_norm),
            nn.BatchNorm1d(width) if batch_norm else nn.Identity(),
            nn.ReLU(),
        )
        self.hidden = nn.Sequential(
            *(HiddenLayer(width, residual, batch_norm) for _ in range(depth - 1))
        )
        self.head = nn.Linear(width, num_classes)
        init_weights(self, init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.hidden(self.stem(x)))
