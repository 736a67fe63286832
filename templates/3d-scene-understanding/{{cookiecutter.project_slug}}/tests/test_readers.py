"""Real-format readers on tiny files written here in each dataset's on-disk format.

The writers below are deliberately independent of the readers (plain text, ``struct``), so a
reader bug cannot hide behind a matching writer bug.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.core.errors import ConfigError, DataError
from {{ cookiecutter.package_name }}.data import (
    load_split,
    modelnet40,
    ply,
    readers_common,
    s3dis,
    scannet,
    shapenetpart,
)
from {{ cookiecutter.package_name }}.data.mesh_sampling import (
    sample_surface,
    triangle_areas,
)
from {{ cookiecutter.package_name }}.data.readers_common import (
    DatasetFileError,
)
from {{ cookiecutter.package_name }}.engine.config import (
    load_engine_config,
)

NUM_POINTS = 64
TINY_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"


def naming(path: Path) -> str:
    """A pytest ``match`` pattern: the error message must contain this path."""
    return re.escape(str(path))


def assert_deterministic(load):
    """``load(seed)`` gives identical arrays for one seed and different points for another."""
    first, again, other = load(0), load(0), load(1)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


# --------------------------------------------------------------------------- ModelNet40

CUBE_VERTICES = np.array(
    [[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], dtype=float
)
CUBE_QUADS = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]]
TETRA_VERTICES = np.array([[0, 0, 0], [2, 0, 0], [0, 2, 0], [0, 0, 2]], dtype=float)
TETRA_FACES = [[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]]


def write_off(path: Path, vertices, faces, glued: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = f"{len(vertices)} {len(faces)} 0"
    lines = [f"OFF{counts}"] if glued else ["OFF", counts]  # ModelNet's glued-header quirk
    lines += [" ".join(f"{v:.6f}" for v in vertex) for vertex in vertices]
    lines += [" ".join(str(i) for i in [len(face), *face]) for face in faces]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def modelnet_root(tmp_path: Path) -> Path:
    """chair = shifted, scaled cube written as quads; airplane = tetrahedron (sorted: 0)."""
    root = tmp_path / "ModelNet40"
    for split, count in (("train", 2), ("test", 1)):
        for k in range(count):
            cube = CUBE_VERTICES * (1 + k) + [5.0, -2.0, 1.0]
            write_off(root / "chair" / split / f"chair_{k:04d}.off", cube, CUBE_QUADS, glued=True)
            write_off(
                root / "airplane" / split / f"airplane_{k:04d}.off", TETRA_VERTICES, TETRA_FACES
            )
    (root / ".DS_Store").write_text("macOS litter the reader must skip")
    (root / "chair" / "test" / "._chair_0000.off").write_bytes(b"\x00\x05\x16\x07 resource fork")
    return root


def test_modelnet40_shapes_labels_and_surface(modelnet_root: Path):
    points, labels, names = modelnet40.load(modelnet_root, "classification", "test", NUM_POINTS, 0)
    assert names == ["airplane", "chair"] == modelnet40.class_names(modelnet_root)
    assert points.shape == (2, NUM_POINTS, 3) and points.dtype == np.float32
    assert labels.dtype == np.int64 and labels.tolist() == [0, 1]
    # The cube is centred and scaled into the unit sphere: its corners lie on the sphere, so
    # every surface point has max |coordinate| = 1/sqrt(3) (a face of the cube).
    cube = points[1]
    np.testing.assert_allclose(np.abs(cube).max(axis=1), 1 / np.sqrt(3), atol=1e-6)
    assert np.all(np.linalg.norm(points, axis=-1) <= 1 + 1e-6)
    # All six faces get points (area-weighted sampling over the fan-triangulated quads).
    on_face = np.abs(cube) > 1 / np.sqrt(3) - 1e-6
    assert on_face.any(axis=0).all() and (cube > 0.5).any(axis=0).all()


def test_modelnet40_splits_hold_out_validation(modelnet_root: Path):
    train = modelnet40.load(modelnet_root, "classification", "train", NUM_POINTS, 0)
    val = modelnet40.load(modelnet_root, "classification", "val", NUM_POINTS, 0)
    # Two training meshes per class: the first of each is validation, the second training.
    assert train[1].tolist() == [0, 1] and val[1].tolist() == [0, 1]
    files, _ = modelnet40.list_files(modelnet_root, "val")
    assert [path.name for path, _ in files] == ["airplane_0000.off", "chair_0000.off"]


def test_modelnet40_is_deterministic(modelnet_root: Path):
    assert_deterministic(
        lambda seed: modelnet40.load(modelnet_root, "classification", "test", NUM_POINTS, seed)
    )


def test_modelnet40_cache_follows_the_files(modelnet_root: Path):
    first = modelnet40.load(modelnet_root, "classification", "test", NUM_POINTS, 0)
    assert len(list((modelnet_root / ".npcache").glob("modelnet40-*.npz"))) == 1
    uncached = modelnet40.load(modelnet_root, "classification", "test", NUM_POINTS, 0, cache=False)
    np.testing.assert_array_equal(first[0], uncached[0])
    # Replace the test cube by a tetrahedron: the cached arrays must not be served any more.
    chair = modelnet_root / "chair" / "test" / "chair_0000.off"
    write_off(chair, TETRA_VERTICES, TETRA_FACES)
    changed = modelnet40.load(modelnet_root, "classification", "test", NUM_POINTS, 0)
    assert not np.allclose(np.abs(changed[0][1]).max(axis=1), 1 / np.sqrt(3), atol=1e-3)
    np.testing.assert_array_equal(changed[0][0], first[0][0])  # the airplane is unchanged


def test_read_off_reads_glued_header_and_triangulates_quads(modelnet_root: Path):
    vertices, faces = modelnet40.read_off(modelnet_root / "chair" / "test" / "chair_0000.off")
    assert vertices.shape == (8, 3) and faces.shape == (12, 3)
    assert triangle_areas(vertices, faces).sum() == pytest.approx(24.0)


def test_modelnet40_errors_name_the_file(tmp_path: Path, modelnet_root: Path):
    broken = modelnet_root / "chair" / "test" / "chair_0000.off"
    broken.write_text("OFF\n8 6 0\n0 0 0\n1 0 0\n")  # truncated after two vertices
    with pytest.raises(DatasetFileError, match=naming(broken)):
        modelnet40.load(modelnet_root, "classification", "test", NUM_POINTS, 0)
    broken.write_text("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n")  # face index out of range
    with pytest.raises(ValueError, match=naming(broken)):
        modelnet40.read_off(broken)
    broken.write_text("OFF\n3 1 0\n0 0 0\n1 0 0\n2 0 0\n3 0 1 2\n")  # zero-area triangle
    with pytest.raises(DatasetFileError, match=naming(broken)):
        modelnet40.mesh_to_points(broken, NUM_POINTS, np.random.default_rng(0))
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match=naming(missing)):
        modelnet40.load(missing, "classification", "train", NUM_POINTS, 0)
    with pytest.raises(ValueError, match="classification"):
        modelnet40.load(modelnet_root, "segmentation", "train", NUM_POINTS, 0)


def test_surface_sampling_is_area_weighted():
    # Two triangles in the z=0 plane, areas 3 : 1 -> three quarters of the points on the first.
    vertices = np.array([[0, 0, 0], [3, 0, 0], [0, 2, 0], [10, 0, 0], [11, 0, 0], [10, 2, 0]])
    faces = np.array([[0, 1, 2], [3, 4, 5]])
    points = sample_surface(vertices, faces, 20_000, np.random.default_rng(0))
    assert np.all(points[:, 2] == 0)
    on_first = points[:, 0] < 5
    assert on_first.mean() == pytest.approx(0.75, abs=0.01)
    first = points[on_first]  # inside the triangle x/3 + y/2 <= 1
    assert np.all(first[:, 0] / 3 + first[:, 1] / 2 <= 1 + 1e-9) and np.all(first >= 0)


# --------------------------------------------------------------------------- ShapeNetPart

SYNSETS = {"Airplane": "02691156", "Chair": "03001627"}


def write_shape(path: Path, rng: np.random.Generator, count: int, parts: list[int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    xyz = rng.uniform(-0.5, 0.5, (count, 3))
    normals = rng.normal(size=(count, 3))
    labels = np.resize(parts, count)
    rows = [
        f"{p[0]:.6f} {p[1]:.6f} {p[2]:.6f} {n[0]:.6f} {n[1]:.6f} {n[2]:.6f} {lab}.000000"
        for p, n, lab in zip(xyz, normals, labels, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n")


@pytest.fixture
def shapenet_root(tmp_path: Path) -> Path:
    root = tmp_path / "shapenetcore_partanno_segmentation_benchmark_v0_normal"
    root.mkdir()
    (root / "synsetoffset2category.txt").write_text(
        "".join(f"{name}\t{synset}\n" for name, synset in SYNSETS.items())
    )
    rng = np.random.default_rng(0)
    splits = {"train": [], "val": [], "test": []}
    for index, split in enumerate(["train", "train", "val", "test", "train", "test"]):
        name = "Chair" if index % 2 else "Airplane"
        shape_id = f"shape{index:03d}"
        parts = [12, 13, 15] if name == "Chair" else [0, 1, 2, 3]
        count = 40 if index == 3 else 150  # fewer points than NUM_POINTS: padded by repeats
        write_shape(root / SYNSETS[name] / f"{shape_id}.txt", rng, count, parts)
        splits[split].append(f"shape_data/{SYNSETS[name]}/{shape_id}")
    (root / "train_test_split").mkdir()
    for split, entries in splits.items():
        path = root / "train_test_split" / f"shuffled_{split}_file_list.json"
        path.write_text(json.dumps(entries))
    return root


def test_shapenetpart_segmentation(shapenet_root: Path):
    points, labels, names = shapenetpart.load(shapenet_root, "segmentation", "test", NUM_POINTS, 0)
    assert points.shape == (2, NUM_POINTS, 3) and points.dtype == np.float32
    assert labels.shape == (2, NUM_POINTS) and labels.dtype == np.int64
    assert len(names) == 50 and names[0] == "airplane_part0" and names[49] == "table_part2"
    assert names == shapenetpart.class_names(shapenet_root, "segmentation")
    # test = shape003 (Chair, 40 points: all kept, 24 repeats) and shape005 (Chair).
    assert set(labels[0]) == {12, 13, 15} and set(labels[1]) <= {12, 13, 15}
    assert len(np.unique(points[0], axis=0)) == 40
    assert np.linalg.norm(points, axis=-1).max() <= 1 + 1e-6
    ids = shapenetpart.part_ids_by_category()
    assert ids["Airplane"] == [0, 1, 2, 3] and ids["Table"] == [47, 48, 49]


def test_shapenetpart_classification_and_splits(shapenet_root: Path):
    points, labels, names = shapenetpart.load(shapenet_root, "classification", "train", 32, 0)
    assert (
        names == ["Airplane", "Chair"] == shapenetpart.class_names(shapenet_root, "classification")
    )
    assert points.shape == (3, 32, 3) and labels.tolist() == [0, 1, 0]  # shapes 0, 1, 4
    val = shapenetpart.load(shapenet_root, "classification", "val", 32, 0)
    assert val[1].tolist() == [0]


def test_shapenetpart_is_deterministic(shapenet_root: Path):
    assert_deterministic(
        lambda seed: shapenetpart.load(shapenet_root, "segmentation", "train", NUM_POINTS, seed)
    )


def test_shapenetpart_errors_name_the_file(shapenet_root: Path):
    shapenetpart.load(shapenet_root, "segmentation", "test", NUM_POINTS, 0)  # fills the cache
    shape = shapenet_root / SYNSETS["Chair"] / "shape005.txt"
    shape.write_text("0.1 0.2 0.3 0 0 1 12\n0.1 0.2 oops 0 0 1 13\n")
    with pytest.raises(DatasetFileError, match=naming(shape)):
        shapenetpart.load(shapenet_root, "segmentation", "test", NUM_POINTS, 0)
    shape.write_text("0.1 0.2 0.3 0 0 1 77\n")  # part id outside 0..49
    with pytest.raises(DatasetFileError, match=naming(shape)):
        shapenetpart.load(shapenet_root, "segmentation", "test", NUM_POINTS, 0)
    shape.unlink()
    with pytest.raises(FileNotFoundError, match=naming(shape)):
        shapenetpart.load(shapenet_root, "segmentation", "test", NUM_POINTS, 0)
    split_list = shapenet_root / "train_test_split" / "shuffled_val_file_list.json"
    split_list.write_text("[not json")
    with pytest.raises(DatasetFileError, match=naming(split_list)):
        shapenetpart.load(shapenet_root, "segmentation", "val", NUM_POINTS, 0)


# --------------------------------------------------------------------------- S3DIS

ROOM_OBJECTS = {"ceiling_1": 2.8, "floor_1": 0.0, "chair_1": 0.5, "chair_2": 0.6, "stairs_1": 1.0}


def write_room(room: Path, rng: np.random.Generator, per_object: int = 100) -> None:
    """A 2 m x 1 m room; each object is a horizontal slab of points at its own height."""
    annotations = room / "Annotations"
    annotations.mkdir(parents=True)
    offset = rng.uniform(-5, 5, 2)  # S3DIS rooms sit anywhere in their area's frame
    for name, height in ROOM_OBJECTS.items():
        xy = rng.uniform([0, 0], [2, 1], (per_object, 2)) + offset
        rows = [
            f"{x:.3f} {y:.3f} {height + 1.5:.3f} 120 130 {k % 256}" for k, (x, y) in enumerate(xy)
        ]
        (annotations / f"{name}.txt").write_text("\n".join(rows) + "\n")


@pytest.fixture
def s3dis_root(tmp_path: Path) -> Path:
    root = tmp_path / "Stanford3dDataset_v1.2_Aligned_Version"
    rng = np.random.default_rng(0)
    for room in ("Area_1/office_1", "Area_1/office_2", "Area_2/hallway_1", "Area_5/office_1"):
        write_room(root / room, rng)
    (root / "Area_1" / ".DS_Store").write_text("macOS litter the reader must skip")
    (root / "Area_5" / "office_1" / "Annotations" / "._chair_1.txt").write_bytes(b"\x00\x05")
    return root


def test_s3dis_blocks_labels_and_classes(s3dis_root: Path):
    points, labels, names = s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)
    assert names == s3dis.class_names(s3dis_root) and len(names) == 13
    # Area_5 has one 2 m x 1 m room -> two 1 m blocks of exactly NUM_POINTS points.
    assert points.shape == (2, NUM_POINTS, 3) and points.dtype == np.float32
    assert labels.shape == (2, NUM_POINTS) and labels.dtype == np.int64
    ceiling, floor, chair, clutter = map(names.index, ("ceiling", "floor", "chair", "clutter"))
    assert set(np.unique(labels)) == {ceiling, floor, chair, clutter}  # stairs -> clutter
    assert np.all(np.abs(points[..., :2]) <= 0.5 + 1e-6)  # x, y relative to the block centre
    # z is height above the floor: floor points at 0, ceiling at 2.8 m.
    np.testing.assert_allclose(points[labels == floor][:, 2], 0.0, atol=1e-3)
    np.testing.assert_allclose(points[labels == ceiling][:, 2], 2.8, atol=1e-3)


def test_s3dis_area_splits(s3dis_root: Path):
    train = s3dis.load(s3dis_root, "segmentation", "train", NUM_POINTS, 0)
    val = s3dis.load(s3dis_root, "segmentation", "val", NUM_POINTS, 0)
    assert len(train[0]) == 4 and len(val[0]) == 2  # rooms 2-3 / room 1 of areas 1-2
    test_area_2 = s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0, test_area=2)
    assert len(test_area_2[0]) == 2
    rooms = s3dis.list_rooms(s3dis_root, "train", test_area=2)
    assert [r.name for r in rooms] == ["office_2", "office_1"]  # Area_1/office_2, Area_5/office_1


def test_dispatcher_passes_reader_options_from_the_config(s3dis_root: Path):
    """`+data.s3dis.test_area=2` (docs/DATASETS.md) reaches s3dis.load: Area 2 is the test split."""
    overrides = ["task=segmentation", "data.name=s3dis", f"data.root={s3dis_root}"]
    overrides.append(f"data.num_points={NUM_POINTS}")
    default_cfg = load_engine_config(TINY_CONFIG, overrides)["data"]
    area_2_cfg = load_engine_config(TINY_CONFIG, [*overrides, "+data.s3dis.test_area=2"])["data"]
    area_5 = s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)
    area_2 = s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0, test_area=2)
    for cfg, expected in ((default_cfg, area_5), (area_2_cfg, area_2)):
        points, labels, names = load_split(cfg, "segmentation", "test")
        np.testing.assert_array_equal(points, expected[0])
        np.testing.assert_array_equal(labels, expected[1])
    assert not np.array_equal(area_5[0], area_2[0])  # the two test areas really differ
    # The training split follows too: Area 5 trains, Area 2 is held out.
    train = s3dis.load(s3dis_root, "segmentation", "train", NUM_POINTS, 0, test_area=2)[0]
    np.testing.assert_array_equal(load_split(area_2_cfg, "segmentation", "train")[0], train)
    # A misspelt option is an error naming the real ones, not silently the default.
    with pytest.raises(ConfigError, match="no option 'test_aera'.*test_area"):
        load_split({**area_2_cfg, "s3dis": {"test_aera": 2}}, "segmentation", "test")


def test_s3dis_is_deterministic_and_cached(s3dis_root: Path):
    assert_deterministic(
        lambda seed: s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, seed)
    )
    assert len(list((s3dis_root / ".npcache").glob("s3dis-room-*.npz"))) == 1  # one test room
    uncached = s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0, cache=False)
    cached = s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)
    np.testing.assert_array_equal(uncached[0], cached[0])


def test_s3dis_errors_name_the_file(s3dis_root: Path):
    s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)  # fills the cache first
    broken = s3dis_root / "Area_5" / "office_1" / "Annotations" / "chair_1.txt"
    with broken.open("a") as file:
        file.write("1.0 0.5 103.0\x100000 12 12 12\n")  # the stray byte real S3DIS files hold
    with pytest.raises(DatasetFileError, match=naming(broken)):
        s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)
    broken.write_text("1.0 0.5 0.2 12 12\n")  # a missing colour column
    with pytest.raises(DatasetFileError, match=naming(broken)):
        s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)
    with pytest.raises(FileNotFoundError, match=naming(s3dis_root / "Area_6")):
        s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0, test_area=6)
    with pytest.raises(ValueError, match="segmentation"):
        s3dis.load(s3dis_root, "classification", "test", NUM_POINTS, 0)


# --------------------------------------------------------------------------- ScanNet

VERTEX_HEADER = (
    "property float x\nproperty float y\nproperty float z\n"
    "property uchar red\nproperty uchar green\nproperty uchar blue\nproperty uchar alpha\n"
)


def write_binary_ply(path: Path, xyz: np.ndarray, labels: np.ndarray | None) -> None:
    """A ScanNet-style binary little-endian PLY: vertices (+ ushort label) and triangles."""
    faces = [(i, i + 1, i + 2) for i in range(0, len(xyz) - 2, 3)]
    header = "ply\nformat binary_little_endian 1.0\ncomment written by test_readers\n"
    header += f"element vertex {len(xyz)}\n" + VERTEX_HEADER
    header += "property ushort label\n" if labels is not None else ""
    header += f"element face {len(faces)}\nproperty list uchar int vertex_indices\nend_header\n"
    body = bytearray()
    for k, point in enumerate(xyz):
        body += struct.pack("<fffBBBB", *point, 100, 150, 200, 255)
        if labels is not None:
            body += struct.pack("<H", labels[k])
    for face in faces:
        body += struct.pack("<Biii", 3, *face)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header.encode("ascii") + bytes(body))


# NYU40 ids: 1 wall -> 0, 5 chair -> 4, 39 otherfurniture -> 19, 0 unannotated and 13 pillow -> -1
NYU40_IDS = np.array([1, 5, 39, 0, 13])


def write_scene(folder: Path, scene: str, rng: np.random.Generator, count: int = 300) -> None:
    xyz = (rng.uniform([0, 0, 0], [3.0, 1.4, 2.5], (count, 3)) + [10, -4, 0.3]).astype(np.float32)
    labels = np.resize(NYU40_IDS, count)
    write_binary_ply(folder / f"{scene}_vh_clean_2.ply", xyz, None)
    write_binary_ply(folder / f"{scene}_vh_clean_2.labels.ply", xyz, labels)


def make_scannet_root(root: Path) -> Path:
    """Four tiny scans in ScanNet's layout: three in the train list, one in the val list.

    Two in five points of every scan are unannotated or outside the 20 benchmark classes
    (label -1 once read), so tests elsewhere train on it too.
    """
    rng = np.random.default_rng(0)
    for scene in ("scene0000_00", "scene0001_00", "scene0003_00"):
        write_scene(root / scene, scene, rng)
    write_scene(root / "scans" / "scene0002_00", "scene0002_00", rng)  # download-script layout
    (root / "scannetv2_train.txt").write_text("scene0000_00\nscene0001_00\nscene0003_00\n")
    (root / "scannetv2_val.txt").write_text("scene0002_00\n")
    return root


@pytest.fixture
def scannet_root(tmp_path: Path) -> Path:
    return make_scannet_root(tmp_path / "scannet")


def test_scannet_blocks_labels_and_ignore_index(scannet_root: Path):
    points, labels, names = scannet.load(scannet_root, "segmentation", "test", NUM_POINTS, 0)
    assert len(names) == 20 and names[0] == "wall" and names[-1] == "otherfurniture"
    assert names == scannet.class_names(scannet_root)
    # 3 m x 1.4 m scene, 1.5 m blocks -> two blocks.
    assert points.shape == (2, NUM_POINTS, 3) and points.dtype == np.float32
    assert labels.shape == (2, NUM_POINTS) and labels.dtype == np.int64
    assert set(np.unique(labels)) == {scannet.IGNORE_INDEX, 0, 4, 19}
    assert np.all(np.abs(points[..., :2]) <= 0.75 + 1e-6) and points[..., 2].min() >= 0


def test_scannet_splits_and_determinism(scannet_root: Path):
    train = scannet.load(scannet_root, "segmentation", "train", NUM_POINTS, 0)
    val = scannet.load(scannet_root, "segmentation", "val", NUM_POINTS, 0)
    assert len(train[0]) == 4 and len(val[0]) == 2  # scenes 0001, 0003 / scene 0000
    assert_deterministic(
        lambda seed: scannet.load(scannet_root, "segmentation", "val", NUM_POINTS, seed)
    )


def test_nyu40_mapping_known_answers():
    nyu40 = np.array([1, 2, 3, 13, 14, 16, 24, 28, 33, 34, 36, 39, 40, 0, 999])
    mapped = scannet.nyu40_to_benchmark(nyu40)
    assert mapped.tolist() == [0, 1, 2, -1, 12, 13, 14, 15, 16, 17, 18, 19, -1, -1, -1]


def test_scannet_errors_name_the_file(scannet_root: Path):
    labels_ply = scannet_root / "scans" / "scene0002_00" / "scene0002_00_vh_clean_2.labels.ply"
    labels_ply.write_bytes(labels_ply.read_bytes()[:600])  # truncated download
    with pytest.raises(DatasetFileError, match=naming(labels_ply)):
        scannet.load(scannet_root, "segmentation", "test", NUM_POINTS, 0)
    xyz = np.zeros((5, 3), np.float32)
    write_binary_ply(labels_ply, xyz, NYU40_IDS)  # 5 labels for a 300-vertex mesh
    with pytest.raises(DatasetFileError, match=naming(labels_ply)):
        scannet.load(scannet_root, "segmentation", "test", NUM_POINTS, 0)
    labels_ply.unlink()
    with pytest.raises(FileNotFoundError, match=naming(labels_ply)):
        scannet.load(scannet_root, "segmentation", "test", NUM_POINTS, 0)
    mesh = scannet_root / "scene0000_00" / "scene0000_00_vh_clean_2.ply"
    mesh.write_bytes(b"not a ply file")
    with pytest.raises(DatasetFileError, match=naming(mesh)):
        scannet.load(scannet_root, "segmentation", "val", NUM_POINTS, 0)


# --------------------------------------------------------------------------- PLY reader


def test_ply_ascii_with_mixed_polygons(tmp_path: Path):
    path = tmp_path / "mesh.ply"
    path.write_text(
        "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\n"
        "property float z\nproperty ushort label\nelement face 2\n"
        "property list uchar int vertex_indices\nend_header\n"
        "0 0 0 1\n1 0 0 2\n1 1 0 3\n0 1 0 40\n3 0 1 2\n4 0 1 2 3\n"
    )
    elements = ply.read_ply(path)
    assert elements["vertex"]["x"].dtype == np.float32
    assert elements["vertex"]["label"].dtype == np.uint16
    assert elements["vertex"]["label"].tolist() == [1, 2, 3, 40]
    assert [f.tolist() for f in elements["face"]["vertex_indices"]] == [[0, 1, 2], [0, 1, 2, 3]]


def test_ply_binary_matches_written_values(tmp_path: Path):
    path = tmp_path / "scan.labels.ply"
    xyz = np.random.default_rng(0).normal(size=(7, 3)).astype(np.float32)
    write_binary_ply(path, xyz, np.arange(7))
    vertex = ply.read_ply(path)["vertex"]
    np.testing.assert_array_equal(np.stack([vertex[a] for a in "xyz"], 1), xyz)
    assert vertex["label"].tolist() == list(range(7)) and vertex["red"].tolist() == [100] * 7
    faces = ply.read_ply(path)["face"]["vertex_indices"]
    assert faces.shape == (2, 3) and faces.tolist() == [[0, 1, 2], [3, 4, 5]]


def test_ply_binary_big_endian_with_mixed_polygons(tmp_path: Path):
    path = tmp_path / "mixed.ply"
    header = (
        "ply\nformat binary_big_endian 1.0\nelement vertex 4\nproperty double x\n"
        "property double y\nproperty double z\nelement face 2\n"
        "property list uchar uint vertex_indices\nproperty uchar flag\nend_header\n"
    )
    body = b"".join(struct.pack(">ddd", k, 2 * k, -k) for k in range(4))
    body += struct.pack(">BIIIB", 3, 0, 1, 2, 7) + struct.pack(">BIIIIB", 4, 0, 1, 2, 3, 9)
    path.write_bytes(header.encode("ascii") + body)
    elements = ply.read_ply(path)
    assert elements["vertex"]["y"].tolist() == [0.0, 2.0, 4.0, 6.0]
    faces = elements["face"]
    assert [f.tolist() for f in faces["vertex_indices"]] == [[0, 1, 2], [0, 1, 2, 3]]
    assert faces["flag"].tolist() == [7, 9]
    path.write_bytes(header.encode("ascii") + body[:-3])  # cut inside the last face
    with pytest.raises(DatasetFileError, match=naming(path)):
        ply.read_ply(path)


# --------------------------------------------------------------------------- real-data checks
# Each test below reproduces, on a tiny file, a defect that the real archives or a damaged
# copy of them show: the reader must name the file and the 1-based line (DataError.at).


def one_line_error(error: pytest.ExceptionInfo, path: Path, line: int | None) -> str:
    """The error's message, checked to start with ``path:line:`` and to be one line."""
    message = str(error.value)
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert message.startswith(where), message
    assert "\n" not in message and "usecols" not in message and " row " not in message, message
    return message


