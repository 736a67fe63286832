"""KITTI object files (velodyne, calib, label_2, results) and the kitti dataset, on tiny
files in the real formats written here."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ConfigError, DataError
from {{ cookiecutter.package_name }}.data import load_scans
from {{ cookiecutter.package_name }}.data.kitti import (
    read_calib,
    read_label,
    read_velodyne,
    write_calib,
    write_label,
    write_velodyne,
)
from {{ cookiecutter.package_name }}.geometry.boxes import default_calibration, lidar_to_camera_boxes

# training/calib/000000.txt as KITTI ships it
CALIB_000000 = """\
P0: 7.215377000000e+02 0.000000000000e+00 6.095593000000e+02 0.000000000000e+00 0.000000000000e+00 7.215377000000e+02 1.728540000000e+02 0.000000000000e+00 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00 0.000000000000e+00
P1: 7.215377000000e+02 0.000000000000e+00 6.095593000000e+02 -3.875744000000e+02 0.000000000000e+00 7.215377000000e+02 1.728540000000e+02 0.000000000000e+00 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00 0.000000000000e+00
P2: 7.215377000000e+02 0.000000000000e+00 6.095593000000e+02 4.485728000000e+01 0.000000000000e+00 7.215377000000e+02 1.728540000000e+02 2.163791000000e-01 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00 2.745884000000e-03
P3: 7.215377000000e+02 0.000000000000e+00 6.095593000000e+02 -3.395242000000e+02 0.000000000000e+00 7.215377000000e+02 1.728540000000e+02 2.199936000000e+00 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00 2.729905000000e-03
R0_rect: 9.999239000000e-01 9.837760000000e-03 -7.445048000000e-03 -9.869795000000e-03 9.999421000000e-01 -4.278459000000e-03 7.402527000000e-03 4.351614000000e-03 9.999631000000e-01
Tr_velo_to_cam: 7.533745000000e-03 -9.999714000000e-01 -6.166020000000e-04 -4.069766000000e-03 1.480249000000e-02 7.280733000000e-04 -9.998902000000e-01 -7.631618000000e-02 9.998621000000e-01 7.523790000000e-03 1.480755000000e-02 -2.717806000000e-01
Tr_imu_to_velo: 9.999976000000e-01 7.553071000000e-04 -2.035826000000e-03 -8.086759000000e-01 -7.854027000000e-04 9.998898000000e-01 -1.482298000000e-02 3.195559000000e-01 2.024406000000e-03 1.482454000000e-02 9.998881000000e-01 -7.997231000000e-01
"""  # noqa: E501
LABEL_LINES = [
    "Pedestrian 0.00 0 -0.20 712.40 143.00 810.73 307.92 1.89 0.48 1.20 1.84 1.47 8.41 0.01",
    "Car 0.12 1 1.55 614.24 181.78 727.31 284.77 1.57 1.73 4.15 1.00 1.75 13.22 1.62",
    "DontCare -1 -1 -10 503.89 169.71 590.61 190.13 -1 -1 -1 -1000 -1000 -1000 -10",
]


def test_velodyne_round_trip_and_byte_layout(tmp_path):
    points = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32)
    path = write_velodyne(tmp_path / "velodyne" / "000001.bin", points)
    assert path.stat().st_size == 50 * 16  # four little-endian float32 per point
    np.testing.assert_array_equal(np.fromfile(path, dtype="<f4").reshape(-1, 4), points)
    loaded = read_velodyne(path)
    assert loaded.dtype == np.float32 and loaded.flags.writeable
    np.testing.assert_array_equal(loaded, points)


def test_velodyne_errors_name_the_file(tmp_path):
    bad = tmp_path / "000002.bin"
    bad.write_bytes(b"\0" * 20)
    with pytest.raises(DataError, match=r"000002\.bin.*20 bytes"):
        read_velodyne(bad)
    with pytest.raises(DataError, match=r"000003\.bin"):
        read_velodyne(tmp_path / "000003.bin")


def test_reads_kitti_calib_file(tmp_path):
    path = tmp_path / "000000.txt"
    path.write_text(CALIB_000000)
    calib, expected = read_calib(path), default_calibration()
    np.testing.assert_array_equal(calib.P2, expected.P2)
    np.testing.assert_array_equal(calib.R0_rect, expected.R0_rect)
    np.testing.assert_array_equal(calib.Tr_velo_to_cam, expected.Tr_velo_to_cam)


def test_calib_round_trip(tmp_path):
    calib = default_calibration()
    calib.P2 = calib.P2 + np.random.default_rng(1).normal(scale=1e-3, size=(3, 4))
    imu = np.arange(12.0).reshape(3, 4)
    path = write_calib(tmp_path / "calib.txt", calib, others={"Tr_imu_to_velo": imu})
    lines = path.read_text().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "P0", "P1", "P2", "P3", "R0_rect", "Tr_velo_to_cam", "Tr_imu_to_velo",
    ]  # fmt: skip
    assert lines[-1].split()[1:3] == ["0.000000000000e+00", "1.000000000000e+00"]
    back = read_calib(path)
    for name in ("P2", "R0_rect", "Tr_velo_to_cam"):
        np.testing.assert_allclose(getattr(back, name), getattr(calib, name), rtol=1e-12)


def test_calib_errors_name_the_file(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text(CALIB_000000.replace("R0_rect: 9.999239000000e-01 ", "R0_rect: "))
    with pytest.raises(DataError, match=r"short\.txt: R0_rect has 8 numbers"):
        read_calib(path)
    path.write_text("P2: 1 2 3\n")
    with pytest.raises(DataError, match=r"short\.txt: P2 has 3"):
        read_calib(path)
    path.write_text("\n".join(line for line in CALIB_000000.splitlines() if "velo_to" not in line))
    with pytest.raises(DataError, match=r"short\.txt: no Tr_velo_to_cam"):
        read_calib(path)


def test_label_read_and_write_back_the_same_text(tmp_path):
    calib = default_calibration()
    path = tmp_path / "label_2" / "000000.txt"
    path.parent.mkdir()
    path.write_text("\n".join(LABEL_LINES) + "\n")
    objects = read_label(path, calib)
    assert objects.names.tolist() == ["Pedestrian", "Car", "DontCare"]
    assert objects.scores is None and objects.num_points.tolist() == [-1, -1, -1]
    assert objects.occluded.tolist() == [0, 1, -1] and objects.truncated[1] == 0.12
    np.testing.assert_allclose(objects.bbox[2], [503.89, 169.71, 590.61, 190.13])
    assert objects.alpha.tolist() == [-0.20, 1.55, -10.0]
    # boxes are in the LiDAR frame: the pedestrian 8.4 m ahead, 1.8 m to the right
    assert objects.boxes[0, 0] == pytest.approx(8.70, abs=0.05)
    assert objects.boxes[0, 1] == pytest.approx(-1.83, abs=0.05)
    np.testing.assert_allclose(objects.boxes[0, 3:6], [1.20, 0.48, 1.89])
    location, dimensions, rotation_y = lidar_to_camera_boxes(objects.boxes, calib)
    np.testing.assert_allclose(location[:2], [[1.84, 1.47, 8.41], [1.00, 1.75, 13.22]], atol=1e-9)
    np.testing.assert_allclose(rotation_y[:2], [0.01, 1.62], atol=1e-9)
    written = write_label(tmp_path / "out.txt", objects, calib).read_text().splitlines()
    # the devkit's 2 decimals: only the DontCare placeholders change spelling (-1 -> -1.00)
    assert written[:2] == LABEL_LINES[:2]
    assert written[2].split()[0] == "DontCare"
    np.testing.assert_allclose(
        [float(v) for v in written[2].split()[1:]],
        [float(v) for v in LABEL_LINES[2].split()[1:]],
        atol=0.006,
    )


def test_results_file_with_scores_round_trip(tmp_path):
    calib = default_calibration()
    path = tmp_path / "gt.txt"
    path.write_text("\n".join(LABEL_LINES[:2]) + "\n")
    objects = read_label(path, calib)
    objects.scores = np.array([0.87654, 0.1])
    objects.truncated[:] = -1  # a results file has no truncation or occlusion
    objects.occluded[:] = -1
    text = write_label(tmp_path / "results" / "000000.txt", objects, calib).read_text()
    first = text.splitlines()[0].split()
    assert len(first) == 16 and first[-1] == "0.8765" and first[1:3] == ["-1.00", "-1"]
    back = read_label(tmp_path / "results" / "000000.txt", calib)
    np.testing.assert_allclose(back.scores, [0.8765, 0.1])
    np.testing.assert_allclose(back.boxes[:, :6], objects.boxes[:, :6], atol=0.02)
    assert len(read_label(write_label(tmp_path / "none.txt", back.subset([]), calib), calib)) == 0


def test_label_errors_name_the_file(tmp_path):
    calib = default_calibration()
    path = tmp_path / "000007.txt"
    path.write_text("Car 0.00 0 1.0 1 2 3 4 1.5 1.6 3.9 1 2\n")
    with pytest.raises(DataError, match=r"000007\.txt:1: 13 fields"):
        read_label(path, calib)
    path.write_text(LABEL_LINES[0].replace("Pedestrian", "Bus") + "\n")
    with pytest.raises(DataError, match=r"000007\.txt:1: unknown type 'Bus'"):
        read_label(path, calib)
    path.write_text(LABEL_LINES[0] + "\n" + LABEL_LINES[1] + " 0.5\n")
    with pytest.raises(DataError, match=r"000007\.txt:2: 16 fields"):
        read_label(path, calib)
    path.write_text(LABEL_LINES[0].replace("0.48", "wide") + "\n")
    with pytest.raises(DataError, match=r"000007\.txt:1: a field is not a number"):
        read_label(path, calib)
    with pytest.raises(DataError, match=r"000008\.txt: no such label file"):
        read_label(tmp_path / "000008.txt", calib)


def make_kitti_root(root, frames=("000000", "000001", "000002")):
    """A KITTI object folder of tiny frames: each with the two labelled objects of
    LABEL_LINES and 10 points inside the car, 5 inside the pedestrian, 20 elsewhere."""
    calib = default_calibration()
    (root / "ImageSets").mkdir(parents=True)
    (root / "ImageSets" / "train.txt").write_text("\n".join(frames[:2]) + "\n")
    (root / "ImageSets" / "val.txt").write_text(frames[2] + "\n")
    rng = np.random.default_rng(0)
    for frame in frames:
        label = root / "training" / "label_2" / f"{frame}.txt"
        label.parent.mkdir(parents=True, exist_ok=True)
        label.write_text("\n".join(LABEL_LINES) + "\n")
        (root / "training" / "calib").mkdir(exist_ok=True)
        (root / "training" / "calib" / f"{frame}.txt").write_text(CALIB_000000)
        boxes = read_label(label, calib).boxes
        inside = [box[:3] + rng.uniform(-0.2, 0.2, (count, 3)) * box[3:6]
                  for box, count in ((boxes[1], 10), (boxes[0], 5))]  # fmt: skip
        outside = np.c_[rng.uniform(-30, -5, (20, 2)), rng.uniform(-1, 1, 20)]
        points = np.c_[np.concatenate([*inside, outside]), rng.uniform(0, 1, 35)]
        write_velodyne(root / "training" / "velodyne" / f"{frame}.bin", points)


def test_kitti_dataset(tmp_path):
    make_kitti_root(tmp_path)
    cfg = {"data": {"name": "kitti", "root": str(tmp_path)}}
    train = load_scans(cfg, "train")
    assert [scan.frame_id for scan in train] == ["000000", "000001"]
    scan = train[0]
    assert scan.points.shape == (35, 4) and scan.points.dtype == np.float32
    assert scan.objects.names.tolist() == ["Pedestrian", "Car", "DontCare"]
    assert scan.objects.num_points.tolist() == [5, 10, 0]
    np.testing.assert_array_equal(scan.calib.P2, default_calibration().P2)
    assert [scan.frame_id for scan in load_scans(cfg, "test")] == ["000002"]  # test = val
    cfg["data"]["kitti"] = {"split_files": {"test": "train.txt"}, "limit": 1}
    assert [scan.frame_id for scan in load_scans(cfg, "test")] == ["000000"]


def test_kitti_dataset_errors(tmp_path):
    make_kitti_root(tmp_path)
    (tmp_path / "training" / "label_2" / "000001.txt").unlink()
    cfg = {"data": {"name": "kitti", "root": str(tmp_path)}}
    with pytest.raises(DataError, match=r"label_2/000001\.txt: no such label file"):
        load_scans(cfg, "train")
    with pytest.raises(ConfigError, match="data.root"):
        load_scans({"data": {"name": "kitti"}}, "train")
    with pytest.raises(ConfigError, match="no option 'classes'"):
        load_scans({"data": {"name": "kitti", "kitti": {"classes": ["Car"]}}}, "train")
    cfg["data"]["kitti"] = {"split_files": {"val": "missing.txt"}}
    with pytest.raises(DataError, match=r"missing\.txt: no such frame list"):
        load_scans(cfg, "val")
