"""The one results writer: run folders in, the README's results section and figures out.

A run folder (``runs/<run_name>/``) holds what training and evaluation wrote:
``config.yaml`` (the resolved config), ``command.txt`` (the command that trained it),
``metrics.json`` (validation metrics of the chosen checkpoint, written by training and never
changed afterwards) and ``<split>_metrics.json`` (written by ``python -m <package>.evaluate``).
A project's ``report.py`` reads them with ``load_runs``, builds its tables with
``markdown_table`` and ``mean_std``, copies figures into ``docs/figures/`` with
``publish_figure`` and writes everything between the README's results markers with
``write_results``. Every table carries the command that reproduces its numbers, and marks the
row the others are compared against (``markdown_table(..., baseline=index)``).
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shlex
import shutil
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from .config import RUNTIME_KEYS, flatten
from .errors import ProjectError

START, END = "<!-- results:start -->", "<!-- results:end -->"
FIGURES_DIR = Path("docs") / "figures"  # committed beside the README: runs/ is not
COMMAND_FILE = "command.txt"
BASELINE_MARK = "(baseline)"  # after the first cell of a table's baseline row (markdown_table)
# Keys that never make two runs different experiments: the seed, the name, how fast they ran.
NOT_AN_EXPERIMENT = ("seed", "run_name", "runs_dir", *RUNTIME_KEYS)


def write_json(data: Any, path: str | Path) -> Path:
    """Write JSON atomically (a reader never sees half a file); returns the path. The file
    gets the usual mode (0666 less the umask, 0644 mostly), as open() would give it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, allow_nan=True, ensure_ascii=False) + "\n"
    # Named like engine/checkpoint.atomic_write's temporaries, so a new run clears one left
    # behind by a killed process (remove_stale_temporaries).
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        # Not tempfile.mkstemp: it creates the file 0600, private to the user.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_command(run_dir: str | Path, module: str, argv: Sequence[str]) -> str:
    """Record `python -m module argv...` in the run folder; returns the command."""
    command = shlex.join(["python", "-m", module, *argv])
    Path(run_dir).mkdir(parents=True, exist_ok=True)
    (Path(run_dir) / COMMAND_FILE).write_text(command + "\n", encoding="utf-8")
    return command


@dataclass
class Run:
    """What one run folder holds."""

    name: str
    dir: Path
    config: dict
    metrics: dict  # validation metrics of the chosen checkpoint (training's metrics.json)
    splits: dict[str, dict] = field(default_factory=dict)  # split -> <split>_metrics.json
    command: str | None = None

    @property
    def test(self) -> dict | None:
        """The test-split metrics, when the run was evaluated."""
        return self.splits.get("test")

    def experiment(self) -> tuple:
        """What the run computes, apart from its seed: runs with equal keys are repeats."""
        flat = flatten(self.config)
        return tuple(
            sorted(
                (key, repr(value))
                for key, value in flat.items()
                if key.split(".")[0] not in NOT_AN_EXPERIMENT
            )
        )


def load_runs(runs_dir: str | Path = "runs") -> list[Run]:
    """Every finished run under `runs_dir` (those with a metrics.json), sorted by name."""
    runs = []
    for metrics_path in sorted(Path(runs_dir).glob("*/metrics.json")):
        folder = metrics_path.parent
        config_path = folder / "config.yaml"
        config = (
            yaml.safe_load(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
        )
        splits = {
            path.name.removesuffix("_metrics.json"): _read_json(path)
            for path in sorted(folder.glob("*_metrics.json"))
        }
        command_path = folder / COMMAND_FILE
        runs.append(
            Run(
                name=folder.name,
                dir=folder,
                config=config or {},
                metrics=_read_json(metrics_path),
                splits=splits,
                command=command_path.read_text(encoding="utf-8").strip()
                if command_path.exists()
                else None,
            )
        )
    return runs


def seed_groups(runs: Iterable[Run]) -> list[tuple[str, list[Run]]]:
    """Runs that differ only by seed (and runtime settings), as (label, runs) in first-seen
    order; the label is the first run's name without a trailing ``-seedN``."""
    groups: dict[tuple, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.experiment(), []).append(run)
    return [(re.sub(r"-seed\d+$", "", members[0].name), members) for members in groups.values()]


def mean_std(values: Sequence[float], digits: int = 3) -> str:
    """`mean ± std` (sample standard deviation; `± 0` is never claimed from one value)."""
    values = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if not values:
        return "n/a"
    mean = statistics.fmean(values)
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def markdown_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    align: str = "",
    baseline: int | Iterable[int] | None = None,
) -> str:
    """A Markdown table; `align` holds one letter per column (l, r or c; default l).

    `baseline`: the index (or indices) in `rows` of the row(s) every other row is read
    against; their first cell gets BASELINE_MARK after it (`` `cnn` (baseline)``), the mark
    `newproject check` (rule RES006) looks for."""
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    align = align.ljust(len(header), "l")
    marked = {baseline} if isinstance(baseline, int) else set(baseline or ())
    lines = [
        "| " + " | ".join(str(h) for h in header) + " |",
        "|" + "|".join(marks[a] for a in align) + "|",
    ]
    count = 0
    for count, row in enumerate(rows, 1):
        cells = [str(cell).replace("|", "\\|").replace("\n", " ") for cell in row]
        if count - 1 in marked and cells:
            cells[0] = f"{cells[0]} {BASELINE_MARK}"
        lines.append("| " + " | ".join(cells) + " |")
    missing = sorted(index for index in marked if not 0 <= index < count)
    if missing:
        raise ValueError(f"baseline row(s) {missing} not in a table of {count} row(s)")
    return "\n".join(lines)


def code(text: str | None) -> str:
    """`text` as inline code for a table cell (n/a when missing)."""
    return f"`{text}`" if text else "n/a"


def publish_figure(source: str | Path, name: str, project: str | Path = ".") -> str:
    """Copy a figure into docs/figures/ (committed, unlike runs/); returns its path relative to
    the project, for the README."""
    target = Path(project) / FIGURES_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return (FIGURES_DIR / name).as_posix()


def replace_between_markers(text: str, body: str, source: str = "README.md") -> str:
    """`text` with everything between the results markers replaced by `body`."""
    if START not in text or END not in text or text.index(START) > text.index(END):
        raise ProjectError(f"{source}: needs the markers {START} and {END}, in that order")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{body.strip()}\n{END}{tail}"


def utc_timestamp() -> str:
    """Now in UTC to the second, ISO 8601 (`timezone.utc`: `datetime.UTC` needs Python 3.11)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()  # noqa: UP017


def write_results(readme: str | Path, body: str, runs: Iterable[Run] = ()) -> Path:
    """Write `body` between the README's results markers, stamped with the time and the runs
    it was made from (so a reader, or `newproject check`, can tell when it went stale)."""
    readme = Path(readme)
    names = ", ".join(run.name for run in runs)
    stamp = utc_timestamp()
    header = (
        f"<!-- written by the report at {stamp}"
        + (f" from runs: {names}" if names else "")
        + " -->"
    )
    text = replace_between_markers(
        readme.read_text(encoding="utf-8"), f"{header}\n{body}", str(readme)
    )
    tmp = readme.with_name(f".{readme.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, readme)
    return readme


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ProjectError(f"cannot read {path}: {error}") from None


def as_float_dict(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """Metrics as JSON-ready plain values (tensors and NumPy scalars become floats)."""
    out = {}
    for key, value in metrics.items():
        if hasattr(value, "tolist"):
            value = value.tolist()
        out[key] = value
    return out
