"""What the real-dataset readers share.

* ``DatasetFileError``: a corrupt, truncated or malformed file; the message starts with its path.
* ``require_dir`` / ``require_file``: a missing folder or file raises ``FileNotFoundError``
  naming it.
* ``fixed_size_indices`` and ``item_rng``: seeded resampling of any number of points to exactly
  ``num_points``; every item gets its own generator, so an item's points do not depend on which
  other items were loaded.
* ``holdout``: the validation split of datasets that ship none (every 10th official training
  item), so that checkpoint selection never looks at the test split.
* ``grid_blocks``: cutting a room or scan into square columns, the way PointNet and its
  successors feed scenes to a fixed-size network.
* ``cached_arrays``: a split's final arrays kept as ``.npz`` in ``<root>/.npcache/``, so
  parsing thousands of text meshes happens once, not at every run.
"""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

SPLITS = ("train", "val", "test")
VALIDATION_EVERY = 10  # "val" = official training items 0, 10, 20, ... of the sorted list


class DatasetFileError(ValueError):
    """A dataset file exists but cannot be read as the expected format; names the file."""

    def __init__(self, path: str | Path, problem: str):
        self.path = Path(path)
        super().__init__(f"{self.path}: {problem}")


def require_dir(path: str | Path, what: str) -> Path:
    """``path`` as a Path, or ``FileNotFoundError`` naming it and what was expected there."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(
            errno.ENOENT, f"{what} not found (see docs/DATASETS.md for the layout)", str(path)
        )
    return path


def require_file(path: str | Path) -> Path:
    """``path`` as a Path, or ``FileNotFoundError`` naming it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(errno.ENOENT, "dataset file not found", str(path))
    return path


def check_split(split: str) -> None:
    """Reject a split name the readers do not know."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")


def holdout(items: Sequence, split: str) -> list:
    """The validation items (every 10th) or the rest (training) of an official training list."""
    items = list(items)
    if split == "val":
        return items[::VALIDATION_EVERY]
    return [item for i, item in enumerate(items) if i % VALIDATION_EVERY]


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
    """Square columns of a scene: a list of (point indices, block centre xy).

    The grid starts at the scene's minimum x and y; blocks holding fewer than ``min_points``
    points are dropped (PointNet's S3DIS preparation drops blocks under 100 points).
    """
    if block_size <= 0 or stride <= 0:
        raise ValueError("block_size and block_stride must be positive")
    xy = xyz[:, :2]
    low = xy.min(axis=0)
    extent = xy.max(axis=0) - low
    steps = np.maximum(np.ceil((extent - block_size) / stride), 0).astype(int) + 1
    blocks = []
    for i in range(steps[0]):
        for j in range(steps[1]):
            corner = low + np.array([i, j]) * stride
            inside = np.all((xy >= corner) & (xy <= corner + block_size), axis=1)
            if inside.sum() >= min_points:
                blocks.append((np.flatnonzero(inside), corner + block_size / 2))
    return blocks


def scene_blocks(
    xyz: np.ndarray,
    labels: np.ndarray,
    num_points: int,
    rng: np.random.Generator,
    block_size: float,
    block_stride: float | None,
    min_block_points: int,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Cut one scene into blocks of exactly ``num_points`` points with their labels.

    Coordinates stay in metres: x and y relative to the block centre, z above the scene's
    lowest point (the floor), so height keeps its meaning across blocks.
    """
    xyz = xyz - xyz.min(axis=0)
    stride = block_size if block_stride is None else block_stride
    block_points, block_labels = [], []
    for indices, centre in grid_blocks(xyz, block_size, stride, min_block_points):
        chosen = indices[fixed_size_indices(len(indices), num_points, rng)]
        points = xyz[chosen].copy()
        points[:, :2] -= centre
        block_points.append(points.astype(np.float32))
        block_labels.append(labels[chosen].astype(np.int64))
    return block_points, block_labels


def stack_or_fail(
    points: list[np.ndarray], labels: list[np.ndarray], where: Path, split: str
) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-item arrays, or explain that the split came out empty."""
    if not points:
        raise ValueError(f"{where}: no samples for split {split!r} (see docs/DATASETS.md)")
    return np.stack(points).astype(np.float32), np.stack(labels).astype(np.int64)


def cached_arrays(
    root: Path,
    key: str,
    sources: Sequence[Path],
    build: Callable[[], tuple[np.ndarray, np.ndarray]],
    enabled: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """``build()``'s (points, labels), cached in ``<root>/.npcache/`` when the folder is writable.

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
                return stored["points"], stored["labels"]
        except (OSError, ValueError, KeyError):
            pass  # unreadable entry: rebuild it
    points, labels = build()
    try:
        path.parent.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        with open(partial, "wb") as file:  # write then rename: never a half-written entry
            np.savez(file, points=points, labels=labels)
        partial.replace(path)
    except OSError:
        pass  # read-only dataset folder: parse again next time
    return points, labels
