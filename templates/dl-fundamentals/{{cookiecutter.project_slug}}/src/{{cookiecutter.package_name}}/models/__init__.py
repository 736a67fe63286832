"""The models trained on digits, registered by name: ``model: {name: cnn, ...}`` picks one.

An MLP (mlp.py), a small CNN (cnn.py) and a tiny transformer (attention.py), each with a
PyTorch twin in torch_reference.py with the same layer names, so weights copy across and both
engines start from the same point. A new model is one file in this folder::

    from . import MODELS

    @MODELS.register("my_net")
    class MyNet(Module):
        def __init__(self, rng, width=32): ...

and ``model: {name: my_net, width: 64}`` in a config (the other keys of ``model:`` are its
options; ``rng`` is the seeded generator that initialises it). Nothing else to edit.
"""

from __future__ import annotations

import numpy as np

from ..core.registry import Registry
from ..nn import Module

MODELS = Registry("model", package=__name__)

IMAGE_SIZE = 8  # digits are 8x8 grey images
NUM_CLASSES = 10
CLASSIFIER_GAIN = 0.1  # small initial logits: the first loss is close to log(10)


def build_model(cfg: dict) -> Module:
    """The model cfg["model"] names, with its options, initialised from cfg["seed"]."""
    return MODELS.build(cfg["model"], rng=np.random.default_rng(cfg["seed"]))
