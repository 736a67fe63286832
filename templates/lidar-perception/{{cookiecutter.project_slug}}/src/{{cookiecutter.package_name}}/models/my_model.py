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
from .pillar_net import CenterHead, conv
from .pillars import PillarEncoder


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
class MyDetector(nn.Module):
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
        super().__init__()
        widths, blocks = tuple(widths), tuple(blocks)
        self.grid = grid
        self.pillars = PillarEncoder(grid, pillar_channels)
        stages, ups, cin = [], [], self.pillars.out_channels
        for i, (width, count) in enumerate(zip(widths, blocks, strict=True)):
            stages.append(ResidualStage(cin, width, grid.stride if i == 0 else 2, count))
            scale = 2**i
            ups.append(nn.Sequential(
                nn.ConvTranspose2d(width, neck_width, scale, stride=scale, bias=False),
                nn.BatchNorm2d(neck_width), nn.ReLU(inplace=True)))  # fmt: skip
            cin = width
        self.stages, self.ups = nn.ModuleList(stages), nn.ModuleList(ups)
        self.head = CenterHead(neck_width * len(widths), num_classes, head_width)

    def bev(self, pseudo_image: torch.Tensor) -> dict:
        x, levels = pseudo_image, []
        for stage, up in zip(self.stages, self.ups, strict=True):
            x = stage(x)
            # Cropped to the first level: grids not divisible by 8 round up in deeper stages.
            levels.append(
                up(x) if not levels else up(x)[..., : levels[0].shape[-2], : levels[0].shape[-1]]
            )
        return self.head(torch.cat(levels, dim=1))

    def forward(self, points: torch.Tensor) -> dict:
        return self.bev(self.pillars(points).contiguous(memory_format=torch.channels_last))
