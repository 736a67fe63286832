"""The dataset registry: synthetic splits, readers by name, a new dataset in one file, clear
errors."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import {{ cookiecutter.package_name }}.data as data
from {{ cookiecutter.package_name }}.core.errors import ConfigError, DataError
from {{ cookiecutter.package_name }}.data import (
    class_names,
    load_split,
)

SIZES = {"train": 20, "val": 10, "test": 10}
SMALL = {"name": "synthetic", "num_points": 32, "synthetic": {"sizes": SIZES}}


@pytest.mark.parametrize("task", ["classification", "segmentation"])
def test_synthetic_splits_have_the_promised_shapes_and_dtypes(task):
    points, labels, names = load_split(SMALL, task, "train")
    assert points.shape == (20, 32, 3) and points.dtype == np.float32
    assert labels.dtype == np.int64
    assert labels.shape == ((20,) if task == "classification" else (20, 32))
    assert names == class_names(SMALL, task)
    assert labels.min() >= 0 and labels.max() < len(names)


def test_splits_are_disjoint_and_reproducible():
    train, _, _ = load_split(SMALL, "classification", "train")
    test, _, _ = load_split(SMALL, "classification", "test")
    again, _, _ = load_split(SMALL, "classification", "test")
    assert np.array_equal(test, again)
    # No test cloud equals a training cloud.
    assert not any(np.array_equal(t, s) for t in test for s in train)
    other_seed, _, _ = load_split({**SMALL, "seed": 1}, "classification", "test")
    assert not np.array_equal(test, other_seed)


def test_returned_arrays_are_copies_of_the_cache():
    points, _, _ = load_split(SMALL, "classification", "val")
    points[:] = 0
    assert np.abs(load_split(SMALL, "classification", "val")[0]).sum() > 0


def test_synthetic_options_reach_the_generator():
    cfg = {**SMALL, "synthetic": {"sizes": SIZES, "classes": ["sphere", "cube"]}}
    cfg["synthetic"]["objects_per_scene"] = 2
    assert class_names(cfg, "classification") == ["sphere", "cube"]
    assert class_names(cfg, "segmentation") == ["ground", "sphere", "cube", "clutter"]
    _, labels, _ = load_split(cfg, "segmentation", "train")
    assert set(np.unique(labels)) <= {0, 1, 2, 3}


NEW_DATASET = """
import numpy as np

from . import DATASETS
from .base import PointCloudDataset


@DATASETS.register("lines")
class Lines(PointCloudDataset):
    def __init__(self, root=None, seed=0, num_points=16, count=3):
        super().__init__(root, seed, num_points)
        self.count = count

    def class_names(self, task):
        return ["x", "y"]

    def load(self, task, split):
        rng = np.random.default_rng([self.seed, len(split)])
        points = rng.normal(size=(self.count, self.num_points, 3))
        return points, np.arange(self.count) % 2, ["x", "y"]
"""
PROBE = f"""
from {data.__name__} import load_split

points, labels, names = load_split(
    dict(name="lines", num_points=4, seed=1, lines=dict(count=5)), "classification", "test"
)
print(points.shape, points.dtype, labels.tolist(), names)
"""


def test_a_new_dataset_is_one_file(tmp_path):
    """Drop data/lines.py into a copy of the package: the config names it, nothing else."""
    package = Path(importlib.import_module(data.__name__.split(".")[0]).__file__).parent
    copy = tmp_path / package.name
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "data" / "lines.py").write_text(NEW_DATASET)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(5, 4, 3) float32 [0, 1, 0, 1, 0] ['x', 'y']"


def test_every_reader_is_registered():
    assert {"synthetic", "modelnet40", "shapenetpart", "s3dis", "scannet"} <= set(
        data.DATASETS.names()
    )


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(ConfigError, match="unknown dataset 'modelnet41'.*modelnet40"):
        load_split({"name": "modelnet41"}, "classification", "train")
    with pytest.raises(ConfigError, match="data.root is not set"):
        load_split({"name": "modelnet40"}, "classification", "train")
    missing = tmp_path / "nowhere"
    with pytest.raises(DataError, match="nowhere"):
        load_split({"name": "s3dis", "root": str(missing)}, "segmentation", "train")
    with pytest.raises(FileNotFoundError, match="nowhere"):  # still a FileNotFoundError too
        load_split({"name": "s3dis", "root": str(missing)}, "segmentation", "train")
    with pytest.raises(ConfigError, match="split"):
        load_split(SMALL, "classification", "training")
    with pytest.raises(ConfigError, match="task"):
        load_split(SMALL, "detection", "train")
    with pytest.raises(ConfigError, match="rotation must be one of so3, z, none, got 'xyz'"):
        load_split({**SMALL, "synthetic": {"rotation": "xyz"}}, "classification", "train")
    with pytest.raises(ConfigError, match="make_objects takes no option objects_per_scene"):
        load_split({**SMALL, "synthetic": {"objects_per_scene": 2}}, "classification", "train")