def write_rows(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
    return path


S3DIS_ROWS = ["1.000 0.500 0.200 10 20 30", "1.100 0.600 0.300 10 20 30"]


def test_s3dis_reads_the_known_stray_byte_as_the_space_it_replaced(s3dis_root: Path):
    """Area_5/hallway_6/Annotations/ceiling_1.txt holds a control byte where a space should
    be: the row has five columns, and deleting the byte would not help."""
    room = s3dis_root / "Area_5" / "hallway_6"
    ceiling = write_rows(
        room / "Annotations" / "ceiling_1.txt", [*S3DIS_ROWS, "1.200 0.700 3.048\x10187 181 170"]
    )
    write_rows(room / "Annotations" / "floor_1.txt", S3DIS_ROWS)
    with pytest.warns(UserWarning, match=re.escape(f"{ceiling}:3: ")):
        points, labels = s3dis.read_room(room, cache=False)
    assert len(points) == 5
    np.testing.assert_allclose(points[2], [1.2, 0.7, 3.048], rtol=1e-6)
    # A stray byte inside a number is not that defect: an error naming file and line.
    write_rows(ceiling, [*S3DIS_ROWS, "1.200 0.700 3.0\x1048 187 181 170"])
    with pytest.raises(DataError) as error:
        s3dis.read_room(room, cache=False)
    assert "0x10" in one_line_error(error, ceiling, 3)


def test_s3dis_conversion_and_column_errors_give_the_one_based_line(s3dis_root: Path):
    room = s3dis_root / "Area_5" / "office_1"
    chair = room / "Annotations" / "chair_1.txt"
    write_rows(chair, [S3DIS_ROWS[0], "", "1.0 0.5 oops 1 2 3"])  # blank line 2 still counts
    with pytest.raises(DataError) as error:
        s3dis.read_room(room, cache=False)
    assert "'oops'" in one_line_error(error, chair, 3)
    write_rows(chair, [*S3DIS_ROWS, "1.0 0.5 0.2 12 12"])
    with pytest.raises(DataError) as error:
        s3dis.read_room(room, cache=False)
    assert "6 columns" in one_line_error(error, chair, 3)


def test_s3dis_non_finite_coordinates_are_an_error_naming_the_line(s3dis_root: Path):
    """One nan height used to turn the floor height, and so every z of the room, into NaN."""
    room = s3dis_root / "Area_5" / "office_1"
    chair = write_rows(room / "Annotations" / "chair_1.txt", [*S3DIS_ROWS, "1.0 0.5 nan 1 2 3"])
    with pytest.raises(DataError) as error:
        s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)
    assert "non-finite" in one_line_error(error, chair, 3)


