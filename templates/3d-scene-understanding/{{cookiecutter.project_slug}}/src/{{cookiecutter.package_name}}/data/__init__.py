"""Datasets by name: ``load_split(data_cfg, task, split)`` is the one entry point.

``data_cfg`` is the ``data:`` section of a config. ``name: synthetic`` (the default) generates
labelled clouds with ``synthetic.py``; any other name is a reader module in this folder,
imported only when asked for, with the contract

    load(root: Path, task: str, split: str, num_points: int, seed: int)
        -> (points float32 [N, P, 3], labels int64 [N] or [N, P], class_names list[str])

where ``task`` is "classification" or "segmentation" and ``split`` is "train", "val" or
"test" (a dataset without an official validation split carves one out of its training split,
the same way for a given seed). The reader's own options come from the config section named
after it (``data.s3dis: {test_area: 2}`` calls ``s3dis.load(..., test_area=2)``; on the command
line ``+data.s3dis.test_area=2``). A reader may also define ``class_names(root, task)`` to give
the names without reading the data. To add a dataset, write ``data/<name>.py`` with ``load``
and add the name to ``READERS``.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import synthetic

TASKS = ("classification", "segmentation")
SPLITS = ("train", "val", "test")
READERS = ("modelnet40", "shapenetpart", "s3dis", "scannet")

# Default sizes of the synthetic splits (clouds for classification, scenes for segmentation).
SYNTHETIC_SIZES = {"train": 4000, "val": 500, "test": 1000}


def load_split(data_cfg: dict, task: str, split: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Points float32 [N, P, 3], labels int64 [N] or [N, P], and the class names of a split."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    name = data_cfg.get("name", "synthetic")
    num_points = int(data_cfg.get("num_points", 1024))
    seed = int(data_cfg.get("seed", 0))
    if name == "synthetic":
        return _synthetic(data_cfg, task, split, num_points, seed)
    options = data_cfg.get(name) or {}  # the reader's keyword arguments, e.g. data.s3dis.test_area
    points, labels, class_names = _reader(name).load(
        _root(data_cfg, name), task, split, num_points, seed, **options
    )
    return (
        np.ascontiguousarray(points, dtype=np.float32),
        np.ascontiguousarray(labels, dtype=np.int64),
        list(class_names),
    )


def class_names(data_cfg: dict, task: str) -> list[str]:
    """The class names of a dataset, without generating or (where the reader allows) reading it."""
    name = data_cfg.get("name", "synthetic")
    if name == "synthetic":
        classes = tuple(_synthetic_options(data_cfg).get("classes", synthetic.PRIMITIVES))
        return list(classes) if task == "classification" else synthetic.scene_class_names(classes)
    reader = _reader(name)
    if hasattr(reader, "class_names"):
        return list(reader.class_names(_root(data_cfg, name), task))
    return load_split(data_cfg, task, "val")[2]


def _synthetic(
    data_cfg: dict, task: str, split: str, num_points: int, seed: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    sizes = {**SYNTHETIC_SIZES, **data_cfg.get("sizes", {})}
    # Each split has its own stream of random numbers: test clouds are never seen in training.
    split_seed = (seed, TASKS.index(task), SPLITS.index(split))
    options = tuple(sorted(_synthetic_options(data_cfg).items()))
    points, labels, names = _generate(task, int(sizes[split]), num_points, split_seed, options)
    return points.copy(), labels.copy(), list(names)


@lru_cache(maxsize=4)
def _generate(task, count, num_points, split_seed, options):
    # Cached: evaluation reads the test split once per robustness setting.
    make = synthetic.make_objects if task == "classification" else synthetic.make_scenes
    return make(count, num_points, seed=split_seed, **dict(options))


def _synthetic_options(data_cfg: dict) -> dict:
    options = dict(data_cfg.get("synthetic") or {})
    if "classes" in options:
        options["classes"] = tuple(options["classes"])
    return options


def _reader(name: str):
    if name not in READERS:
        known = ", ".join(("synthetic", *READERS))
        raise ValueError(f"unknown dataset {name!r}; known: {known}")
    return importlib.import_module(f".{name}", __name__)


def _root(data_cfg: dict, name: str) -> Path:
    root = data_cfg.get("root")
    if not root:
        raise ValueError(
            f"data.root is not set: point it at the unpacked {name} folder"
            " (docs/DATASETS.md names it and says where to get it)"
        )
    root = Path(root).expanduser()
    if not root.exists():
        raise FileNotFoundError(f"dataset folder not found: {root} (see docs/DATASETS.md)")
    return root
