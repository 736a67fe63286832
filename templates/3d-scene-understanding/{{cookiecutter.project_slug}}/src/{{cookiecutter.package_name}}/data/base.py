"""What every dataset of this project is: labelled point clouds, three fixed splits per task.

A dataset is registered by name (``data.name``) and built from the config: ``root`` (where its
files are, ``data.root``), ``seed`` (its sampling and splits, ``data.seed``; never the training
seed), ``num_points`` (``data.num_points``) and its own options (``data.<name>.*``).
"""

from __future__ import annotations

import abc
import inspect
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core.errors import ConfigError
from .readers_common import MissingDataError

TASKS = ("classification", "segmentation")
SPLITS = ("train", "val", "test")
# Label of points that belong to no class (ScanNet's unlabelled points): the loss and the
# metrics (core/metrics.py skips negative targets) leave them out.
IGNORE_INDEX = -1

Split = tuple[np.ndarray, np.ndarray, list[str]]  # points [N, P, 3], labels [N] | [N, P], names


class PointCloudDataset(abc.ABC):
    """One dataset: its class names and its labelled splits, for either task."""

    def __init__(self, root: str | None = None, seed: int = 0, num_points: int = 1024):
        self.root, self.seed, self.num_points = root, int(seed), int(num_points)

    @abc.abstractmethod
    def load(self, task: str, split: str) -> Split:
        """One split of one task, the same for a given seed whenever it is loaded."""

    def class_names(self, task: str) -> list[str]:
        """The class names of a task (default: read from the validation split)."""
        return self.split(task, "val")[2]

    def check(self, task: str, skip: tuple[str, ...] = ()) -> None:  # noqa: B027 (optional)
        """Make sure every split can be read, before any training time is spent on it.

        Generated data has nothing to check; a dataset read from files reads its splits
        (``ReaderDataset``)."""

    def split(self, task: str, split: str) -> Split:
        """``load`` with its arguments checked and its arrays contiguous float32 / int64."""
        if task not in TASKS:
            raise ConfigError(f"task must be one of {TASKS}, got {task!r}")
        if split not in SPLITS:
            raise ConfigError(f"split must be one of {SPLITS}, got {split!r}")
        points, labels, names = self.load(task, split)
        return (
            np.ascontiguousarray(points, dtype=np.float32),
            np.ascontiguousarray(labels, dtype=np.int64),
            list(names),
        )

    def require_root(self) -> Path:
        """data.root as a folder that exists, or an error saying what to set."""
        if not self.root:
            raise ConfigError(
                f"data.root is not set: point it at the unpacked {type(self).__name__} folder"
                " (docs/DATASETS.md names it and says where to get it)"
            )
        root = Path(self.root).expanduser()
        if not root.exists():
            raise MissingDataError.at(root, None, "dataset folder not found (see docs/DATASETS.md)")
        return root


class ReaderDataset(PointCloudDataset):
    """A real dataset read from files by a reader module's functions:

        read(root, task, split, num_points, seed, **options) -> Split
        names(root, task) -> class names (optional: else read from the validation split)

    The config's ``data.<name>`` options are ``read``'s keyword options."""

    read: Callable[..., Split]
    names: Callable[..., list[str]] | None = None

    def __init__(self, root: str | None = None, seed: int = 0, num_points: int = 1024, **options):
        super().__init__(root, seed, num_points)
        accepted = list(inspect.signature(type(self).read).parameters)[5:]
        unknown = sorted(set(options) - set(accepted))
        if unknown:
            raise ConfigError(
                f"dataset {type(self).__name__} takes no option {', '.join(map(repr, unknown))} "
                f"(its options: {', '.join(accepted) or 'none'})"
            )
        self.options = options

    def check(self, task: str, skip: tuple[str, ...] = ()) -> None:
        """Read every split except ``skip`` once, so a corrupt file of any split (the test
        split too, which training never reads) stops the run before its first epoch with the
        file and line. Each reader caches what it parsed (``<root>/.npcache``), so the check
        costs a parse only the first time, and evaluation later reads the same cache."""
        for split in SPLITS:
            if split not in skip:
                self.split(task, split)

    def load(self, task: str, split: str) -> Split:
        return type(self).read(
            self.require_root(), task, split, self.num_points, self.seed, **self.options
        )

    def class_names(self, task: str) -> list[str]:
        if type(self).names is None:
            return super().class_names(task)
        return list(type(self).names(self.require_root(), task))
