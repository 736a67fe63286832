"""ModelNet40 from its original ``.off`` meshes (Princeton ModelNet40.zip).

Layout: ``<root>/<class>/{train,test}/<class>_NNNN.off``. Each mesh is sampled to
``num_points`` points uniformly on its surface (area-weighted), then centred on its bounding
box and scaled into the unit sphere. Class names are the folder names, sorted, so the class
index of "airplane" is 0. Splits: the official train/test folders; "val" is every 10th
training mesh of each class (and "train" the rest), so the test split never picks a checkpoint.

Real-data quirk handled: some ModelNet40 files glue the header to the counts on
the first line (``OFF490 518 0`` instead of ``OFF`` then ``490 518 0``). Every vertex and face
line is checked (column count, numbers, finite values): a problem names the file and line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import ConfigError
from . import DATASETS
from .base import ReaderDataset
from .mesh_sampling import sample_surface
from .readers_common import (
    DatasetFileError,
    MissingDataError,
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

    Polygons with more than three corners are split into a fan of triangles. Every vertex
    line must hold 3 finite numbers and every face line ``n i1 ... in`` (optionally followed
    by a colour of 3 or 4 values); anything else raises ``DatasetFileError`` with the file
    and the 1-based line.
    """
    path = require_file(path)
    text = path.read_bytes().decode("latin-1")
    # (line number, content) of every line that holds something once comments are removed.
    lines = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    if not lines or not lines[0][1].startswith("OFF"):
        raise DatasetFileError.at(path, 1, "not an OFF file (first line must start with 'OFF')")
    # "OFF" alone, "OFF 490 518 0" or the glued "OFF490 518 0".
    counts_line, counts_text, body = lines[0][0], lines[0][1][3:].split(), lines[1:]
    if not counts_text:
        if not body:
            raise DatasetFileError.at(path, None, "OFF header has no vertex/face counts")
        (counts_line, counts), body = body[0], body[1:]
        counts_text = counts.split()
    try:
        num_vertices, num_faces = int(counts_text[0]), int(counts_text[1])
    except (IndexError, ValueError):
        problem = f"bad OFF counts {' '.join(counts_text)!r} (expected 'vertices faces edges')"
        raise DatasetFileError.at(path, counts_line, problem) from None
    if len(body) < num_vertices + num_faces:
        raise DatasetFileError.at(
            path,
            None,
            f"truncated: header promises {num_vertices} vertices and {num_faces} faces, "
            f"file has {len(body)} data lines",
        )
    vertices = _parse_vertices(path, body[:num_vertices])
    faces = _parse_faces(path, body[num_vertices : num_vertices + num_faces], num_vertices)
    return vertices, faces


def _parse_vertices(path: Path, lines: list[tuple[int, str]]) -> np.ndarray:
    """Vertex lines 'x y z': float64 [V, 3], each line's columns and values checked."""
    words = [line.split() for _, line in lines]
    for (number, _), row in zip(lines, words, strict=True):
        if len(row) != 3:
            raise DatasetFileError.at(
                path, number, f"expected 3 coordinates 'x y z', found {len(row)}"
            )
    try:
        vertices = np.array([w for row in words for w in row], dtype=np.float64).reshape(-1, 3)
    except ValueError:
        for (number, _), row in zip(lines, words, strict=True):
            bad = [w for w in row if not _is_float(w)]
            if bad:
                raise DatasetFileError.at(path, number, f"{bad[0]!r} is not a number") from None
        raise
    finite = np.isfinite(vertices).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise DatasetFileError.at(
            path, lines[row][0], f"non-finite vertex coordinate in {lines[row][1]!r}"
        )
    return vertices


def _parse_faces(path: Path, lines: list[tuple[int, str]], num_vertices: int) -> np.ndarray:
    """Face lines 'n i1 ... in [colour]' as triangles (fans); every line checked."""
    words = [line.split() for _, line in lines]
    if all(len(row) == 4 and row[0] == "3" for row in words):  # fast path: all triangles
        try:
            table = np.array([w for row in words for w in row[1:]], dtype=np.int64)
            triangles, triangle_lines = table.reshape(-1, 3), [n for n, _ in lines]
        except ValueError:
            triangles = None
    else:
        triangles = None
    if triangles is None:
        rows, triangle_lines = [], []
        for (number, _), row in zip(lines, words, strict=True):
            try:
                corners = int(row[0])
                indices = [int(word) for word in row[1 : 1 + corners]]
            except ValueError:
                raise DatasetFileError.at(
                    path, number, f"not a face line 'n i1 ... in': {' '.join(row)!r}"
                ) from None
            if corners < 3:
                raise DatasetFileError.at(
                    path, number, f"a face needs 3 or more corners, not {corners}"
                )
            listed = len(row) - 1
            if listed not in (corners, corners + 3, corners + 4):  # optional RGB(A) colour
                raise DatasetFileError.at(
                    path, number, f"face line declares {corners} corners but lists {listed} values"
                )
            for k in range(1, corners - 1):
                rows.append((indices[0], indices[k], indices[k + 1]))
                triangle_lines.append(number)
        triangles = np.array(rows, dtype=np.int64).reshape(-1, 3)
    outside = (triangles < 0) | (triangles >= num_vertices)
    if outside.any():
        line = triangle_lines[int(np.flatnonzero(outside.any(axis=1))[0])]
        raise DatasetFileError.at(
            path, line, f"face refers to a vertex outside 0..{num_vertices - 1}"
        )
    return triangles


def _is_float(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def mesh_to_points(path: str | Path, num_points: int, rng: np.random.Generator) -> np.ndarray:
    """One mesh as ``num_points`` surface points, normalised into the unit sphere."""
    vertices, faces = read_off(path)
    try:
        points = sample_surface(vertices, faces, num_points, rng)
    except ValueError as error:
        raise DatasetFileError.at(path, None, str(error)) from None
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
        raise MissingDataError.at(
            root, None, "no class folders of the form <class>/train/*.off (see docs/DATASETS.md)"
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
        raise ConfigError(f"ModelNet40 only supports task 'classification', got {task!r}")
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


@DATASETS.register("modelnet40")
class ModelNet40(ReaderDataset):
    """ModelNet40 meshes (classification): ``<root>/<class>/{train,test}/*.off``.

    Options (``data.modelnet40``): the keywords of ``load`` above."""

    read = staticmethod(load)
    names = staticmethod(class_names)
