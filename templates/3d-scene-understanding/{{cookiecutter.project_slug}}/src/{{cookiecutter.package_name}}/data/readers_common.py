"""What the real-dataset readers share.

* ``DatasetFileError``: a corrupt, truncated or malformed file, raised as
  ``DatasetFileError.at(path, line, problem)``: ``path:line: problem`` with the 1-based line
  (no line: the whole file). ``MissingDataError``: a dataset folder or file that is not
  there, named. Both are the project's ``DataError`` (one line and exit code 1 at the command
  line).
* ``read_text_table``: rows of numbers in a text file (S3DIS, ShapeNetPart), fast (pandas'
  C parser), with every row's column count and every value checked; a problem is reported
  with its line.
* ``require_dir`` / ``require_file``: a missing folder or file raises ``MissingDataError``.
* ``fixed_size_indices`` and ``item_rng``: seeded resampling of any number of points to exactly
  ``num_points``; every item gets its own generator, so an item's points do not depend on which
  other items were loaded.
* ``holdout``: the validation split of datasets that ship none (every 10th official training
  item), so that checkpoint selection never looks at the test split.
* ``grid_blocks``: cutting a room or scan into square columns in one pass over its points, the
  way PointNet and its successors feed scenes to a fixed-size network.
* ``cached_arrays`` / ``cached_npz``: arrays kept as ``.npz`` in ``<root>/.npcache/``, so
  parsing thousands of text files (and cutting rooms) happens once, not at every run.
"""

from __future__ import annotations

import hashlib
import math
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError, DataError

SPLITS = ("train", "val", "test")
VALIDATION_EVERY = 10  # "val" = official training items 0, 10, 20, ... of the sorted list
# Control bytes that stand in no text format: a damaged byte (tab, CR and LF are not here).
STRAY_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


class DatasetFileError(DataError):
    """A dataset file exists but does not hold what its format says: raise it as
    ``DatasetFileError.at(path, line, problem)`` (``path:line: problem``, 1-based line)."""


class MissingDataError(DataError, FileNotFoundError):
    """A dataset folder or file that is not where the config says; the message names it."""


