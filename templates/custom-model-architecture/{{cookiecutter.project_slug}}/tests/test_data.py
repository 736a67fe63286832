"""Datasets: digits splits, procedural shapes, and the CIFAR-10 reader on files in its format."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ConfigError, DataError
from {{ cookiecutter.package_name }}.data import DATASETS, from_config
from {{ cookiecutter.package_name }}.data.cifar10 import (
    load_cifar10_splits,
    read_batch,
    read_class_names,
)
from {{ cookiecutter.package_name }}.data.digits import load_digits_splits
from {{ cookiecutter.package_name }}.data.shapes import (
    CLASS_NAMES,
    make_shapes,
)


def test_digits_splits_are_disjoint_stratified_and_fixed():
    splits = load_digits_splits(val_fraction=0.1, test_fraction=0.2, seed=0)
    sizes = {name: len(labels) for name, (_, labels) in splits.items()}
    assert sizes == {"train": 1257, "val": 180, "test": 360}
    rows = [images.reshape(len(images), -1) for images, _ in splits.values()]
    assert len(np.unique(np.concatenate(rows), axis=0)) > 1780  # digits holds few duplicates
    assert np.bincount(splits["test"][1]).min() >= 35  # every class in the test split
    again = load_digits_splits(val_fraction=0.1, test_fraction=0.2, seed=0)
    assert np.array_equal(again["test"][0], splits["test"][0])


def test_splits_are_normalised_with_train_statistics():
    dataset = from_config({"name": "digits"})
    splits = dataset.splits()
    images = splits["train"].tensors[0]
    assert abs(images.mean().item()) < 1e-4 and abs(images.std().item() - 1) < 1e-2
    assert dataset.num_classes == 10 and splits["test"].tensors[0].shape[1:] == (1, 8, 8)


def test_datasets_are_registered_and_take_their_own_options_from_the_config():
    assert {"digits", "shapes", "cifar10"} <= set(DATASETS.names())
    small = from_config(
        {"name": "shapes", "seed": 1, "shapes": {"train_size": 12, "val_size": 6, "test_size": 6}}
    )
    assert len(small.splits()["train"]) == 12 and small.image_size == (32, 32)
    with pytest.raises(ConfigError, match="dataset 'digits' takes no option 'val_size'"):
        from_config({"name": "digits", "digits": {"val_size": 3}})
    with pytest.raises(ConfigError, match="unknown dataset 'mnist'.*digits"):
        from_config({"name": "mnist"})
    with pytest.raises(ConfigError, match="data.root is not set"):
        from_config({"name": "cifar10"}).splits()


def test_data_seed_alone_fixes_the_splits():
    first = from_config({"name": "digits", "seed": 0}).splits()["test"].tensors[1]
    again = from_config({"name": "digits", "seed": 0}).splits()["test"].tensors[1]
    other = from_config({"name": "digits", "seed": 1}).splits()["test"].tensors[1]
    assert first.tolist() == again.tolist() and first.tolist() != other.tolist()


def test_shapes_are_seeded_balanced_and_in_range():
    images, labels = make_shapes(60, seed=3)
    assert images.shape == (60, 3, 32, 32) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    assert np.bincount(labels).tolist() == [10] * len(CLASS_NAMES)
    again, _ = make_shapes(60, seed=3)
    other, _ = make_shapes(60, seed=4)
    assert np.array_equal(images, again) and not np.array_equal(images, other)


def test_every_shape_is_drawn():
    images, labels = make_shapes(120, seed=0, noise=0.0)
    # Without noise an image has exactly two colours: background and the shape.
    for image in images:
        colours = np.unique(image.reshape(3, -1).T, axis=0)
        assert len(colours) == 2
    # Shapes differ in area: a ring covers less of its disc than a circle.
    assert shape_area(images, labels, "ring") < shape_area(images, labels, "circle")


def shape_area(images, labels, name):
    """Mean fraction of pixels that differ from the corner (background) colour."""
    chosen = images[labels == CLASS_NAMES.index(name)]
    return (chosen != chosen[:, :, :1, :1]).any(1).mean()


def write_cifar(root, counts=(4, 4, 4, 4, 4), test=6, seed=0):
    """Tiny files in CIFAR-10's python format: pickled dicts of bytes keys."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{index}" for index in range(1, 6)] + ["test_batch"]
    content = {}
    for name, count in zip(names, [*counts, test], strict=True):
        data = rng.integers(0, 256, (count, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, count).tolist()
        content[name] = (data, labels)
        with (root / name).open("wb") as handle:
            pickle.dump({b"batch_label": name.encode(), b"data": data, b"labels": labels}, handle)
    meta = {b"label_names": [f"class{i}".encode() for i in range(10)], b"num_vis": 3072}
    with (root / "batches.meta").open("wb") as handle:
        pickle.dump(meta, handle)
    return content


def test_cifar_reader_reads_the_python_format(tmp_path):
    content = write_cifar(tmp_path)
    images, labels = read_batch(tmp_path / "data_batch_2")
    data, expected = content["data_batch_2"]
    assert images.shape == (4, 3, 32, 32) and labels.tolist() == expected
    # Rows hold the red plane, then green, then blue, each row-major.
    assert images[1, 1, 2, 5] == data[1, 1024 + 2 * 32 + 5]
    assert read_class_names(tmp_path)[3] == "class3"


def test_cifar_splits_hold_out_validation_from_train(tmp_path):
    write_cifar(tmp_path)
    splits = load_cifar10_splits(tmp_path, val_size=5, seed=0)
    assert [len(splits[name][1]) for name in ("train", "val", "test")] == [15, 5, 6]
    assert splits["train"][0].dtype == np.float32 and splits["train"][0].max() <= 1.0


def test_missing_cifar_file_is_named(tmp_path):
    write_cifar(tmp_path)
    (tmp_path / "data_batch_4").unlink()
    with pytest.raises(DataError, match="data_batch_4"):
        load_cifar10_splits(tmp_path)


@pytest.mark.parametrize(
    "payload",
    [
        b"not a pickle at all",
        pickle.dumps({b"labels": [1]}),
        pickle.dumps({b"data": np.zeros((2, 10), np.uint8), b"labels": [0, 1]}),
    ],
)
def test_corrupt_cifar_file_is_named(tmp_path, payload):
    write_cifar(tmp_path)
    (tmp_path / "test_batch").write_bytes(payload)
    with pytest.raises(DataError, match="test_batch.*corrupt"):
        load_cifar10_splits(tmp_path)
