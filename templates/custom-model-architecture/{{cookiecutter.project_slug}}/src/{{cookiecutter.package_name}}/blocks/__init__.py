"""Building blocks. Importing a block's module registers it; add yours with one line below.

from . import my_block  # noqa: F401  (my_block.py decorates its class @register_block("mine"))
"""

from . import attention, conv, depthwise, mixer, pool, pos_embed, residual, squeeze_excite
from .registry import BLOCKS, UnknownBlockError, build_block, get_block, register_block

__all__ = [
    "BLOCKS",
    "UnknownBlockError",
    "attention",
    "build_block",
    "conv",
    "depthwise",
    "get_block",
    "mixer",
    "pool",
    "pos_embed",
    "register_block",
    "residual",
    "squeeze_excite",
]
