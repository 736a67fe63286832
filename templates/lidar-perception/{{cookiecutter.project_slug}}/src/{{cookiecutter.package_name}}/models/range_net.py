"""A range-image segmentation network: a small U-Net over the projected scan.

Input [B, 5, H, W] (range, x, y, z, intensity, normalised), output per-pixel logits
[B, num_classes, H, W]. The encoder downsamples the width more than the height (range images
are wide: 64 x 2048 for KITTI), as RangeNet++ and SalsaNext do; the decoder upsamples back
and merges the encoder's features at each scale (``merge``: concatenated as in a U-Net, or
added after a 1x1 projection as in an FPN). Class 0 (ignore) gets a logit like
the others but is never a target (the loss uses ``ignore_index=0``) and is excluded when
predicting.

Sizes:
* the smoke run, ``widths=(16, 32, 64)``, ``strides=((1, 2), (2, 2))``, ``blocks=1``,
  ``merge="add"``: 0.14 M parameters; at 32 x 512, batch 4, one CPU thread about 0.15 s a
  training step (``merge="concat"``, the U-Net decoder, costs 1.25x that for +0.015 mIoU);
* full, 4.5 M parameters (a SalsaNext-lite for a GPU at 64 x 2048)::

    model: {name: range_unet, widths: [32, 64, 128, 256], strides: [[1, 2], [2, 2], [2, 2]],
            blocks: 2, dropout: 0.2}
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..core.errors import ConfigError
from . import MODELS


def conv_bn_relu(cin: int, cout: int, stride=1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class ResidualBlock(nn.Module):
    """Two 3x3 conv-BN layers with an identity shortcut."""

    def __init__(self, width: int):
        super().__init__()
        self.first = conv_bn_relu(width, width)
        self.second = nn.Sequential(
            nn.Conv2d(width, width, 3, padding=1, bias=False), nn.BatchNorm2d(width)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.second(self.first(x)))


def stage(cin: int, cout: int, stride, blocks: int) -> nn.Sequential:
    """A (strided) conv to `cout` channels, then `blocks` residual blocks."""
    residual = [ResidualBlock(cout) for _ in range(blocks)]
    return nn.Sequential(conv_bn_relu(cin, cout, stride), *residual)


@MODELS.register("range_unet")
class RangeUNet(nn.Module):
    """Encoder stages of `widths` (the first at full resolution, each next one downsampled by
    its entry of `strides`, (row, col) factors), a decoder that mirrors them with skip
    connections, a full-resolution 3x3 head of `head_width` channels and a 1x1 classifier
    (the head gives narrow models enough capacity per pixel). Any H and W work: each
    decoder stage resizes to its skip's size.
    """

    def __init__(
        self,
        num_classes: int = 20,
        in_channels: int = 5,
        widths: tuple[int, ...] = (16, 32, 64),
        strides: tuple = ((1, 2), (2, 2)),
        blocks: int = 1,
        head_width: int = 32,
        dropout: float = 0.0,
        merge: str = "concat",
    ):
        super().__init__()
        widths = tuple(int(w) for w in widths)
        strides = tuple(tuple(int(s) for s in pair) for pair in strides)
        if len(strides) != len(widths) - 1 or any(len(s) != 2 for s in strides):
            raise ConfigError(
                f"range_unet needs one (row, col) stride per width after the first: "
                f"{len(widths)} widths, strides {strides}"
            )
        if merge not in ("concat", "add"):
            raise ConfigError(f"range_unet merge must be concat or add, got {merge!r}")
        self.strides = strides
        self.merge = merge
        self.encoder = nn.ModuleList([stage(in_channels, widths[0], 1, blocks)])
        for i, stride in enumerate(strides):
            self.encoder.append(stage(widths[i], widths[i + 1], stride, blocks))

        # concat: U-Net (the deeper features beside the skip, then a conv); add: an FPN-style
        # 1x1 projection to the skip's width, summed with it (a narrower, cheaper decoder).
        def merged(i: int) -> int:
            return widths[i + 1] + widths[i] if merge == "concat" else widths[i]

        self.projections = nn.ModuleList(
            nn.Identity() if merge == "concat" else nn.Conv2d(widths[i + 1], widths[i], 1)
            for i in reversed(range(len(strides)))
        )
        self.decoder = nn.ModuleList(
            stage(merged(i), widths[i], 1, max(blocks - 1, 0))
            for i in reversed(range(len(strides)))
        )
        self.dropout = nn.Dropout2d(dropout) if dropout > 0 else nn.Identity()
        self.head = conv_bn_relu(widths[0], head_width)
        self.classifier = nn.Conv2d(head_width, num_classes, 1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        skips = []
        # Channels-last convolutions run about 1.5x faster on CPUs (measured at these sizes).
        x = image.contiguous(memory_format=torch.channels_last)
        for layer in self.encoder:
            x = layer(x)
            skips.append(x)
        x = self.dropout(skips.pop())
        for project, layer in zip(self.projections, self.decoder, strict=True):
            skip = skips.pop()
            x = F.interpolate(
                project(x), size=skip.shape[-2:], mode="bilinear", align_corners=False
            )
            x = layer(torch.cat([x, skip], dim=1) if self.merge == "concat" else x + skip)
        return self.classifier(self.head(self.dropout(x)))
