"""What the user sees: a progress bar on a terminal, plain lines otherwise, log.csv always,
TensorBoard when installed. Only the main process (rank 0) writes or prints."""

from __future__ import annotations

import csv
import io
import math
import sys
import time
from pathlib import Path

from ..core.errors import ConfigError
from .checkpoint import atomic_write

PLAIN_INTERVAL_S = 60.0  # plain mode: a mid-epoch line at most this often
PROGRESS_MODES = ("auto", "bar", "plain", "off")


def progress_mode(value) -> str:
    """The `progress` key as one of PROGRESS_MODES. YAML 1.1 reads a bare `off` or `no` as
    false and `on` or `yes` as true: false is off, true is auto (null: the default, auto)."""
    if value is None or value is True:
        return "auto"
    if value is False:
        return "off"
    mode = str(value).strip().lower()
    if mode not in PROGRESS_MODES:
        raise ConfigError(f"progress={value!r}: use one of {', '.join(PROGRESS_MODES)}")
    return mode


def format_duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class RunLogger:
    """Progress display and per-epoch records of one run."""

    def __init__(self, run_dir: Path, *, enabled: bool, progress: str, epochs: int):
        self.enabled = enabled
        self.epochs = epochs
        self.csv_path = run_dir / "log.csv"
        mode = progress_mode(progress)
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "plain"
        self.mode = mode if enabled else "off"
        self.bar = None
        self.tensorboard = None
        self._last_plain = 0.0
        self.run_dir = run_dir

    # ---- lifecycle -------------------------------------------------------------------------
    def open(self, history: list[dict], resume_step: int | None) -> None:
        """Rewrite log.csv from the checkpoint's history (drops epochs a killed run logged
        after its last checkpoint) and start TensorBoard, if installed."""
        if not self.enabled:
            return
        if history:
            self._write_csv(history)
        try:
            from torch.utils.tensorboard import SummaryWriter
        except Exception:  # optional extra (pip install tensorboard); a broken install too
            return
        self.tensorboard = SummaryWriter(str(self.run_dir / "tensorboard"), purge_step=resume_step)

    def close(self) -> None:
        self._close_bar()
        if self.tensorboard is not None:
            self.tensorboard.close()

    def print(self, text: str) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            print(text, flush=True)

    # ---- inside an epoch -------------------------------------------------------------------
    def start_epoch(self, epoch: int, steps: int, done: int) -> None:
        """epoch: 1-based; done: steps already run (mid-epoch resume)."""
        self._epoch_start = time.perf_counter()
        if self.mode == "bar":
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=steps,
                initial=done,
                desc=f"epoch {epoch}/{self.epochs}",
                unit="step",
                dynamic_ncols=True,
                leave=False,
                file=sys.stderr,
            )
        self._last_plain = time.perf_counter()

    def advance(self) -> None:
        """One step done (the bar redraws at most 10 times a second)."""
        if self.bar is not None:
            self.bar.update(1)

    def update(self, loss: float, samples_per_s: float, eta_s: float, text: str) -> None:
        """Called every log_every steps with the running mean loss."""
        if self.bar is not None:
            self.bar.set_postfix_str(
                f"loss {loss:.4f}  {samples_per_s:,.0f} samples/s  "
                f"run ETA {format_duration(eta_s)}",
                refresh=False,
            )
        elif self.mode == "plain" and time.perf_counter() - self._last_plain > PLAIN_INTERVAL_S:
            self._last_plain = time.perf_counter()
            self.print(
                f"  {text} loss {loss:.4f}  {samples_per_s:,.0f} samples/s  "
                f"run ETA {format_duration(eta_s)}"
            )

    def _close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    # ---- epoch records ---------------------------------------------------------------------
    def end_epoch(self, history: list[dict], primary: str, eta_s: float) -> None:
        """Print the last row of `history`, rewrite log.csv atomically, send to TensorBoard."""
        if not self.enabled:
            return
        self._close_bar()
        row = history[-1]
        shown = f"val_{primary}"
        line = (
            f"epoch {row['epoch']}/{self.epochs}  train_loss {row['train_loss']:.4f}  "
            f"{shown} {row.get(shown, float('nan')):.4f}  "
            f"{row['samples_per_s']:,.0f} samples/s  {row['epoch_seconds']:.1f}s  "
            f"ETA {format_duration(eta_s)}"
        )
        self._write_csv(history)
        if self.tensorboard is not None:
            for key, value in row.items():
                if key not in ("epoch", "step") and isinstance(value, int | float):
                    self.tensorboard.add_scalar(key.replace("val_", "val/", 1), value, row["step"])
            self.tensorboard.flush()
        if self.mode != "off":
            self.print(line)  # last: once it shows, the epoch's files are all written

    def _write_csv(self, rows: list[dict]) -> None:
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
        atomic_write(text.getvalue().encode("utf-8"), self.csv_path)


def _csv_value(value):
    # repr() keeps every bit of a float, so resumed and uninterrupted logs compare exactly.
    return repr(value) if isinstance(value, float) else value
