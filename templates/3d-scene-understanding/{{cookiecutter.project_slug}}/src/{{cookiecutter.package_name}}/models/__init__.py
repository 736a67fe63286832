"""Model registry: a config names a model, ``build_model`` makes it.

To add your own model: write ``models/my_model.py`` with a ``torch.nn.Module`` whose
constructor takes ``num_classes`` and ``task`` ("classification" returns [B, K] logits,
"segmentation" [B, P, K]) plus any keyword options, add one line to ``MODELS`` below, and set
``model: {name: my_model, ...}`` in a config. Every test in tests/test_models.py then runs on it.
"""

from __future__ import annotations

from torch import nn

from .dgcnn import DGCNN
from .my_model import MyModel
from .pointnet import PointNet
from .pointnet2 import PointNet2

MODELS: dict[str, type[nn.Module]] = {
    "pointnet": PointNet,
    "pointnet2": PointNet2,
    "dgcnn": DGCNN,
    "my_model": MyModel,
}


def build_model(model_cfg: dict, num_classes: int, task: str) -> nn.Module:
    """The model named by ``model_cfg["name"]``; the other keys go to its constructor."""
    options = dict(model_cfg)
    name = options.pop("name")
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; registered: {', '.join(sorted(MODELS))}")
    for key, value in options.items():
        if isinstance(value, list):  # YAML lists become tuples, like the constructors' defaults
            options[key] = tuple(value)
    return MODELS[name](num_classes=num_classes, task=task, **options)
