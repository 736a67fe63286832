"""ShapeNetPart (``shapenetcore_partanno_segmentation_benchmark_v0_normal``).

Layout under ``<root>``:

* ``synsetoffset2category.txt``: one ``<Category> <synset>`` per line (16 categories);
* ``<synset>/<shape id>.txt``: one point per row, ``x y z nx ny nz part_label``, where the
  part label is already the global id 0..49 of the benchmark;
* ``train_test_split/shuffled_{train,val,test}_file_list.json``: lists of
  ``"shape_data/<synset>/<shape id>"``.

Tasks: "classification" labels each shape with its category (sorted names, as in the file);
"segmentation" labels every point with its part id (50 classes, ``PART_NAMES``). Each shape is
centred on its bounding box, scaled into the unit sphere and resampled to ``num_points``.
Splits are the official train/val/test lists.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError
from . import DATASETS
from .base import ReaderDataset
from .readers_common import (
    DatasetFileError,
    cached_arrays,
    check_split,
    fixed_size_indices,
    item_rng,
    normalise_to_unit_sphere,
    read_text_table,
    require_dir,
    require_file,
    stack_or_fail,
)

# Parts per category, in the benchmark's order; global part ids are consecutive in this order
# (Airplane 0-3, Bag 4-5, ..., Table 47-49).
PARTS_PER_CATEGORY = {
    "Airplane": 4,
    "Bag": 2,
    "Cap": 2,
    "Car": 4,
    "Chair": 4,
    "Earphone": 3,
    "Guitar": 3,
    "Knife": 2,
    "Lamp": 4,
    "Laptop": 2,
    "Motorbike": 6,
    "Mug": 2,
    "Pistol": 3,
    "Rocket": 3,
    "Skateboard": 3,
    "Table": 3,
}
PART_NAMES = [
    f"{category.lower()}_part{k}"
    for category, count in PARTS_PER_CATEGORY.items()
    for k in range(count)
]


def part_ids_by_category() -> dict[str, list[int]]:
    """Global part ids of each category, for the standard instance-averaged mIoU."""
    ids, start = {}, 0
    for category, count in PARTS_PER_CATEGORY.items():
        ids[category] = list(range(start, start + count))
        start += count
    return ids


PART_IDS = part_ids_by_category()
PART_CATEGORY = {part: category for category, ids in PART_IDS.items() for part in ids}


def read_categories(root: Path) -> dict[str, str]:
    """``{synset: category}`` from ``synsetoffset2category.txt``."""
    path = require_file(root / "synsetoffset2category.txt")
    categories = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        words = line.split()
        if not words:
            continue
        if len(words) != 2:
            raise DatasetFileError.at(path, number, "expected '<Category> <synset>'")
        if words[0] not in PARTS_PER_CATEGORY:
            known = ", ".join(PARTS_PER_CATEGORY)
            raise DatasetFileError.at(path, number, f"unknown category {words[0]!r} ({known})")
        categories[words[1]] = words[0]
    if not categories:
        raise DatasetFileError.at(path, None, "no categories listed")
    return categories


def read_split(root: Path, split: str) -> list[tuple[str, str]]:
    """(synset, shape id) pairs of an official split list."""
    path = require_file(root / "train_test_split" / f"shuffled_{split}_file_list.json")
    try:
        entries = json.loads(path.read_text())
        pairs = [tuple(entry.split("/")[-2:]) for entry in entries]
    except (json.JSONDecodeError, AttributeError, TypeError) as error:
        problem = f"not a JSON list of 'shape_data/<synset>/<id>': {error}"
        raise DatasetFileError.at(path, None, problem) from None
    if any(len(pair) != 2 for pair in pairs):
        raise DatasetFileError.at(path, None, "entries must look like 'shape_data/<synset>/<id>'")
    return pairs


# What a missing shape file most often means: the other release of the benchmark.
LAYOUT_HINT = (
    "ShapeNetPart is read from shapenetcore_partanno_segmentation_benchmark_v0_normal (one "
    "<synset>/<id>.txt per shape: x y z nx ny nz part); the v0 layout without normals "
    "(<synset>/points/*.pts, points_label/*.seg) is not supported (docs/DATASETS.md)"
)


def read_shape(path: Path, category: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Points float64 [n, 3] and global part ids int64 [n] of one shape file.

    Every part id must be an integer id of the shape's ``category`` (when given): a part of
    another category is an error naming the line."""
    table = read_text_table(require_file(path, LAYOUT_HINT), 7, "x y z nx ny nz part", np.float64)
    parts = table[:, 6].astype(np.int64)
    allowed = np.zeros(len(PART_NAMES), dtype=bool)
    allowed[PART_IDS[category] if category else slice(None)] = True
    bad = (parts != table[:, 6]) | (parts < 0) | (parts >= len(PART_NAMES))
    bad |= ~allowed[np.clip(parts, 0, len(PART_NAMES) - 1)]
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = table[row, 6]
        if value != int(value) or not 0 <= value < len(PART_NAMES):
            problem = f"part label {value:g} is not an integer 0..{len(PART_NAMES) - 1}"
        else:
            owner = PART_CATEGORY[int(value)]
            problem = f"part id {int(value)} belongs to {owner}, not to this {category} shape"
        raise DatasetFileError.at(path, _line_of_row(path, row), problem)
    return table[:, :3], parts


