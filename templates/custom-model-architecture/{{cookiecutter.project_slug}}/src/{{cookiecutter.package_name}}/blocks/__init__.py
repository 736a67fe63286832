"""Building blocks, registered by name: a variant file lists them (configs/variants/*.yaml).

A block is an nn.Module mapping a feature map (B, C_in, H, W) to (B, C_out, H', W') and
setting ``self.out_channels``. Its constructor takes ``in_channels``; it may also take
``in_size`` (the input's (H, W)) when it needs it, and ``norm`` / ``act`` when it has
normalisation and activation choices. A new block is one file in this folder::

    from . import BLOCKS

    @BLOCKS.register("my_block")
    class MyBlock(nn.Module): ...

The registry imports every module here the first time a name is asked for: nothing else to edit.
"""

from ..core.registry import Registry

BLOCKS = Registry("block", package=__name__)

__all__ = ["BLOCKS"]
