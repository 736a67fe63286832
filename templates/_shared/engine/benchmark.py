"""Throughput of the whole training loop against the model alone.

`python -m <package>.benchmark --config configs/full.yaml [key=value ...]` times
  model-only: the optimizer step on one batch already on the device, repeated;
  full loop:  the engine's real inner loop (batching, augmentation, logging, sync points).
Their ratio is the share of the hardware the input pipeline leaves to the model (goal on a
GPU: >= 0.95)."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from . import distributed
from .cli import build_trainer
from .config import load_engine_config
from .runtime import choose_device, configure_backends
from .task import Task
from .trainer import Trainer

PACKAGE = __package__.rpartition(".")[0]  # the package this engine was rendered into


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_model_only(trainer: Trainer, batch: tuple, steps: int, warmup: int) -> float:
    """Samples/s of train_step() on one fixed, already-augmented batch on the device."""
    trainer.train_model.train()
    for _ in range(warmup):
        trainer.train_step(batch)
    _sync(trainer.device)
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step(batch)
    _sync(trainer.device)
    return steps * trainer.train_batches.batch_size / (time.perf_counter() - start)


def time_full_loop(trainer: Trainer, steps: int, warmup: int) -> float:
    """Samples/s of the engine's training inner loop, crossing epoch boundaries as needed."""

    def run(count: int) -> None:
        done = 0
        while done < count:
            if trainer.step_in_epoch >= trainer.steps_per_epoch:
                trainer.step_in_epoch = 0
            before = trainer.step
            trainer.run_epoch_steps(stop=None, max_steps=count - done)
            done += trainer.step - before

    trainer.step_in_epoch = 0
    run(warmup)
    _sync(trainer.device)
    start = time.perf_counter()
    run(steps)
    _sync(trainer.device)
    return steps * trainer.train_batches.batch_size / (time.perf_counter() - start)


def run_benchmark(build_task: Callable[[dict], Task], argv: Sequence[str] | None = None) -> dict:
    """Parse `--config PATH [--steps N] [--warmup N] [--json PATH] [key=value ...]`, print the
    two throughputs and their ratio, return them."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PACKAGE}.benchmark",
        description="Full training loop vs model-only throughput.",
    )
    parser.add_argument("--config", default="configs/quick.yaml")
    parser.add_argument("--steps", type=int, default=50, help="timed steps of each measurement")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first (compile)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating measurements; medians are reported"
    )
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("overrides", nargs="*", metavar="key=value")
    args = parser.parse_intermixed_args(argv)

    cfg = load_engine_config(args.config, args.overrides)
    info = distributed.DistInfo()  # one process: the benchmark measures one device
    device = choose_device(cfg["device"], info)
    configure_backends(device, bool(cfg.get("deterministic")))
    with tempfile.TemporaryDirectory() as scratch:
        trainer = build_trainer(
            build_task, cfg, Path(scratch), info, device, {}, print, write_files=False
        )
        batch = trainer.task.augment(next(iter(trainer.train_batches.epoch())))
        model_runs, loop_runs = [], []
        for i in range(max(1, args.rounds)):  # alternate, so load changes hit both alike
            warmup = args.warmup if i == 0 else 2
            model_runs.append(time_model_only(trainer, batch, args.steps, warmup))
            loop_runs.append(time_full_loop(trainer, args.steps, warmup))
        model_only, full_loop = statistics.median(model_runs), statistics.median(loop_runs)
    result = {
        "config": args.config,
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "threads": torch.get_num_threads(),
        "batch_size": trainer.train_batches.batch_size,
        "amp": str(trainer.amp).replace("torch.", "") if trainer.amp else "off",
        "compile": bool(cfg.get("compile")),
        "data": "device-resident" if trainer.train_batches.resident else "streaming",
        "num_workers": trainer.train_batches.num_workers,
        "model_only_samples_per_s": round(model_only, 1),
        "full_loop_samples_per_s": round(full_loop, 1),
        "ratio": round(full_loop / model_only, 3),
        "rounds": {"model_only": model_runs, "full_loop": loop_runs},
    }
    print(
        f"benchmark {args.config} on {result['device_name']} ({result['device']}, "
        f"{result['threads']} thread(s)), batch {result['batch_size']}, amp {result['amp']}, "
        f"compile {result['compile']}, {result['data']} data, {result['num_workers']} workers\n"
        f"  model-only step (same batch, on the device): {model_only:12,.0f} samples/s\n"
        f"  full training loop:                          {full_loop:12,.0f} samples/s\n"
        f"  ratio full / model-only:                     {full_loop / model_only:12.3f}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result
