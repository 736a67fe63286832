"""YOUR DETECTOR. This file is yours: put your own architecture here.

The default below works (the tests train it), so you can start from a green test suite:
CenterNet heads on a backbone of residual depthwise-separable blocks (MobileNet-style) with
a dilated context block at the coarsest level. Keep the contract of ``models/__init__.py``
(a dict of heads at ``stride``) and run it with

    make train ARGS="model.name=my_detector"

Ideas to try: an FCOS-style head (per-cell distances to the four box sides plus
centre-ness), deformable or attention blocks, a larger receptive field for the big cars,
feature fusion across two frames for the tracker.
"""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS
from .layers import CenterHeads, ConvBNReLU, TopDownNeck


class SeparableResidual(nn.Module):
    """x + pointwise(depthwise(x)): a cheap 3x3 block (dilation widens its view)."""

    def __init__(self, width: int, dilation: int = 1):
        super().__init__()
        self.depthwise = nn.Sequential(
            nn.Conv2d(width, width, 3, padding=dilation, dilation=dilation, groups=width,
                      bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        )  # fmt: skip
        self.pointwise = nn.Sequential(
            nn.Conv2d(width, width, 1, bias=False), nn.BatchNorm2d(width)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.pointwise(self.depthwise(x)))


@MODELS.register("my_detector")
class MyDetector(nn.Module):
    stride = 4

    def __init__(
        self,
        num_classes: int,
        widths: tuple[int, ...] = (16, 32, 48, 64),
        blocks: int = 2,
        head_width: int = 32,
        embedding_dim: int = 16,
    ):
        super().__init__()
        widths = list(widths)
        self.embedding_dim = embedding_dim
        self.stem = ConvBNReLU(3, widths[0], stride=2)
        self.stages = nn.ModuleList()
        for index, (cin, cout) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            last = index == len(widths) - 2
            layers = [ConvBNReLU(cin, cout, stride=2)]
            layers += [SeparableResidual(cout, dilation=2 if last else 1) for _ in range(blocks)]
            self.stages.append(nn.Sequential(*layers))
        self.neck = TopDownNeck(widths[1:])
        self.heads = CenterHeads(widths[1], num_classes, head_width, embedding_dim)

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        x = self.stem(images)
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return self.heads(self.neck(features))
