"""SemanticKITTI: the learning map against semantic-kitti.yaml, .label files, the submission
layout and the dataset, on tiny sequences written here."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ConfigError, DataError
from {{ cookiecutter.package_name }}.data import load_scans
from {{ cookiecutter.package_name }}.data.kitti import write_velodyne
from {{ cookiecutter.package_name }}.data.semantickitti import (
    CLASS_NAMES,
    LEARNING_MAP,
    LEARNING_MAP_INV,
    RAW_NAMES,
    join_labels,
    learning_map,
    learning_map_inv,
    read_labels,
    split_labels,
    write_labels,
    write_predictions,
)


def test_learning_map_on_known_ids():
    raw = np.array([252, 60, 52, 10, 40, 1, 0, 99, 13, 259, 81, 7])
    # moving-car -> car, lane-marking -> road, other-structure -> ignore, bus -> other-vehicle
    assert learning_map(raw).tolist() == [1, 9, 0, 1, 9, 0, 0, 0, 5, 5, 19, 0]
    assert learning_map(raw).dtype == np.int64
    with_instance = join_labels(np.array([252, 30]), np.array([7, 65535]))
    assert learning_map(with_instance).tolist() == [1, 6]  # the instance bits do not matter


def test_tables_match_semantic_kitti_yaml():
    assert len(RAW_NAMES) == 34 and set(LEARNING_MAP) == set(RAW_NAMES)
    assert RAW_NAMES[252] == "moving-car" and RAW_NAMES[60] == "lane-marking"
    assert len(CLASS_NAMES) == 19
    assert CLASS_NAMES[:3] == ("car", "bicycle", "motorcycle")
    assert CLASS_NAMES[8] == "road" and CLASS_NAMES[-1] == "traffic-sign"
    assert sorted(LEARNING_MAP_INV) == list(range(20))
    for train, raw in LEARNING_MAP_INV.items():  # the inverse picks a raw id of that class
        assert LEARNING_MAP[raw] == train
    ignored = sorted(raw for raw, train in LEARNING_MAP.items() if train == 0)
    assert ignored == [0, 1, 52, 99]


def test_labels_round_trip_and_bit_layout(tmp_path):
    semantic = np.array([10, 252, 40, 0, 81])
    instance = np.array([3, 1, 0, 0, 2])
    labels = join_labels(semantic, instance)
    assert labels.dtype == np.uint32 and labels[0] == 10 + (3 << 16)
    path = write_labels(tmp_path / "000000.label", labels)
    assert path.read_bytes()[:4] == bytes([10, 0, 3, 0])  # little-endian: semantic first
    back = read_labels(path)
    assert back.dtype == np.uint32
    np.testing.assert_array_equal(back, labels)
    got_semantic, got_instance = split_labels(back)
    assert got_semantic.tolist() == semantic.tolist()
    assert got_instance.tolist() == instance.tolist()
    with pytest.raises(ValueError, match="16 bits"):
        join_labels(np.array([70000]))


def test_label_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "000001.label"
    bad.write_bytes(b"\0" * 6)
    with pytest.raises(DataError, match=r"000001\.label: 6 bytes"):
        read_labels(bad)
    with pytest.raises(DataError, match=r"000002\.label: no such label file"):
        read_labels(tmp_path / "000002.label")


def test_write_predictions_in_submission_layout(tmp_path):
    path = write_predictions(tmp_path, 8, 12, np.array([1, 9, 0, 19, 6]))
    assert path == tmp_path / "sequences" / "08" / "predictions" / "000012.label"
    assert read_labels(path).tolist() == [10, 40, 0, 81, 30]  # raw ids
    with pytest.raises(ValueError, match="train ids"):
        learning_map_inv(np.array([20]))


def make_sequences(root, counts=None):
    """Sequences of tiny scans with labels; returns the labels written, by frame id."""
    counts = counts or {"00": [30, 40], "08": [25]}
    rng = np.random.default_rng(0)
    written = {}
    for sequence, sizes in counts.items():
        for index, size in enumerate(sizes):
            folder = root / "sequences" / sequence
            write_velodyne(folder / "velodyne" / f"{index:06d}.bin", rng.normal(size=(size, 4)))
            raw = rng.choice(sorted(RAW_NAMES), size)
            labels = join_labels(raw, rng.integers(0, 5, size))
            write_labels(folder / "labels" / f"{index:06d}.label", labels)
            written[f"{sequence}/{index:06d}"] = labels
    return written


def test_semantickitti_dataset(tmp_path):
    written = make_sequences(tmp_path)
    cfg = {"data": {"name": "semantickitti", "root": str(tmp_path),
                    "semantickitti": {"sequences": {"train": ["00"]}}}}  # fmt: skip
    train = load_scans(cfg, "train")
    assert [scan.frame_id for scan in train] == ["00/000000", "00/000001"]
    assert [len(scan.points) for scan in train] == [30, 40]
    np.testing.assert_array_equal(train[1].labels, written["00/000001"])
    np.testing.assert_array_equal(train[1].semantic, written["00/000001"] & 0xFFFF)
    val = load_scans(cfg, "val")  # the default: sequence 08
    assert [scan.frame_id for scan in val] == ["08/000000"]
    assert [scan.frame_id for scan in load_scans(cfg, "test")] == ["08/000000"]
    cfg["data"]["semantickitti"].update(stride=2)
    assert [scan.frame_id for scan in load_scans(cfg, "train")] == ["00/000000"]
    cfg["data"]["semantickitti"].update(stride=1, limit=1)
    assert len(load_scans(cfg, "train")) == 1


def test_semantickitti_dataset_errors(tmp_path):
    make_sequences(tmp_path)
    write_labels(tmp_path / "sequences" / "00" / "labels" / "000001.label", np.zeros(39))
    cfg = {"data": {"name": "semantickitti", "root": str(tmp_path),
                    "semantickitti": {"sequences": {"train": ["00"]}}}}  # fmt: skip
    with pytest.raises(DataError, match=r"00/labels/000001\.label: 39 labels for the 40 points"):
        load_scans(cfg, "train")
    missing = {"name": "semantickitti", "root": str(tmp_path)}
    with pytest.raises(DataError, match=r"sequences/01/velodyne: no such folder"):
        load_scans({"data": {**missing, "semantickitti": {"sequences": {"val": [1]}}}}, "val")
    (tmp_path / "sequences" / "08" / "labels" / "000000.label").unlink()
    with pytest.raises(DataError, match=r"08/labels/000000\.label: no such label file"):
        load_scans(cfg, "val")
    with pytest.raises(ConfigError, match="data.root"):
        load_scans({"data": {"name": "semantickitti"}}, "val")
