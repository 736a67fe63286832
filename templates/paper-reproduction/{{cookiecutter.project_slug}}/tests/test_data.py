"""Datasets and the task's data: seeded splits, label noise on training labels only, the
training subset, and the CIFAR-10 reader on tiny files in the real format."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ConfigError, DataError
from {{ cookiecutter.package_name }}.data import DATASETS, load_dataset
from {{ cookiecutter.package_name }}.data.cifar10 import read_batch
from {{ cookiecutter.package_name }}.tasks import prepare


def cfg(**task) -> dict:
    return {"data": {"name": "digits", "seed": 0}, "task": task, "seed": 0}


def test_digits_splits_are_disjoint_seeded_and_sized():
    first = load_dataset({"name": "digits", "seed": 0})
    again = load_dataset({"name": "digits", "seed": 0})
    other = load_dataset({"name": "digits", "seed": 1})
    assert [len(first.split(s)[1]) for s in ("train", "val", "test")] == [1077, 360, 360]
    assert np.array_equal(first.train[0], again.train[0])
    assert not np.array_equal(first.train[0], other.train[0])
    rows = {
        split: {x.tobytes() for x in first.split(split)[0]} for split in ("train", "val", "test")
    }
    assert not rows["train"] & rows["test"] and not rows["val"] & rows["test"]
    assert first.input_shape == (1, 8, 8) and first.num_classes == 10


def test_label_noise_corrupts_training_labels_only():
    clean, noisy = prepare(cfg()), prepare(cfg(label_noise=1.0))
    changed = np.mean(clean.train[1] != noisy.train[1])
    assert 0.8 < changed < 0.97  # a random label equals the true one 1 time in 10
    assert np.array_equal(clean.test[1], noisy.test[1])
    assert np.array_equal(clean.val[1], noisy.val[1])
    half = np.mean(clean.train[1] != prepare(cfg(label_noise=0.5)).train[1])
    assert 0.38 < half < 0.52
    assert np.array_equal(clean.train[0], noisy.train[0])  # images untouched


def test_noise_seed_run_draws_a_labelling_per_seed():
    by_data = [prepare({**cfg(label_noise=1.0), "seed": s}).train[1] for s in (0, 1)]
    assert np.array_equal(*by_data)  # noise_seed: data (default): one labelling for all seeds
    by_run = [
        prepare({**cfg(label_noise=1.0, noise_seed="run"), "seed": s}).train[1] for s in (0, 1)
    ]
    assert not np.array_equal(*by_run)
    with pytest.raises(ConfigError, match="noise_seed"):
        prepare(cfg(label_noise=1.0, noise_seed="sometimes"))


def test_train_size_keeps_the_first_examples_and_standardises_on_them():
    small = prepare(cfg(train_size=100))
    full = prepare(cfg())
    assert len(small.train[1]) == 100 and len(small.test[1]) == 360
    assert np.array_equal(small.train[1], full.train[1][:100])
    assert abs(float(small.train[0].mean())) < 1e-5 and abs(float(small.train[0].std()) - 1) < 1e-3
    with pytest.raises(ConfigError, match="train_size"):
        prepare(cfg(train_size=5000))


def _write_cifar(root, per_file: int = 4) -> None:
    rng = np.random.default_rng(0)
    root.mkdir(parents=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        content = {
            b"data": rng.integers(0, 256, (per_file, 3072), dtype=np.uint8),
            b"labels": rng.integers(0, 10, per_file).tolist(),
        }
        (root / name).write_bytes(pickle.dumps(content))
    meta = {b"label_names": [f"class{i}".encode() for i in range(10)]}
    (root / "batches.meta").write_bytes(pickle.dumps(meta))


def test_cifar10_reads_the_python_batches(tmp_path):
    root = tmp_path / "cifar-10-batches-py"
    _write_cifar(root)
    data = DATASETS.build({"name": "cifar10", "val_size": 5}, root=str(root), seed=0)
    assert len(data.train[1]) == 15 and len(data.val[1]) == 5 and len(data.test[1]) == 4
    assert data.input_shape == (3, 32, 32) and data.class_names[3] == "class3"
    raw = pickle.loads((root / "test_batch").read_bytes())
    # Stored channel by channel: the first 1024 bytes are the red plane of image 0.
    images, labels = read_batch(root / "test_batch")
    assert np.array_equal(images[0, 0].reshape(-1), raw[b"data"][0, :1024])
    assert labels.tolist() == raw[b"labels"]
    assert np.allclose(data.test[0][0, 0].reshape(-1) * 255, raw[b"data"][0, :1024])


def test_cifar10_errors_name_the_file(tmp_path):
    root = tmp_path / "cifar"
    _write_cifar(root)
    (root / "data_batch_3").unlink()
    with pytest.raises(DataError, match="data_batch_3.*missing"):
        DATASETS.build({"name": "cifar10", "val_size": 5}, root=str(root), seed=0)
    (root / "data_batch_3").write_bytes(b"not a pickle")
    with pytest.raises(DataError, match="data_batch_3.*not a CIFAR-10 batch"):
        DATASETS.build({"name": "cifar10", "val_size": 5}, root=str(root), seed=0)
    (root / "data_batch_3").write_bytes(
        pickle.dumps({b"data": np.zeros((2, 10)), b"labels": [0, 1]})
    )
    with pytest.raises(DataError, match=r"data_batch_3.*expected \(N, 3072\)"):
        DATASETS.build({"name": "cifar10", "val_size": 5}, root=str(root), seed=0)


def test_an_unknown_dataset_lists_the_registered_ones():
    with pytest.raises(ConfigError, match="cifar10, digits"):
        load_dataset({"name": "mnist"})
