"""The CIFAR-10 networks of He et al. (2016, Section 4.2): a 3x3 convolution, three stages of
`n` two-layer units with 16, 32 and 64 channels (stride 2 between stages), global average
pooling and a linear classifier: 6n + 2 layers. ``residual: false`` gives the "plain"
counterpart with the same layers; shortcuts that change shape use a 1x1 projection (the
paper's option B)."""

from __future__ import annotations

import torch
from torch import nn

from . import MODELS, init_weights


def _norm(channels: int, batch_norm: bool) -> nn.Module:
    return nn.BatchNorm2d(channels) if batch_norm else nn.Identity()


class Unit(nn.Module):
    """conv-BN-ReLU, conv-BN, (+ shortcut), ReLU."""

    def __init__(self, cin: int, cout: int, stride: int, residual: bool, batch_norm: bool):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=not batch_norm),
            _norm(cout, batch_norm),
            nn.ReLU(),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=not batch_norm),
            _norm(cout, batch_norm),
        )
        self.residual = residual
        self.shortcut: nn.Module = nn.Identity()
        if residual and (stride != 1 or cin != cout):
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=not batch_norm), _norm(cout, batch_norm)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return torch.relu(out + self.shortcut(x) if self.residual else out)


@MODELS.register("convnet")
class ConvNet(nn.Module):
    """6n + 2 layers (n = `units_per_stage`): 20, 32, 44, 56 for n = 3, 5, 7, 9."""

    def __init__(
        self,
        input_shape: tuple[int, ...],
        num_classes: int,
        units_per_stage: int = 3,
        width: int = 16,
        residual: bool = True,
        batch_norm: bool = True,
        init: str = "he",
    ):
        super().__init__()
        channels = input_shape[0]
        widths = (width, 2 * width, 4 * width)
        self.stem = nn.Sequential(
            nn.Conv2d(channels, width, 3, 1, 1, bias=not batch_norm),
            _norm(width, batch_norm),
            nn.ReLU(),
        )
        units, cin = [], width
        for stage, cout in enumerate(widths):
            for index in range(units_per_stage):
                stride = 2 if stage > 0 and index == 0 else 1
                units.append(Unit(cin, cout, stride, residual, batch_norm))
                cin = cout
        self.stages = nn.Sequential(*units)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, num_classes)
        )
        init_weights(self, init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stages(self.stem(x)))
