"""Running the plan: train each run that is not finished (through a launcher), evaluate it on
the splits and checkpoints its claims read, and record what ran where.

A run folder (runs/<experiment hash>-seed<k>/) holds the engine's files (config.yaml,
command.txt, checkpoints/, log.csv, metrics.json), plus
    request.yaml                the resolved config the run was started with
    train.log                   what training printed
    evaluations/<split>-<checkpoint>.json   the metrics a claim reads
    run.json                    the record: hashes, status (finished | diverged), timings,
                                device, threads, launcher and the environment
A run with a run.json whose config hash matches is finished: it is never trained again (the
cache). A run folder without one is continued from its last checkpoint (the engine's
--resume auto): a killed reproduction loses at most the epoch it was in.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import torch

from ..core.config import write_yaml
from ..core.errors import ProjectError
from ..core.results import utc_timestamp, write_json
from ..engine.checkpoint import load_latest_valid
from ..engine.evaluation import evaluate_split, load_run
from ..tasks import build_task
from .environment import environment
from .plan import Run

RECORD = "run.json"
REQUEST = "request.yaml"
EVALUATIONS = "evaluations"
FINISHED, DIVERGED = "finished", "diverged"


def evaluation_path(run_dir: Path, split: str, checkpoint: str) -> Path:
    return Path(run_dir) / EVALUATIONS / f"{split}-{checkpoint}.json"


def read_record(run_dir: str | Path) -> dict | None:
    """The run's record, or None when the run has not finished."""
    path = Path(run_dir) / RECORD
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None  # a damaged record: the run is finished again from its checkpoints


def is_finished(run: Run) -> bool:
    record = read_record(run.dir)
    return record is not None and record.get("config_hash") == run.config_hash


def needs_work(run: Run) -> bool:
    """Not trained yet, or trained but missing an evaluation a claim reads."""
    record = read_record(run.dir)
    if record is None or record.get("config_hash") != run.config_hash:
        return True
    if record.get("status") == DIVERGED:
        return False
    return any(not evaluation_path(run.dir, *e).is_file() for e in run.evaluations)


def train_argv(run: Run) -> list[str]:
    """The engine command line of a run (after `python -m PACKAGE.train`)."""
    return ["--config", str(run.dir / REQUEST), "--resume", "auto"]


def prepare(run: Run) -> None:
    run.dir.mkdir(parents=True, exist_ok=True)
    write_yaml(run.config, run.dir / REQUEST)


def evaluate(run: Run) -> None:
    """Write every evaluation the run's claims read that is not there yet."""
    for split, checkpoint in sorted(run.evaluations):
        path = evaluation_path(run.dir, split, checkpoint)
        if path.is_file():
            continue
        loaded = load_run(run.dir, build_task, checkpoint, "cpu")
        # The run's own thread count: on a small busy CPU, torch's default (every core) makes
        # these tiny models many times slower than the one thread they trained with.
        threads = torch.get_num_threads()
        torch.set_num_threads(int(loaded.state.get("runtime", {}).get("threads") or threads))
        try:
            metrics = evaluate_split(loaded, split)
        finally:
            torch.set_num_threads(threads)
        write_json(
            {
                **metrics,
                "split": split,
                "checkpoint": loaded.checkpoint.name,
                "epoch": int(loaded.state["epoch"]),
            },
            path,
        )


def record(run: Run, status: str, launcher: str, wall_seconds: float, message: str = "") -> dict:
    """Write run.json: what ran, on what, how long; returns it."""
    found = load_latest_valid(run.dir / "checkpoints", log=lambda *_: None)
    state = found[1] if found else {}
    metrics_path = run.dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else {}
    runtime = state.get("runtime", {})
    data = {
        "config_hash": run.config_hash,
        "experiment_hash": run.experiment_hash,
        "seed": run.seed,
        "status": status,
        "message": message,
        "uses": sorted({f"{claim}: {label}" for claim, label in run.uses}),
        "launcher": launcher,
        "finished_at": utc_timestamp(),
        "wall_seconds": round(wall_seconds, 3),
        "train_seconds": metrics.get("train_seconds", state.get("train_seconds")),
        "epochs": state.get("epoch"),
        "steps": state.get("step"),
        "num_parameters": metrics.get("num_parameters"),
        "device": runtime.get("device"),
        "threads": runtime.get("threads"),
        "world_size": runtime.get("world_size", 1),
        "splits": split_sizes(run.config),
        "environment": environment(),
    }
    write_json(data, run.dir / RECORD)
    return data


def split_sizes(cfg: dict) -> dict[str, int]:
    """How many examples each split of the run's data holds (after task.train_size)."""
    from ..tasks import prepare

    data = prepare(cfg)
    return {split: int(len(data.split(split)[1])) for split in ("train", "val", "test")}


def run_inprocess(run: Run) -> tuple[str, str]:
    """Train in this process (the engine re-seeds everything at the start of a run);
    returns (status, message)."""
    from ..train import TrainingDiverged, main

    threads = torch.get_num_threads()
    log = run.dir / "train.log"
    try:
        with log.open("a", encoding="utf-8") as out, contextlib.redirect_stdout(out):
            main(train_argv(run))
    except TrainingDiverged as error:
        return DIVERGED, str(error)
    finally:
        torch.set_num_threads(threads)
    return FINISHED, ""


def execute(run: Run, launcher) -> dict:
    """Train (unless finished), evaluate and record one run; returns its record."""
    prepare(run)
    existing = read_record(run.dir)
    if existing is not None and existing.get("config_hash") == run.config_hash:
        if existing["status"] == FINISHED:
            evaluate(run)
        return existing
    start = time.perf_counter()
    if (run.dir / "metrics.json").is_file():  # trained, killed before its record: no retraining
        status, message = FINISHED, ""
    else:
        status, message = launcher.train(run)
    if status == FINISHED:
        evaluate(run)
    elif status != DIVERGED:
        raise ProjectError(f"run {run.dir} ended with status {status}")
    return record(run, status, launcher.name, time.perf_counter() - start, message)


def execute_job(payload: dict) -> dict:
    """Entry point of one cluster job (submitit pickles this call): train in the job's own
    process, evaluate, record."""
    from .launchers import InProcess

    run = Run(
        payload["config"],
        payload["config_hash"],
        payload["experiment_hash"],
        [tuple(u) for u in payload["uses"]],
        {tuple(e) for e in payload["evaluations"]},
    )
    return execute(run, InProcess(name=payload.get("launcher", "submitit")))


def payload_of(run: Run, launcher: str) -> dict:
    return {
        "config": run.config,
        "config_hash": run.config_hash,
        "experiment_hash": run.experiment_hash,
        "uses": [list(u) for u in run.uses],
        "evaluations": [list(e) for e in sorted(run.evaluations)],
        "launcher": launcher,
    }
