"""Convolution -> normalisation -> activation: the layer of a plain CNN."""

from __future__ import annotations

from torch import nn

from . import BLOCKS
from .layers import make_act, make_norm


@BLOCKS.register("conv")
class ConvBlock(nn.Sequential):
    """Conv2d, then norm and act. `padding` defaults to "same" for odd kernels."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int | None = None,
        kernel_size: int = 3,
        stride: int = 1,
        padding: int | None = None,
        norm: str = "batch",
        act: str = "relu",
    ):
        out_channels = out_channels or in_channels
        padding = kernel_size // 2 if padding is None else padding
        super().__init__(
            # A bias before a normalisation layer is cancelled by its mean subtraction.
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, bias=norm == "none"),
            make_norm(norm, out_channels),
            make_act(act),
        )
        self.out_channels = out_channels
