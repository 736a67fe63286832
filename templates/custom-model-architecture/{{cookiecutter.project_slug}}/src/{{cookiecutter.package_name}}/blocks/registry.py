"""The block registry: build any block from its name and keyword arguments (like timm's).

A block is an nn.Module mapping a feature map (B, C_in, H, W) to (B, C_out, H', W'). Its
constructor takes `in_channels` first; it may also take `in_size` (the input's (H, W)) when it
needs it, and `norm` / `act` when it has normalisation and activation choices.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

BLOCKS: dict[str, type[nn.Module]] = {}


class UnknownBlockError(KeyError):
    """A variant names a block that no file registered."""

    def __str__(self) -> str:  # KeyError would print the message with quotes around it
        return str(self.args[0])


def register_block(name: str) -> Callable[[type[nn.Module]], type[nn.Module]]:
    """Class decorator: make the block buildable as `name` from a variant file."""

    def add(cls: type[nn.Module]) -> type[nn.Module]:
        if name in BLOCKS and BLOCKS[name] is not cls:
            raise ValueError(f"block name {name!r} is registered twice ({BLOCKS[name].__name__})")
        BLOCKS[name] = cls
        return cls

    return add


def get_block(name: str) -> type[nn.Module]:
    """The block class registered as `name`."""
    if name not in BLOCKS:
        known = ", ".join(sorted(BLOCKS))
        raise UnknownBlockError(f"unknown block {name!r}; registered blocks: {known}")
    return BLOCKS[name]


def build_block(name: str, **kwargs) -> nn.Module:
    """Instantiate the block registered as `name` with `kwargs`."""
    return get_block(name)(**kwargs)
