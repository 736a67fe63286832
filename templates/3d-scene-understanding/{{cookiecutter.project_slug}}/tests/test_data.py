"""The dataset dispatcher: synthetic splits, lazy readers by name, clear errors."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

import {{ cookiecutter.package_name }}.data as data
from {{ cookiecutter.package_name }}.data import (
    class_names,
    load_split,
)

SMALL = {"name": "synthetic", "num_points": 32, "sizes": {"train": 20, "val": 10, "test": 10}}


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
    cfg = {**SMALL, "synthetic": {"classes": ["sphere", "cube"], "objects_per_scene": 2}}
    assert class_names(cfg, "classification") == ["sphere", "cube"]
    assert class_names(cfg, "segmentation") == ["ground", "sphere", "cube", "clutter"]
    _, labels, _ = load_split(cfg, "segmentation", "train")
    assert set(np.unique(labels)) <= {0, 1, 2, 3}


def test_readers_are_imported_lazily_by_name(monkeypatch, tmp_path):
    calls = []

    def load(root, task, split, num_points, seed):
        calls.append((root, task, split, num_points, seed))
        return np.zeros((2, num_points, 3), np.float64), np.array([0, 1]), ["a", "b"]

    fake = types.ModuleType(f"{data.__name__}.fakeset")
    fake.load = load
    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    monkeypatch.setattr(data, "READERS", (*data.READERS, "fakeset"))
    cfg = {"name": "fakeset", "root": str(tmp_path), "num_points": 16, "seed": 3}
    points, labels, names = load_split(cfg, "classification", "test")
    assert calls == [(tmp_path, "classification", "test", 16, 3)]
    assert points.dtype == np.float32 and labels.dtype == np.int64 and names == ["a", "b"]
    assert class_names(cfg, "classification") == ["a", "b"]  # falls back to reading a split


def test_every_listed_reader_module_exists_with_a_load_function():
    import importlib

    for name in data.READERS:
        module = importlib.import_module(f"{data.__name__}.{name}")
        assert callable(module.load), name


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'modelnet41'.*modelnet40"):
        load_split({"name": "modelnet41"}, "classification", "train")
    with pytest.raises(ValueError, match="data.root is not set"):
        load_split({"name": "modelnet40"}, "classification", "train")
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_split({"name": "s3dis", "root": str(missing)}, "segmentation", "train")
    with pytest.raises(ValueError, match="split"):
        load_split(SMALL, "classification", "training")
    with pytest.raises(ValueError, match="task"):
        load_split(SMALL, "detection", "train")
