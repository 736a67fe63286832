"""The baseline detector: pillars (PointPillars) -> a 2D backbone with a multi-scale neck
-> CenterPoint's head (class heatmaps, centre offset, z, log size, sin / cos of twice the
yaw, a direction bit).

``forward(points)`` returns the head outputs; ``bev(pseudo_image)`` is the part after the
pillar scatter, which is what ``make export`` writes to ONNX.
"""

from __future__ import annotations

import torch
from torch import nn

from ..bev.grid import BevGrid
from ..bev.targets import REGRESSION
from . import MODELS
from .pillars import PillarEncoder


def conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class CenterHead(nn.Module):
    """One shared 3x3 trunk, then 1x1 heads. The heatmap bias starts at -2.19 (a prior of
    0.1), as CenterNet does, so the focal loss does not start out flooded by negatives."""

    def __init__(self, cin: int, num_classes: int, width: int):
        super().__init__()
        self.trunk = conv(cin, width)
        self.heatmap = nn.Conv2d(width, num_classes, 1)
        self.regression = nn.Conv2d(width, len(REGRESSION), 1)
        self.direction = nn.Conv2d(width, 1, 1)
        nn.init.constant_(self.heatmap.bias, -2.19)

    def forward(self, features: torch.Tensor) -> dict:
        trunk = self.trunk(features)
        return {
            "heatmap": self.heatmap(trunk),
            "regression": self.regression(trunk),
            "direction": self.direction(trunk),
        }


@MODELS.register("pillar_centerpoint")
class PillarCenterNet(nn.Module):
    """Backbone stages at output strides 1, 2, 4 (relative to the head's grid), each upsampled
    back and concatenated (PointPillars' neck), then the head."""

    def __init__(
        self,
        num_classes: int,
        grid: BevGrid,
        pillar_channels: int = 16,
        widths: tuple[int, ...] = (32, 48, 64),
        blocks: tuple[int, ...] = (1, 2, 2),
        neck_width: int = 32,
        head_width: int = 32,
    ):
        super().__init__()
        widths, blocks = tuple(widths), tuple(blocks)  # YAML gives lists
        self.grid = grid
        self.num_classes = num_classes
        self.pillars = PillarEncoder(grid, pillar_channels)
        stages, ups = [], []
        cin = self.pillars.out_channels
        for i, (width, count) in enumerate(zip(widths, blocks, strict=True)):
            stages.append(self.make_stage(cin, width, grid.stride if i == 0 else 2, count))
            scale = 2**i
            up = nn.ConvTranspose2d(width, neck_width, scale, stride=scale, bias=False)
            ups.append(nn.Sequential(up, nn.BatchNorm2d(neck_width), nn.ReLU(inplace=True)))
            cin = width
        self.stages, self.ups = nn.ModuleList(stages), nn.ModuleList(ups)
        self.head = CenterHead(neck_width * len(widths), num_classes, head_width)

    def make_stage(self, cin: int, width: int, stride: int, count: int) -> nn.Module:
        """One backbone stage: a strided 3x3 convolution, then `count` more (a subclass
        changes the backbone by overriding this: models/my_model.py)."""
        layers = [conv(cin, width, stride)] + [conv(width, width) for _ in range(count)]
        return nn.Sequential(*layers)

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
        # Channels-last convolutions run about 1.4x faster on CPUs (and suit GPU autocast).
        return self.bev(self.pillars(points).contiguous(memory_format=torch.channels_last))
