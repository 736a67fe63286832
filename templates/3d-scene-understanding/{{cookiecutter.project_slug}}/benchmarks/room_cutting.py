"""Reading, cutting and caching one large S3DIS room: this project's reader against the
previous method (numpy ``loadtxt`` and one scan of every point per block), in the same run.

    python benchmarks/room_cutting.py [--points 1000000] [--size 40] [--old-blocks 100]

Writes a room of ``--points`` points spread over ``--size`` x ``--size`` metres in the S3DIS
layout (``Area_1/room_1/Annotations/<class>_<k>.txt``, rows ``x y z r g b``) into a temporary
folder, then times:

- read: parsing the room's text files (pandas' C parser, every line checked, against
  ``numpy.loadtxt``);
- cut: cutting the room into 1 m blocks (one pass over the points, against one scan of every
  point per block; the old scan is timed on ``--old-blocks`` blocks and scaled to all of them,
  as every block costs one full scan; ``--old-blocks 0`` times every block);
- first load: read, cut and cache written, as the first training run does;
- later load: the same call again, as every later run does (the previous reader cached the
  parsed room but cut it again on every run).

The numbers depend on the machine and on what else runs on it: compare the ratios.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from {{ cookiecutter.package_name }}.data import readers_common, s3dis

OBJECTS = ("ceiling", "floor", "wall", "table", "chair", "bookcase", "board", "clutter")


def write_room(room: Path, points: int, size: float, seed: int = 0) -> None:
    """``points`` points of ``len(OBJECTS)`` objects over a ``size`` x ``size`` m room."""
    rng = np.random.default_rng(seed)
    (room / "Annotations").mkdir(parents=True)
    per_object = np.diff(np.linspace(0, points, len(OBJECTS) + 1).astype(int))
    for k, (name, count) in enumerate(zip(OBJECTS, per_object, strict=True)):
        xy = rng.uniform(0.0, size, (count, 2))
        z = rng.uniform(0.0, 3.0, (count, 1)) if k > 1 else np.full((count, 1), 3.0 * (k == 0))
        rgb = rng.integers(0, 256, (count, 3))
        rows = np.hstack([xy, z])
        lines = [
            f"{x:.3f} {y:.3f} {h:.3f} {r} {g} {b}"
            for (x, y, h), (r, g, b) in zip(rows, rgb, strict=True)
        ]
        (room / "Annotations" / f"{name}_1.txt").write_text("\n".join(lines) + "\n")


def old_read(room: Path) -> np.ndarray:
    """The previous reader: ``numpy.loadtxt`` of every annotation file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = [
            np.loadtxt(path, dtype=np.float32, ndmin=2) for path in s3dis.room_annotations(room)
        ]
    return np.concatenate([table[:, :3] for table in tables])


def old_cut_seconds(xyz: np.ndarray, block_size: float, blocks: int) -> tuple[float, int]:
    """Seconds the previous cut (one scan of every point per block) takes for the whole room,
    timed on the first ``blocks`` blocks (0: all of them); and the number of grid blocks."""
    xy = (xyz - xyz.min(axis=0))[:, :2]
    low = xy.min(axis=0)
    steps = np.maximum(np.ceil((xy.max(axis=0) - low - block_size) / block_size), 0).astype(int) + 1
    corners = [(i, j) for i in range(steps[0]) for j in range(steps[1])]
    timed = corners if blocks <= 0 else corners[:blocks]
    start = time.perf_counter()
    for i, j in timed:
        corner = low + np.array([i, j]) * block_size
        inside = np.all((xy >= corner) & (xy <= corner + block_size), axis=1)
        np.flatnonzero(inside)
    elapsed = time.perf_counter() - start
    return elapsed * len(corners) / len(timed), len(corners)


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--size", type=float, default=40.0, help="room side in metres")
    parser.add_argument(
        "--old-blocks", type=int, default=100, help="blocks the old cut is timed on"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "Stanford3dDataset_v1.2_Aligned_Version"
        room = root / "Area_1" / "room_1"
        write_room(room, args.points, args.size)
        # Untimed first reads of a small room: pandas' import and parser set-up are paid here,
        # not by whichever reader happens to be timed first.
        warm_up = Path(folder) / "warm_up" / "Area_1" / "room_1"
        write_room(warm_up, 1_000, 2.0)
        s3dis.read_room(warm_up, cache=False)
        old_read(warm_up)
        mb = sum(p.stat().st_size for p in (room / "Annotations").iterdir()) / 1e6
        print(f"room: {args.points:,} points, {args.size:g} x {args.size:g} m, {mb:.0f} MB of text")

        (xyz, _), read_new = timed(lambda: s3dis.read_room(room, cache=False))
        _, read_old = timed(lambda: old_read(room))
        cut, cut_new = timed(lambda: readers_common.cut_scene(xyz, 1.0, None, 100))
        cut_old, grid = old_cut_seconds(xyz, 1.0, args.old_blocks)
        _, first = timed(lambda: s3dis.read_room_blocks(room, 1.0, None, 100, cache=True))
        _, again = timed(lambda: s3dis.read_room_blocks(room, 1.0, None, 100, cache=True))
        _, room_cached = timed(lambda: s3dis.read_room(room, cache=True))

    old_total = read_old + cut_old
    old_later = room_cached + cut_old  # it cached the parsed room, and cut it on every run
    scaled = "" if args.old_blocks <= 0 else f", scaled from {min(args.old_blocks, grid)} blocks"
    print(f"{'':24}{'this reader':>14}{'previous':>14}{'speed-up':>10}")
    print(f"{'read':24}{read_new:13.2f}s{read_old:13.2f}s{read_old / read_new:9.1f}x")
    print(f"{'cut (' + str(grid) + ' blocks)':24}{cut_new:13.2f}s{cut_old:13.2f}s"
          f"{cut_old / cut_new:9.0f}x")  # fmt: skip
    print(f"{'first load (+ cache)':24}{first:13.2f}s{old_total:13.2f}s{old_total / first:9.1f}x")
    print(f"{'later loads (cached)':24}{again:13.2f}s{old_later:13.2f}s{old_later / again:9.0f}x")
    print(
        f"read rate: {args.points / read_new / 1e6:.2f} M points/s (previous "
        f"{args.points / read_old / 1e6:.2f}); {len(cut['centres'])} blocks kept; previous cut "
        f"timed as one scan per block{scaled}; the previous reader cached the room, not its blocks"
    )
    return {"read": read_new, "read_old": read_old, "cut": cut_new, "cut_old": cut_old,
            "first": first, "cached": again}  # fmt: skip


if __name__ == "__main__":
    main()