def test_s3dis_unknown_class_and_duplicate_copies_are_errors_naming_the_file(s3dis_root: Path):
    annotations = s3dis_root / "Area_5" / "office_1" / "Annotations"
    lamp = write_rows(annotations / "lamp_1.txt", S3DIS_ROWS)
    with pytest.raises(DataError) as error:
        s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)
    assert "'lamp'" in one_line_error(error, lamp, None)
    lamp.unlink()
    copy = annotations / "chair_1 (1).txt"
    copy.write_bytes((annotations / "chair_1.txt").read_bytes())
    with pytest.raises(DataError) as error:
        s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)
    assert "copy" in one_line_error(error, copy, None)


def test_grid_blocks_match_a_scan_of_every_block():
    """The one-pass cut gives the blocks (indices, centres) of the obvious per-block scan."""
    rng = np.random.default_rng(0)
    xyz = (rng.uniform([0, 0, 0], [5.3, 3.1, 3], (4000, 3))).astype(np.float32)
    xyz[:50, :2] = np.round(xyz[:50, :2] * 2) / 2  # points exactly on block borders
    for size, stride, minimum in ((1.0, 1.0, 10), (1.0, 0.5, 10), (1.5, 0.7, 1)):
        xy = xyz[:, :2]
        low = xy.min(axis=0)
        steps = np.maximum(np.ceil((xy.max(axis=0) - low - size) / stride), 0).astype(int) + 1
        expected = []
        for i in range(steps[0]):
            for j in range(steps[1]):
                corner = low + np.array([i, j]) * stride
                inside = np.all((xy >= corner) & (xy <= corner + size), axis=1)
                if inside.sum() >= minimum:
                    expected.append((np.flatnonzero(inside), corner + size / 2))
        blocks = readers_common.grid_blocks(xyz, size, stride, minimum)
        assert len(blocks) == len(expected)
        for (indices, centre), (want, want_centre) in zip(blocks, expected, strict=True):
            np.testing.assert_array_equal(indices, want)
            np.testing.assert_array_equal(centre, want_centre)


