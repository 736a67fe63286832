"""Datasets, registered by name: ``data: {name: digits}`` in a config picks one.

Each file in this folder registers an ``ImageDataset`` (base.py): the image shape and class
names, known before any data is read, and ``arrays()``, the train / val / test images. Options
of one dataset live under its name (``data: {name: shapes, shapes: {noise: 0.2}}``); every
dataset also takes ``root`` (where its files are; data.root) and ``seed`` (its generation and
splits; data.seed, never the training seed). A new dataset is one new file::

    from . import DATASETS
    from .base import ImageDataset

    @DATASETS.register("my_data")
    class MyData(ImageDataset): ...
"""

from __future__ import annotations

from ..core.registry import Registry

DATASETS = Registry("dataset", package=__name__)


def from_config(data_cfg: dict):
    """The dataset the ``data:`` section names, with its own options (``data.<name>``)."""
    name = data_cfg.get("name")
    options = dict(data_cfg.get(name) or {}) if isinstance(name, str) else {}
    return DATASETS.build(
        {"name": name, **options}, root=data_cfg.get("root"), seed=int(data_cfg.get("seed", 0))
    )


__all__ = ["DATASETS", "from_config"]
