"""Checkpoints that survive a kill: atomic writes, rotation, newest-valid lookup.

Layout of a run folder: checkpoints/last.pt (newest), best.pt (best validation metric),
epoch-NNNN.pt (the newest `keep_last` epochs). Every file is a plain dict of tensors, numbers,
strings, lists and dicts, so `torch.load(weights_only=True)` reads it."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import torch

EPOCH_FILE = re.compile(r"^epoch-(\d+)\.pt$")
REQUIRED_KEYS = ("model", "epoch", "step", "config")


def serialize(state: dict) -> bytes:
    """The bytes torch.save would write; serialising once lets us write several files."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def atomic_write(data: bytes, path: str | Path) -> None:
    """Write `data` so that `path` is always either the old file or the complete new one.

    Temporary file in the same folder, fsync, rename over the target, fsync the folder."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_checkpoint(
    state: dict, folder: str | Path, *, epoch_file: bool, is_best: bool, keep_last: int
) -> Path:
    """Write last.pt (always), epoch-NNNN.pt (at epoch ends) and best.pt (when improved),
    then delete epoch files beyond the newest `keep_last`. Returns the path of last.pt."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = serialize(state)
    atomic_write(data, folder / "last.pt")  # first: last.pt is never older than another file
    if epoch_file and keep_last > 0:
        atomic_write(data, folder / f"epoch-{state['epoch']:04d}.pt")
    if is_best:
        atomic_write(data, folder / "best.pt")
    rotate(folder, keep_last)
    return folder / "last.pt"


def rotate(folder: str | Path, keep_last: int) -> None:
    """Keep only the newest `keep_last` epoch-NNNN.pt files."""
    epochs = sorted(epoch_files(folder), key=lambda p: int(EPOCH_FILE.match(p.name).group(1)))
    for old in epochs[: max(0, len(epochs) - keep_last)]:
        old.unlink(missing_ok=True)


def epoch_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if EPOCH_FILE.match(p.name)]


def remove_stale_temporaries(folder: str | Path) -> None:
    """Delete temporary files left by a process killed in the middle of a save."""
    folder = Path(folder)
    if folder.is_dir():
        for tmp in folder.glob(".*.tmp-*"):
            tmp.unlink(missing_ok=True)


def load_checkpoint(path: str | Path, map_location="cpu") -> dict:
    """Load with weights_only=True; raise ValueError when the file is not a complete checkpoint."""
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # truncated zip, garbage bytes, unpickling refused ...
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        # torch's last line is the cause; its first sentence is enough for one line.
        reason = lines[-1].split(". ")[0][:160] if lines else type(error).__name__
        raise ValueError(f"{path} is not a readable checkpoint ({reason})") from error
    if not isinstance(state, dict) or any(key not in state for key in REQUIRED_KEYS):
        raise ValueError(f"{path} is not a checkpoint of this engine")
    return state


def find_latest_valid(folder: str | Path, log: Callable[[str], None] = print) -> Path | None:
    """The newest checkpoint of `folder` that loads (see load_latest_valid)."""
    found = load_latest_valid(folder, log)
    return None if found is None else found[0]


def load_latest_valid(
    folder: str | Path, log: Callable[[str], None] = print
) -> tuple[Path, dict] | None:
    """(path, state) of the newest checkpoint that loads: last.pt, else the epoch files from
    the newest down, else best.pt. last.pt is written first at every save, so it is the newest
    unless damaged (disk error, copy cut short); then the run falls back one epoch."""
    folder = Path(folder)
    by_epoch = sorted(epoch_files(folder), key=lambda p: -int(EPOCH_FILE.match(p.name).group(1)))
    for path in [folder / "last.pt", *by_epoch, folder / "best.pt"]:
        if not path.is_file():
            continue
        try:
            return path, load_checkpoint(path)
        except ValueError as error:
            log(f"warning: skipping {error}")
    return None


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """The plain module inside torch.compile and DistributedDataParallel wrappers."""
    while True:
        if hasattr(model, "_orig_mod"):
            model = model._orig_mod
        elif hasattr(model, "module") and isinstance(model.module, torch.nn.Module):
            model = model.module
        else:
            return model
