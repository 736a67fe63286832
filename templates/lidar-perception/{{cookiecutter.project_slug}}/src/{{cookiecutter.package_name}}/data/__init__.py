"""Datasets by name: ``load_scans(cfg, split)`` is the one entry point.

Every dataset is a function registered in ``DATASETS`` that returns the split's scans, a list
of ``Scan`` (``scan.py``)::

    @DATASETS.register("my_data")
    def my_data(split, seed, root, **options) -> list[Scan]: ...

called with the split ("train", "val" or "test"), ``data.seed``, ``data.root`` and the
options of its own config section (``data.my_data.*``). Registered here: ``simulated`` (a
ray-cast spinning LiDAR in procedural driving scenes, the default), ``kitti`` (KITTI object:
velodyne, label_2, calib) and ``semantickitti`` (SemanticKITTI sequences with labels). A new
dataset is one file in this folder.
"""

from __future__ import annotations

from ..core.errors import ConfigError
from ..core.registry import Registry

DATASETS = Registry("dataset", package=__name__)
SPLITS = ("train", "val", "test")


def load_scans(cfg: dict, split: str) -> list:
    """The `split` of the dataset that ``cfg["data"]`` names, as a list of Scan."""
    if split not in SPLITS:
        raise ConfigError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    data = cfg["data"]
    name = data.get("name") or "simulated"
    options = data.get(name) or {}
    if not isinstance(options, dict):
        raise ConfigError(f"data.{name} must be a mapping of options, got {options!r}")
    return DATASETS.build(
        {"name": name, **options},
        split=split,
        seed=int(data.get("seed") or 0),
        root=data.get("root"),
    )
