"""ModelNet40 from its original ``.off`` meshes (Princeton ModelNet40.zip).

Layout: ``<root>/<class>/{train,test}/<class>_NNNN.off``. Each mesh is sampled to
``num_points`` points uniformly on its surface (area-weighted), then centred on its bounding
box and scaled into the unit sphere. Class names are the folder names, sorted, so the class
index of "airplane" is 0. Splits: the official train/test folders; "val" is every 10th
training mesh of each class (and "train" the rest), so the test split never picks a checkpoint.

Real-data quirk handled: some ModelNet40 files glue the header to the counts on
the first line (``OFF490 518 0`` instead of ``OFF`` then ``490 518 0``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .mesh_sampling import sample_surface
from .readers_common import (
    DatasetFileError,
    cached_arrays,
    check_split,
    holdout,
    item_rng,
    normalise_to_unit_sphere,
    require_dir,
    require_file,
    stack_or_fail,
)

SPLIT_CODES = {"train": 0, "val": 1, "test": 2}


def read_off(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Vertices float64 [V, 3] and triangles int64 [F, 3] of an ASCII OFF mesh.

    Polygons with more than three corners are split into a fan of triangles. Raises
    ``DatasetFileError`` naming the file when it is malformed or truncated.
    """
    path = require_file(path)
    text = path.read_bytes().decode("latin-1")
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines or not lines[0].startswith("OFF"):
        raise DatasetFileError(path, "not an OFF file (first line must start with 'OFF')")
    # "OFF" alone, "OFF 490 518 0" or the glued "OFF490 518 0".
    counts_text, body = lines[0][3:].split(), lines[1:]
    if not counts_text:
        if not body:
            raise DatasetFileError(path, "OFF header has no vertex/face counts")
        counts_text, body = body[0].split(), body[1:]
    try:
        num_vertices, num_faces = int(counts_text[0]), int(counts_text[1])
    except (IndexError, ValueError):
        raise DatasetFileError(path, f"bad OFF counts line {' '.join(counts_text)!r}") from None
    if len(body) < num_vertices + num_faces:
        raise DatasetFileError(
            path,
            f"truncated: header promises {num_vertices} vertices and {num_faces} faces, "
            f"file has {len(body)} data lines",
        )
    try:
        vertices = np.array(" ".join(body[:num_vertices]).split(), dtype=np.float64)
        vertices = vertices.reshape(num_vertices, 3)
    except ValueError:
        raise DatasetFileError(path, "malformed vertex lines (expected 'x y z')") from None
    faces = _parse_faces(path, body[num_vertices : num_vertices + num_faces])
    if faces.size and (faces.min() < 0 or faces.max() >= num_vertices):
        raise DatasetFileError(path, f"face refers to a vertex outside 0..{num_vertices - 1}")
    return vertices, faces


def _parse_faces(path: Path, lines: list[str]) -> np.ndarray:
    """Faces as triangles; fast path when every face is a triangle ('3 a b c')."""
    try:
        table = np.array(" ".join(lines).split(), dtype=np.int64)
        if table.size == 4 * len(lines):
            table = table.reshape(len(lines), 4)
            if np.all(table[:, 0] == 3):
                return table[:, 1:]
        triangles = []
        for line in lines:  # mixed polygons: fan-triangulate (extra colour columns ignored)
            words = line.split()
            corners = [int(word) for word in words[1 : 1 + int(words[0])]]
            if len(corners) < 3:
                raise ValueError
            triangles += [
                (corners[0], corners[k], corners[k + 1]) for k in range(1, len(corners) - 1)
            ]
    except (ValueError, IndexError):
        raise DatasetFileError(path, "malformed face lines (expected 'n i1 ... in')") from None
    return np.array(triangles, dtype=np.int64).reshape(-1, 3)


def mesh_to_points(path: str | Path, num_points: int, rng: np.random.Generator) -> np.ndarray:
    """One mesh as ``num_points`` surface points, normalised into the unit sphere."""
    vertices, faces = read_off(path)
    try:
        points = sample_surface(vertices, faces, num_points, rng)
    except ValueError as error:
        raise DatasetFileError(path, str(error)) from None
    return normalise_to_unit_sphere(points, vertices[np.unique(faces)])


def class_names(root: str | Path, task: str = "classification") -> list[str]:
    """The sorted class folder names, without reading any mesh."""
    root = require_dir(root, "ModelNet40 root")
    classes = sorted(
        entry.name
        for entry in root.iterdir()
        if entry.is_dir()
        and not entry.name.startswith((".", "_"))
        and ((entry / "train").is_dir() or (entry / "test").is_dir())
    )
    if not classes:
        raise FileNotFoundError(
            f"{root}: no class folders of the form <class>/train/*.off (see docs/DATASETS.md)"
        )
    return classes


def list_files(root: Path, split: str) -> tuple[list[tuple[Path, int]], list[str]]:
    """(mesh path, class index) pairs of a split, and the sorted class names."""
    classes = class_names(root)
    folder = "test" if split == "test" else "train"
    files = []
    for label, name in enumerate(classes):
        meshes = sorted(p for p in (root / name / folder).glob("*.off") if p.name[0] != ".")
        if split != "test":
            meshes = holdout(meshes, split)
        files += [(mesh, label) for mesh in meshes]
    return files, classes


def load(
    root: str | Path, task: str, split: str, num_points: int, seed: int, cache: bool = True
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """ModelNet40 classification: points float32 [N, P, 3], labels int64 [N], class names.

    With ``cache`` the sampled split is kept in ``<root>/.npcache/`` (see ``cached_arrays``).
    """
    if task != "classification":
        raise ValueError(f"ModelNet40 only supports task 'classification', got {task!r}")
    check_split(split)
    root = require_dir(root, "ModelNet40 root")
    files, classes = list_files(root, split)

    def sample_all() -> tuple[np.ndarray, np.ndarray]:
        points, labels = [], []
        for index, (path, label) in enumerate(files):
            rng = item_rng(seed, SPLIT_CODES[split], index)
            points.append(mesh_to_points(path, num_points, rng))
            labels.append(np.int64(label))
        return stack_or_fail(points, labels, root, split)

    key = f"modelnet40 {split} {num_points} {seed} {classes}"
    points, labels = cached_arrays(root, key, [path for path, _ in files], sample_all, cache)
    return points, labels, classes
