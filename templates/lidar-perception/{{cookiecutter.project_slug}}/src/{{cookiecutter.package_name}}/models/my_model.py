"""Your own detector: one file and one config line (``model: {name: my_model}``).

The working default is the baseline with residual blocks in its backbone (``x + f(x)``
after each downsampling), so there is something to compare against from the first run.
Replace ``ResidualStage`` (or the whole class) with your idea; keep the contract of
``models/__init__.py``: ``forward(points)`` -> the head's dict, ``bev(pseudo_image)`` for
export, attributes ``grid`` and ``pillars``. The model tests run on it as on every model.
"""

from __future__ import annotations

import torch
from torch import nn

from ..bev.grid import BevGrid
from . import MODELS
from .pillar_net import PillarCenterNet, conv


class ResidualStage(nn.Module):
    """Downsample, then `blocks` residual 3x3 pairs."""

    def __init__(self, cin: int, cout: int, stride: int, blocks: int):
        super().__init__()
        self.down = conv(cin, cout, stride)
        self.blocks = nn.ModuleList(
            nn.Sequential(conv(cout, cout), nn.Conv2d(cout, cout, 3, padding=1, bias=False),
                          nn.BatchNorm2d(cout))
            for _ in range(blocks)
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.down(x)
        for block in self.blocks:
            x = torch.relu(x + block(x))
        return x


@MODELS.register("my_model")
class MyDetector(PillarCenterNet):
    """The baseline's pillars, neck and head around residual backbone stages."""

    def __init__(
        self,
        num_classes: int,
        grid: BevGrid,
        pillar_channels: int = 16,
        widths: tuple[int, ...] = (32, 48, 64),
        blocks: tuple[int, ...] = (1, 1, 1),
        neck_width: int = 16,
        head_width: int = 32,
    ):
        super().__init__(num_classes, grid, pillar_channels, widths, blocks, neck_width, head_width)

    def make_stage(self, cin: int, width: int, stride: int, count: int) -> nn.Module:
        return ResidualStage(cin, width, stride, count)
