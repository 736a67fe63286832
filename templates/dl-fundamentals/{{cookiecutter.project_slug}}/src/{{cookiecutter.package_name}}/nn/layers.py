"""Layers on the autograd engine: Linear, Conv2d, BatchNorm, LayerNorm, activations, pooling."""

from __future__ import annotations

import numpy as np

from ..autograd import ShapeError, Tensor
from ..autograd import functional as F
from . import init
from .module import Module, Parameter


class Linear(Module):
    """y = x @ weight.T + bias; weight (out_features, in_features) as in PyTorch."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        rng: np.random.Generator,
        bias: bool = True,
        gain: float = init.RELU_GAIN,
    ):
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(init.normal((out_features, in_features), gain, rng))
        self.bias = Parameter(np.zeros(out_features, np.float32)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1] != self.in_features:
            raise ShapeError(
                f"Linear({self.in_features} -> {self.out_features}) got input of shape "
                f"{x.shape}: its last dimension must be {self.in_features}"
            )
        out = x @ self.weight.T
        return out + self.bias if self.bias is not None else out


class Conv2d(Module):
    """2-D convolution, weight (out_channels, in_channels, k, k); square kernels."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        rng: np.random.Generator,
        stride: int = 1,
        padding: int = 0,
        bias: bool = True,
        gain: float = init.RELU_GAIN,
    ):
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.stride, self.padding = stride, padding
        self.weight = Parameter(init.normal(shape, gain, rng))
        self.bias = Parameter(np.zeros(out_channels, np.float32)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)


class BatchNorm(Module):
    """Batch normalisation of (N, C) or (N, C, H, W) inputs (BatchNorm1d/2d in PyTorch)."""

    _buffer_names = ("running_mean", "running_var")

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5):
        self.momentum, self.eps = momentum, eps
        self.weight = Parameter(np.ones(num_features, np.float32))
        self.bias = Parameter(np.zeros(num_features, np.float32))
        self.running_mean = np.zeros(num_features, np.float32)
        self.running_var = np.ones(num_features, np.float32)

    def forward(self, x: Tensor) -> Tensor:
        return F.batch_norm(
            x,
            self.weight,
            self.bias,
            self.running_mean,
            self.running_var,
            self.training,
            self.momentum,
            self.eps,
        )


class LayerNorm(Module):
    """Normalise each sample over its last dimension (size `features`)."""

    def __init__(self, features: int, eps: float = 1e-5):
        self.eps = eps
        self.weight = Parameter(np.ones(features, np.float32))
        self.bias = Parameter(np.zeros(features, np.float32))

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.weight, self.bias, self.eps)


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class GELU(Module):
    """GELU, tanh approximation."""

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x)


class Dropout(Module):
    """Inverted dropout; its own seeded generator keeps runs reproducible."""

    def __init__(self, p: float, rng: np.random.Generator):
        self.p, self.rng = p, rng

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, self.rng)


class MaxPool2d(Module):
    def __init__(self, kernel_size: int, stride: int | None = None):
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride)


class Flatten(Module):
    """(N, ...) -> (N, everything else)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(1)
