"""Models: a registry, one file per model.

Every model is built as ``MODELS.build(cfg["model"], input_shape=(C, H, W), num_classes=K)``:
the config's ``model`` section gives its options, the task gives the shapes. A new model is one
file here with ``@MODELS.register("name")`` and one config line (``model: {name: ...}``).
"""

from __future__ import annotations

import torch

from ..core.registry import Registry

MODELS = Registry("model", package=__name__)


def init_weights(model: torch.nn.Module, scheme: str) -> None:
    """``he``: Kaiming-normal weights for ReLU and zero biases (He et al., 2015, the
    initialisation ResNet uses); ``torch``: PyTorch's defaults, left as they are."""
    if scheme == "torch":
        return
    if scheme != "he":
        raise ValueError(f"init must be 'he' or 'torch', not {scheme!r}")
    for module in model.modules():
        if isinstance(module, torch.nn.Linear | torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
