"""Parameter-free downsampling: max or average pooling."""

from __future__ import annotations

from torch import nn

from . import BLOCKS


@BLOCKS.register("pool")
class Pool(nn.Module):
    """Max or average pooling with a square window; halves H and W by default."""

    def __init__(self, in_channels: int, kind: str = "max", kernel_size: int = 2, stride: int = 2):
        super().__init__()
        if kind not in ("max", "avg"):
            raise ValueError(f"unknown pool kind {kind!r}; choose max or avg")
        pool = nn.MaxPool2d if kind == "max" else nn.AvgPool2d
        self.pool = pool(kernel_size, stride)
        self.out_channels = in_channels

    def forward(self, x):
        return self.pool(x)