def _line_of_row(path: Path, row: int) -> int:
    """The 1-based line of a file's ``row``-th non-blank line (for messages)."""
    with open(path, "rb") as file:
        seen = -1
        for number, line in enumerate(file, 1):
            seen += bool(line.strip())
            if seen == row:
                return number
    return row + 1


def class_names(root: str | Path, task: str) -> list[str]:
    """Category names (classification) or the 50 part names (segmentation); no shape is read."""
    if task == "segmentation":
        return list(PART_NAMES)
    categories = read_categories(require_dir(root, "ShapeNetPart root"))
    return sorted(set(categories.values()))


def load(
    root: str | Path, task: str, split: str, num_points: int, seed: int, cache: bool = True
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """ShapeNetPart: points float32 [N, P, 3]; labels int64 [N] (category) or [N, P] (part).

    With ``cache`` the resampled split is kept in ``<root>/.npcache/`` (see ``cached_arrays``).
    """
    if task not in ("classification", "segmentation"):
        raise ConfigError(f"task must be 'classification' or 'segmentation', got {task!r}")
    check_split(split)
    root = require_dir(root, "ShapeNetPart root")
    categories = read_categories(root)
    category_names = sorted(set(categories.values()))
    # A category left out of synsetoffset2category.txt is left out of the data too.
    shapes = [pair for pair in read_split(root, split) if pair[0] in categories]
    paths = [root / synset / f"{shape_id}.txt" for synset, shape_id in shapes]

    def resample_all() -> tuple[np.ndarray, np.ndarray]:
        points, labels = [], []
        for index, ((synset, _), path) in enumerate(zip(shapes, paths, strict=True)):
            xyz, parts = read_shape(path, categories[synset])
            chosen = fixed_size_indices(len(xyz), num_points, item_rng(seed, index))
            points.append(normalise_to_unit_sphere(xyz[chosen], xyz))
            if task == "segmentation":
                labels.append(parts[chosen])
            else:
                labels.append(np.int64(category_names.index(categories[synset])))
        return stack_or_fail(points, labels, root, split)

    for path in paths:  # stat() below needs them; a missing one is named here
        require_file(path, LAYOUT_HINT)
    key = f"shapenetpart {task} {split} {num_points} {seed} {sorted(categories.items())}"
    points, labels = cached_arrays(root, key, paths, resample_all, cache)
    return points, labels, list(PART_NAMES) if task == "segmentation" else category_names


@DATASETS.register("shapenetpart")
class ShapeNetPart(ReaderDataset):
    """ShapeNetPart shapes: categories (classification) or 50 parts (segmentation).

    Options (``data.shapenetpart``): the keywords of ``load`` above."""

    read = staticmethod(load)
    names = staticmethod(class_names)
