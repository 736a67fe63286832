"""Datasets, registered by name: ``data: {name: synthetic}`` in a config picks one.

``synthetic`` (the default) generates labelled clouds (synthetic.py); ``modelnet40``,
``shapenetpart``, ``s3dis`` and ``scannet`` read the real datasets from ``data.root`` (one
file each). Every dataset gives, for a task ("classification" or "segmentation") and a split
("train", "val" or "test"),

    points float32 [N, P, 3], labels int64 [N] or [N, P], class_names list[str]

(a dataset without an official validation split carves one out of its training split, the
same way for a given seed). A dataset's own options come from the config section named after
it (``data.s3dis: {test_area: 2}``; on the command line ``+data.s3dis.test_area=2``). To add
a dataset, write ``data/<name>.py`` with a ``PointCloudDataset`` (base.py) registered as
``@DATASETS.register("<name>")``: nothing else to edit.
"""

from __future__ import annotations

import numpy as np

from ..core.registry import Registry

DATASETS = Registry("dataset", package=__name__)


def from_config(data_cfg: dict):
    """The dataset the ``data:`` section names, with its own options (``data.<name>``)."""
    name = data_cfg.get("name", "synthetic")
    options = dict(data_cfg.get(name) or {}) if isinstance(name, str) else {}
    return DATASETS.build(
        {"name": name, **options},
        root=data_cfg.get("root"),
        seed=int(data_cfg.get("seed", 0)),
        num_points=int(data_cfg.get("num_points", 1024)),
    )


def load_split(data_cfg: dict, task: str, split: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Points float32 [N, P, 3], labels int64 [N] or [N, P], and the class names of a split."""
    return from_config(data_cfg).split(task, split)


def class_names(data_cfg: dict, task: str) -> list[str]:
    """The class names of a dataset, without generating or (where the reader allows) reading it."""
    return from_config(data_cfg).class_names(task)


__all__ = ["DATASETS", "class_names", "from_config", "load_split"]
