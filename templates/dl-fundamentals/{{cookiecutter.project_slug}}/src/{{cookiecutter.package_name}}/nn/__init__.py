"""Layers and models on the NumPy autograd engine, named like their PyTorch twins."""

from .attention import SelfAttention, TransformerBlock
from .layers import (
    GELU,
    BatchNorm,
    Conv2d,
    Dropout,
    Flatten,
    LayerNorm,
    Linear,
    MaxPool2d,
    ReLU,
)
from .module import Module, Parameter, Sequential

__all__ = [
    "GELU",
    "BatchNorm",
    "Conv2d",
    "Dropout",
    "Flatten",
    "LayerNorm",
    "Linear",
    "MaxPool2d",
    "Module",
    "Parameter",
    "ReLU",
    "SelfAttention",
    "Sequential",
    "TransformerBlock",
]
