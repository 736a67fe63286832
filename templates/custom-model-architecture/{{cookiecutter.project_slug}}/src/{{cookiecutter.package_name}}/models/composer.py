"""Compose registered blocks into a classifier, as a variant spec says.

The network is blocks -> global average pool -> [LayerNorm] -> dropout -> linear. The builder
tracks the feature map's shape, so blocks that need their input size (position embeddings,
token-mixing MLPs) get it without the variant file spelling it out.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn

from ..blocks import BLOCKS
from ..core.errors import ConfigError


class VariantError(ConfigError):
    """A variant file that cannot be turned into a model; the message names file and key."""


class Classifier(nn.Module):
    """features (a stack of blocks) -> pooled vector -> class logits."""

    def __init__(self, features: nn.Sequential, width: int, num_classes: int, head: dict):
        super().__init__()
        self.features = features
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head_norm = nn.LayerNorm(width) if head.get("norm") == "layer" else nn.Identity()
        self.dropout = nn.Dropout(float(head.get("dropout", 0.0)))
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.features(x)).flatten(1)
        return self.fc(self.dropout(self.head_norm(x)))


def _block_kwargs(cls: type, entry: dict, defaults: dict, channels: int, size: tuple[int, int]):
    """Keyword arguments for one block: its entry, plus the defaults and shape it accepts."""
    accepted = inspect.signature(cls.__init__).parameters
    kwargs = {key: value for key, value in defaults.items() if key in accepted}
    kwargs.update({key: value for key, value in entry.items() if key not in ("block", "repeat")})
    kwargs["in_channels"] = channels
    if "in_size" in accepted:
        kwargs["in_size"] = size
    return kwargs


def compose(
    spec: dict, in_channels: int, image_size: tuple[int, int], num_classes: int
) -> Classifier:
    """The classifier described by a loaded variant `spec` (see variants.load_variant)."""
    path = spec.get("path", "<variant>")
    layers: list[nn.Module] = []
    probe = torch.zeros(1, in_channels, *image_size)  # tracks the shape through the stack
    for index, entry in enumerate(spec["blocks"]):
        try:
            cls = BLOCKS.get(entry["block"])
        except ConfigError as error:
            raise VariantError(f"{path}: blocks[{index}].block: {error}") from None
        for _ in range(entry.get("repeat", 1)):
            size = tuple(probe.shape[2:])
            kwargs = _block_kwargs(cls, entry, spec["defaults"], probe.shape[1], size)
            try:
                block = cls(**kwargs)
                with torch.no_grad():
                    probe = block.eval()(probe)
            except (TypeError, ValueError, RuntimeError) as error:
                raise VariantError(f"{path}: blocks[{index}] ({entry['block']}): {error}") from None
            layers.append(block.train())
    return Classifier(nn.Sequential(*layers), probe.shape[1], num_classes, spec["head"])
