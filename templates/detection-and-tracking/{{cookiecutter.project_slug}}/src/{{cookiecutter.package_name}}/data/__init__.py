"""Datasets by name: ``load_split(cfg, split)`` is the one entry point.

Every dataset is a function registered in ``DATASETS`` that returns a ``VideoSplit`` (see
``video.py``)::

    @DATASETS.register("my_data")
    def my_data(split, seed, image_size, root, classes, **options) -> VideoSplit: ...

called with the split ("train", "val" or "test"), ``data.seed``, ``data.image_size`` (width,
height of the model's frame), ``data.root``, ``data.classes`` (the class names, in label
order) and the options of its own config section (``data.my_data.*``). Registered here:
``synthetic`` (procedural street videos, the default),
``mot`` (MOTChallenge sequences: MOT17, MOT20, or KITTI tracking converted to that layout) and
``coco`` (COCO detection JSON with its images). A new dataset is one file in this folder.
"""

from __future__ import annotations

from ..core.errors import ConfigError
from ..core.registry import Registry

DATASETS = Registry("dataset", package=__name__)
SPLITS = ("train", "val", "test")


def load_split(cfg: dict, split: str):
    """The `split` of the dataset that ``cfg["data"]`` names, as a VideoSplit."""
    if split not in SPLITS:
        raise ConfigError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    data = cfg["data"]
    name = data.get("name") or "synthetic"
    options = data.get(name) or {}
    if not isinstance(options, dict):
        raise ConfigError(f"data.{name} must be a mapping of options, got {options!r}")
    size = data.get("image_size")
    if not (isinstance(size, list | tuple) and len(size) == 2 and all(int(v) > 0 for v in size)):
        raise ConfigError(f"data.image_size must be [width, height], got {size!r}")
    return DATASETS.build(
        {"name": name, **options},
        split=split,
        seed=int(data.get("seed") or 0),
        image_size=(int(size[0]), int(size[1])),
        root=data.get("root"),
        classes=tuple(str(name) for name in data.get("classes") or ()),
    )
