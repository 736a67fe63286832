"""Models, registered by name: ``model: {name: cnn}`` in a config picks one.

Every variant file ``configs/variants/NAME.yaml`` is a model named NAME (``variants.py`` finds
the files and registers them). A model written in Python is one file in this folder::

    from . import MODELS

    @MODELS.register("my_net")
    class MyNet(nn.Module):
        def __init__(self, in_channels, image_size, num_classes, width=32): ...

and ``model: {name: my_net, width: 64}`` trains it (the other keys of ``model:`` are its
options). Either way every model test (tests/test_variants.py) runs on it.
"""

from ..core.registry import Registry

MODELS = Registry("model", package=__name__)

__all__ = ["MODELS"]