def require_dir(path: str | Path, what: str) -> Path:
    """``path`` as a Path, or ``MissingDataError`` naming it and what was expected there."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise MissingDataError.at(path, None, f"{what} not found (docs/DATASETS.md: the layout)")
    return path


def require_file(path: str | Path, hint: str = "") -> Path:
    """``path`` as a Path, or ``MissingDataError`` naming it (and ``hint``, when given)."""
    path = Path(path)
    if not path.is_file():
        raise MissingDataError.at(
            path, None, "dataset file not found" + (f"; {hint}" if hint else "")
        )
    return path


# ----------------------------------------------------------------------------- text tables


def read_text_table(
    path: Path, columns: int, layout: str, dtype=np.float32, repair_stray_bytes: bool = False
) -> np.ndarray:
    """The rows of a text file of numbers separated by spaces: ``dtype`` [rows, columns].

    Every row must hold exactly ``columns`` finite numbers (``layout`` names them, for the
    messages); blank lines are skipped. A problem raises ``DatasetFileError`` with the 1-based
    line. With ``repair_stray_bytes`` a control byte standing where a separator belongs (the
    known S3DIS defect: ``3.048\\x10187``, five columns) is read as a space, with a warning
    naming file and line.

    The fast path is pandas' C parser (faster than ``numpy.loadtxt``; by how much depends on
    NumPy's version: ``benchmarks/room_cutting.py`` times both); any file it does not read
    cleanly is read again line by line, which finds the exact problem.
    """
    raw = require_file(path).read_bytes()
    table = _parse_fast(raw, columns, dtype)
    if table is None:
        table = _parse_lines(path, raw, columns, layout, dtype, repair_stray_bytes)
    if len(table) == 0:
        raise DatasetFileError.at(path, None, f"no rows (expected '{layout}')")
    return table


def _parse_fast(raw: bytes, columns: int, dtype) -> np.ndarray | None:
    """The table, or None when the file needs the careful reading (any doubt at all)."""
    import io

    import pandas as pd

    if b"\x00" in raw or not raw.strip():  # a NUL would end the C parser's field early
        return None
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            sep=" ",
            header=None,
            dtype=np.float64,
            engine="c",
            skip_blank_lines=True,
            na_filter=True,
            quoting=3,  # QUOTE_NONE: quotes are errors
        )
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    values = frame.to_numpy(dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != columns or not np.isfinite(values).all():
        return None  # a short row (NaN-filled), a literal nan/inf, or another column count
    return values.astype(dtype)


def _parse_lines(
    path: Path, raw: bytes, columns: int, layout: str, dtype, repair: bool
) -> np.ndarray:
    """The careful reading: every line checked, the first problem raised with its line."""
    rows = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        words = line.split()
        if not words:
            continue
        if len(words) != columns and repair and any(b in line for b in STRAY_BYTES):
            repaired = line.translate(_STRAY_TO_SPACE).split()
            if len(repaired) == columns and all(_is_number(w) for w in repaired):
                stray = next(b for b in line if b in STRAY_BYTES)
                warnings.warn(
                    f"{path}:{number}: read the stray byte 0x{stray:02x} as the space it "
                    "replaced (a known defect of the S3DIS archive)",
                    stacklevel=3,
                )
                words = repaired
        if len(words) != columns:
            problem = f"expected {columns} columns '{layout}', found {len(words)}"
            raise DatasetFileError.at(path, number, problem + _stray_note(line))
        word = next((w for w in words if not _is_number(w)), None)
        if word is not None:
            text = word.decode("latin-1")
            raise DatasetFileError.at(path, number, f"{text!r} is not a number{_stray_note(word)}")
        values = [float(word) for word in words]
        if not all(math.isfinite(value) for value in values):
            word = next(w for w, v in zip(words, values, strict=True) if not math.isfinite(v))
            problem = f"non-finite value {word.decode('latin-1')!r} in '{layout}'"
            raise DatasetFileError.at(path, number, problem)
        rows.append(values)
    return np.array(rows, dtype=np.float64).reshape(-1, columns).astype(dtype)


_STRAY_TO_SPACE = bytes.maketrans(STRAY_BYTES, b" " * len(STRAY_BYTES))


def _is_number(word: bytes) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return b"_" not in word  # float() takes 1_000; no dataset writes it


def _stray_note(text: bytes) -> str:
    stray = [byte for byte in text if byte in STRAY_BYTES]
    return f" (stray byte 0x{stray[0]:02x})" if stray else ""


# ----------------------------------------------------------------------------- splits


def check_split(split: str) -> None:
    """Reject a split name the readers do not know."""
    if split not in SPLITS:
        raise ConfigError(f"split must be one of {SPLITS}, got {split!r}")


def holdout(items: Sequence, split: str) -> list:
    """The validation items (every 10th) or the rest (training) of an official training list."""
    items = list(items)
    if split == "val":
        return items[::VALIDATION_EVERY]
    return [item for i, item in enumerate(items) if i % VALIDATION_EVERY]


def holdout_groups(items: Sequence, split: str, group: Callable[[object], object]) -> list:
    """``holdout`` over whole groups: every 10th group (sorted) is validation, with all of
    its items, so no group (a room scanned several times) is on both sides."""
    groups = holdout(sorted({group(item) for item in items}), "val")
    return [item for item in items if (group(item) in groups) == (split == "val")]


def item_rng(seed: int, *keys: int) -> np.random.Generator:
    """A generator for one item, fixed by the run seed and the item's position."""
    return np.random.default_rng([int(seed), *(int(key) for key in keys)])


def fixed_size_indices(count: int, num_points: int, rng: np.random.Generator) -> np.ndarray:
    """``num_points`` indices into ``count`` points, in random order.

    A random subset when there are enough points; otherwise every point once plus random
    repeats, so no point is lost and the output size is always ``num_points``.
    """
    if count <= 0:
        raise ValueError("cannot resample an empty point set")
    if count >= num_points:
        return rng.choice(count, size=num_points, replace=False)
    repeats = rng.integers(0, count, num_points - count)
    return rng.permutation(np.concatenate([np.arange(count), repeats]))