def test_s3dis_blocks_are_cached_with_the_room(s3dis_root: Path, monkeypatch):
    first = s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)

    def no_cutting(*args, **kwargs):
        raise AssertionError("the room was cut again")

    monkeypatch.setattr(readers_common, "grid_blocks", no_cutting)
    again = s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 0)
    np.testing.assert_array_equal(first[0], again[0])
    other_seed = s3dis.load(s3dis_root, "segmentation", "test", NUM_POINTS, 1)
    assert other_seed[0].shape == first[0].shape  # the cut is reused for any seed


def test_scannet_validation_holds_out_whole_rooms(tmp_path: Path):
    """Rescans of one room (scene0007_00, _01, _02) are all in val or all in train."""
    rooms = {f"scene{room:04d}": 1 + room % 3 for room in range(25)}
    scans = [f"{room}_{k:02d}" for room, count in rooms.items() for k in range(count)]
    (tmp_path / "scannetv2_train.txt").write_text("\n".join(scans) + "\n")
    train = scannet.read_scene_list(tmp_path, "train")
    val = scannet.read_scene_list(tmp_path, "val")
    assert sorted(train + val) == sorted(scans)
    val_rooms = {scan.rsplit("_", 1)[0] for scan in val}
    assert val_rooms.isdisjoint(scan.rsplit("_", 1)[0] for scan in train)
    assert sorted(val_rooms) == ["scene0000", "scene0010", "scene0020"]  # every 10th room