def normalise_to_unit_sphere(points: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Centre on the bounding-box centre of ``reference`` and scale it into the unit sphere.

    ``reference`` defaults to ``points``; readers pass the whole shape (all mesh vertices, all
    points of a file) so the transform does not depend on which points were sampled.
    """
    reference = points if reference is None else reference
    centre = (reference.min(axis=0) + reference.max(axis=0)) / 2
    radius = np.linalg.norm(reference - centre, axis=1).max()
    return (points - centre) / (radius if radius > 0 else 1.0)


def grid_blocks(
    xyz: np.ndarray, block_size: float, stride: float, min_points: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Square columns of a scene: a list of (point indices, block centre xy), in grid order
    (x index, then y), indices ascending.

    The grid starts at the scene's minimum x and y; block (i, j) holds the points with
    ``corner <= xy <= corner + block_size``, ``corner = low + (i, j) * stride`` (a point on a
    shared border is in both blocks); blocks holding fewer than ``min_points`` points are
    dropped (PointNet's S3DIS preparation drops blocks under 100 points). One pass: every
    point is binned into the few blocks that can hold it, then one sort groups the blocks
    (a scan of all points per block took minutes on a large room).
    """
    if block_size <= 0 or stride <= 0:
        raise ValueError("block_size and block_stride must be positive")
    xy = xyz[:, :2]
    low = xy.min(axis=0)
    extent = xy.max(axis=0) - low
    steps = np.maximum(np.ceil((extent - block_size) / stride), 0).astype(int) + 1
    # Block i can hold u = x - low when u / stride - block_size / stride <= i <= u / stride:
    # candidates floor(u / stride) + 1 down to floor(u / stride) - floor(block / stride) - 1
    # (one more on each side for rounding), each confirmed by the exact test below.
    offsets = range(-1, int(math.floor(block_size / stride)) + 2)
    last = np.floor((xy - low) / stride).astype(np.int64)
    pairs = []
    for di in offsets:
        i = last[:, 0] - di
        for dj in offsets:
            j = last[:, 1] - dj
            valid = (i >= 0) & (i < steps[0]) & (j >= 0) & (j < steps[1])
            # The exact test of the per-block scan, in the same floating-point arithmetic.
            corner_x = low[0] + np.where(valid, i, 0) * stride
            corner_y = low[1] + np.where(valid, j, 0) * stride
            inside = valid & (xy[:, 0] >= corner_x) & (xy[:, 0] <= corner_x + block_size)
            inside &= (xy[:, 1] >= corner_y) & (xy[:, 1] <= corner_y + block_size)
            points = np.flatnonzero(inside)
            pairs.append((i[points] * steps[1] + j[points], points))
    block_ids = np.concatenate([ids for ids, _ in pairs])
    point_ids = np.concatenate([ids for _, ids in pairs])
    order = np.lexsort((point_ids, block_ids))
    block_ids, point_ids = block_ids[order], point_ids[order]
    ids, starts, counts = np.unique(block_ids, return_index=True, return_counts=True)
    blocks = []
    for block, start, count in zip(ids.tolist(), starts.tolist(), counts.tolist(), strict=True):
        if count >= min_points:
            corner = low + np.array([block // steps[1], block % steps[1]]) * stride
            blocks.append((point_ids[start : start + count], corner + block_size / 2))
    return blocks


def cut_scene(
    xyz: np.ndarray, block_size: float, block_stride: float | None, min_block_points: int
) -> dict[str, np.ndarray]:
    """The blocks of a scene as flat arrays, to cache: ``indices`` (every block's point
    indices, concatenated), ``offsets`` [blocks + 1] into it and ``centres`` [blocks, 2] (in
    the frame of the scene's minimum corner)."""
    xyz = xyz - xyz.min(axis=0)
    stride = block_size if block_stride is None else block_stride
    blocks = grid_blocks(xyz, block_size, stride, min_block_points)
    sizes = [len(indices) for indices, _ in blocks]
    return {
        "indices": np.concatenate([np.zeros(0, np.int64)] + [i for i, _ in blocks]).astype(
            np.int32 if len(xyz) < 2**31 else np.int64
        ),
        "offsets": np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]),
        "centres": np.array([centre for _, centre in blocks], dtype=np.float64).reshape(-1, 2),
    }


def scene_blocks(
    xyz: np.ndarray,
    labels: np.ndarray,
    num_points: int,
    rng: np.random.Generator,
    block_size: float,
    block_stride: float | None,
    min_block_points: int,
    cut: dict[str, np.ndarray] | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Cut one scene into blocks of exactly ``num_points`` points with their labels.

    Coordinates stay in metres: x and y relative to the block centre, z above the scene's
    lowest point (the floor), so height keeps its meaning across blocks. ``cut`` is the
    scene's ``cut_scene`` when it is already known (cached with the room).
    """
    if cut is None:
        cut = cut_scene(xyz, block_size, block_stride, min_block_points)
    xyz = xyz - xyz.min(axis=0)
    indices, offsets, centres = cut["indices"], cut["offsets"], cut["centres"]
    block_points, block_labels = [], []
    for block in range(len(centres)):
        members = indices[offsets[block] : offsets[block + 1]]
        chosen = members[fixed_size_indices(len(members), num_points, rng)]
        points = xyz[chosen].copy()
        points[:, :2] -= centres[block]
        block_points.append(points.astype(np.float32))
        block_labels.append(labels[chosen].astype(np.int64))
    return block_points, block_labels


def split_blocks(
    scenes: Iterable[tuple],
    split: str,
    seed: int,
    num_points: int,
    block_size: float,
    block_stride: float | None,
    min_block_points: int,
    where: Path,
) -> tuple[np.ndarray, np.ndarray]:
    """Every scene of a split, ``(xyz, labels)`` or ``(xyz, labels, cut)``, cut into blocks
    (``scene_blocks``) and stacked. Scene i draws from its own generator, so its blocks do not
    depend on the other scenes."""
    points, labels = [], []
    for index, (xyz, scene_labels, *cut) in enumerate(scenes):
        rng = item_rng(seed, SPLITS.index(split), index)
        block_points, block_labels = scene_blocks(
            xyz,
            scene_labels,
            num_points,
            rng,
            block_size,
            block_stride,
            min_block_points,
            cut[0] if cut else None,
        )
        points += block_points
        labels += block_labels
    return stack_or_fail(points, labels, where, split)


def stack_or_fail(
    points: list[np.ndarray], labels: list[np.ndarray], where: Path, split: str
) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-item arrays, or explain that the split came out empty."""
    if not points:
        raise DataError(f"{where}: no samples for split {split!r} (see docs/DATASETS.md)")
    return np.stack(points).astype(np.float32), np.stack(labels).astype(np.int64)


def cached_arrays(
    root: Path,
    key: str,
    sources: Sequence[Path],
    build: Callable[[], tuple[np.ndarray, np.ndarray]],
    enabled: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """``build()``'s (points, labels), cached in ``<root>/.npcache/`` (see ``cached_npz``)."""
    stored = cached_npz(
        root, key, sources, lambda: dict(zip(("points", "labels"), build(), strict=True)), enabled
    )
    return stored["points"], stored["labels"]


def cached_npz(
    root: Path,
    key: str,
    sources: Sequence[Path],
    build: Callable[[], dict[str, np.ndarray]],
    enabled: bool = True,
) -> dict[str, np.ndarray]:
    """``build()``'s named arrays, cached in ``<root>/.npcache/`` when the folder is writable.

    The entry is keyed by ``key`` (reader, task, split, num_points, seed, options) and by the
    name, size and modification time of every source file, so editing, adding or removing a
    file rebuilds it (and a file broken since then raises its error again).
    """
    if not enabled:
        return build()
    stamps = [(str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns) for p in sources]
    signature = hashlib.sha256(repr((key, stamps)).encode()).hexdigest()
    path = root / ".npcache" / f"{key.split(' ')[0]}-{signature[:20]}.npz"
    if path.is_file():
        try:
            with np.load(path) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError, KeyError):
            pass  # unreadable entry: rebuild it
    arrays = build()
    try:
        path.parent.mkdir(exist_ok=True)
        # Write then rename, under a name of this process: never a half-written entry, also
        # when several processes (torchrun) fill the cache at once.
        partial = path.with_suffix(f".{os.getpid()}.partial")
        with open(partial, "wb") as file:
            np.savez(file, **arrays)
        partial.replace(path)
    except OSError:
        pass  # read-only dataset folder: parse again next time
    return arrays