def test_scannet_missing_scene_is_named_in_the_download_layout(scannet_root: Path):
    (scannet_root / "scannetv2_val.txt").write_text("scene0009_00\n")
    expected = scannet_root / "scans" / "scene0009_00" / "scene0009_00_vh_clean_2.ply"
    with pytest.raises(FileNotFoundError, match=naming(expected)):
        scannet.load(scannet_root, "segmentation", "test", NUM_POINTS, 0)


def test_scannet_non_finite_vertex_is_named(scannet_root: Path):
    mesh = scannet_root / "scans" / "scene0002_00" / "scene0002_00_vh_clean_2.ply"
    xyz = np.zeros((300, 3), np.float32)
    xyz[17, 1] = np.inf
    write_binary_ply(mesh, xyz, None)
    with pytest.raises(DataError) as error:
        scannet.load(scannet_root, "segmentation", "test", NUM_POINTS, 0)
    assert "vertex 18 of 300" in one_line_error(error, mesh, None)


def test_modelnet40_checks_the_columns_of_every_vertex_and_face_line(tmp_path: Path):
    mesh = tmp_path / "chair_0001.off"
    # A short vertex line then a long one: the right number of values in total.
    write_rows(mesh, ["OFF", "3 1 0", "0 0", "1 0 0 0", "0 1 0", "3 0 1 2"])
    with pytest.raises(DataError) as error:
        modelnet40.read_off(mesh)
    assert "3 coordinates" in one_line_error(error, mesh, 3)
    # A face that announces four corners and lists three.
    write_rows(mesh, ["OFF", "# a comment", "4 2 0", *["0 0 0", "1 0 0", "0 1 0", "0 0 1"]])
    with mesh.open("a") as file:
        file.write("4 0 1 2\n3 0 1 3\n")
    with pytest.raises(DataError) as error:
        modelnet40.read_off(mesh)
    assert "4 corners" in one_line_error(error, mesh, 8)


def test_modelnet40_non_finite_vertex_is_named_not_a_missing_surface(tmp_path: Path):
    mesh = write_rows(tmp_path / "chair_0001.off", ["OFF", "3 1 0", "0 0 0", "1 nan 0", "0 1 0"])
    with mesh.open("a") as file:
        file.write("3 0 1 2\n")
    with pytest.raises(DataError) as error:
        modelnet40.mesh_to_points(mesh, NUM_POINTS, np.random.default_rng(0))
    message = one_line_error(error, mesh, 4)
    assert "non-finite" in message and "surface" not in message


def test_shapenetpart_checks_lines_values_and_the_category_of_parts(shapenet_root: Path):
    shape = shapenet_root / SYNSETS["Chair"] / "shape005.txt"  # a Chair: parts 12..15
    write_rows(shape, ["0.1 0.2 0.3 0 0 1 12", "0.1 0.2 oops 0 0 1 13"])
    with pytest.raises(DataError) as error:
        shapenetpart.load(shapenet_root, "segmentation", "test", NUM_POINTS, 0)
    one_line_error(error, shape, 2)
    write_rows(shape, ["0.1 0.2 0.3 0 0 1 12", "0.1 inf 0.3 0 0 1 13"])
    with pytest.raises(DataError) as error:
        shapenetpart.load(shapenet_root, "segmentation", "test", NUM_POINTS, 0)
    assert "non-finite" in one_line_error(error, shape, 2)
    write_rows(shape, ["0.1 0.2 0.3 0 0 1 12", "0.1 0.2 0.3 0 0 1 2"])  # 2: an Airplane part
    with pytest.raises(DataError) as error:
        shapenetpart.load(shapenet_root, "segmentation", "test", NUM_POINTS, 0)
    assert "Airplane" in one_line_error(error, shape, 2)


def test_shapenetpart_missing_file_hints_at_the_unsupported_v0_layout(shapenet_root: Path):
    shape = shapenet_root / SYNSETS["Chair"] / "shape005.txt"
    shape.unlink()
    points = shapenet_root / SYNSETS["Chair"] / "points" / "shape005.pts"  # the v0 layout
    write_rows(points, ["0.1 0.2 0.3"])
    with pytest.raises(FileNotFoundError, match=naming(shape)) as error:
        shapenetpart.load(shapenet_root, "segmentation", "test", NUM_POINTS, 0)
    assert "v0_normal" in str(error.value) and "not supported" in str(error.value)
