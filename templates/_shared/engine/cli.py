"""Command line of `python -m <package>.train` (and of `torchrun ... -m <package>.train`).

python -m <package>.train --config configs/quick.yaml [key=value ...]
python -m <package>.train --config configs/quick.yaml --resume auto     # continue a run
torchrun --nproc_per_node=4 -m <package>.train --config configs/full.yaml

On several machines, run the same command on each, adding torchrun's rendezvous flags
`--nnodes=2 --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 --rdzv_id=RUN` (and --resume auto,
so a restarted job continues). runs_dir must then be on a shared file system: rank 0 writes,
every rank reads the checkpoint on resume.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from ..core.config import (
    RUNTIME_KEYS,
    apply_overrides,
    diff_configs,
    override_keys,
    run_dir_of,
    write_yaml,
)
from ..core.errors import ProjectError
from ..core.results import write_command
from . import distributed
from .checkpoint import load_checkpoint, load_latest_valid, remove_stale_temporaries
from .config import load_engine_config
from .data import as_tensors
from .distributed import DistInfo
from .rng import capture_global_rng, restore_global_rng, seed_everything
from .runtime import choose_device, configure_backends, make_probe_step, measure_threads
from .signals import GracefulStop
from .task import Task
from .trainer import Trainer, train_seed

# The package this engine was rendered into (`<package>.engine`): names the train command.
PACKAGE = __package__.rpartition(".")[0]


def parse_args(argv: Sequence[str] | None, description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m {PACKAGE}.train", description=description)
    parser.add_argument("--config", help="YAML config (default: configs/quick.yaml)")
    parser.add_argument(
        "--resume",
        metavar="auto|PATH",
        help="auto: continue the newest valid checkpoint of the run (or start one); "
        "PATH: continue from that checkpoint",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start over when the run folder holds a run, finished or not (it is replaced)",
    )
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="e.g. optimizer.lr=3e-4")
    args = parser.parse_intermixed_args(argv)
    if args.config is None and not (args.resume and args.resume != "auto"):
        args.config = "configs/quick.yaml"
    return args


def run_training(build_task: Callable[[dict], Task], argv: Sequence[str] | None = None) -> dict:
    """Parse `--config PATH [--resume auto|PATH] [--fresh] [key=value ...]`, train, return the
    best epoch's validation metrics (the content of metrics.json). After SIGTERM / Ctrl-C it
    raises StopTraining (exit code 143 / 130 under run_main) once the checkpoint is written."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv, "Train a model; resumable, torchrun-ready.")
    info = distributed.from_environment()
    say = print if info.is_main else (lambda *_a, **_k: None)

    cfg, state = resolve_run(args, say)
    run_dir = run_dir_of(cfg)
    runtime = dict(state["runtime"]) if state is not None else {}
    explicit = override_keys(args.overrides)
    if "device" not in explicit and "device" in runtime:
        cfg["device"] = runtime["device"]
    if "threads" not in explicit and "threads" in runtime:
        cfg["threads"] = runtime["threads"]

    device = choose_device(cfg["device"], info)
    configure_backends(device, bool(cfg.get("deterministic")))
    distributed.init_process_group(info, device)
    # From here on SIGTERM / Ctrl-C end the run with a checkpoint at the next step.
    try:
        with GracefulStop() as stop:
            # Build first, write after: a config that cannot build its data or model (a bad
            # model.name, say) fails here, before the run folder is made or a replaced run's
            # files are removed.
            trainer = build_trainer(build_task, cfg, run_dir, info, device, runtime, say)
            if info.is_main:
                prepare_run_dir(run_dir, cfg, fresh=state is None)
                if state is None:  # a resume keeps the command that started the run
                    write_command(run_dir, f"{PACKAGE}.train", argv)
            distributed.barrier()
            say(
                f"run {run_dir}: {trainer.num_parameters:,} parameters, "
                f"{trainer.steps_per_epoch} steps/epoch, device {device}, "
                f"{info.world_size} process(es), {torch.get_num_threads()} thread(s), "
                f"{'device-resident' if trainer.train_batches.resident else 'streaming'} data"
            )
            if state is not None:
                say(
                    f"resuming at epoch {state['epoch'] + 1}, step {state['step']} "
                    f"({state['step_in_epoch']} of the epoch done)"
                )
            return trainer.fit(state, stop)
    finally:
        distributed.destroy_process_group()


def resolve_run(args: argparse.Namespace, say) -> tuple[dict, dict | None]:
    """The config to run and the checkpoint to resume from (None: a fresh run).

    On resume the run's saved config wins; key=value overrides on the command line still
    apply; every difference to the config file is reported."""
    requested = load_engine_config(args.config, args.overrides)
    run_dir = run_dir_of(requested)
    checkpoints = run_dir / "checkpoints"
    if args.resume in (None, "auto"):
        found = load_latest_valid(checkpoints, log=say)
        if args.resume is None:
            if not args.fresh:
                refuse_to_replace(run_dir, None if found is None else found[1])
            return requested, None
        if found is None:
            if (run_dir / "metrics.json").is_file():  # its checkpoints were deleted or damaged
                raise ProjectError(
                    f"{run_dir} holds a finished run's metrics.json but no checkpoint to "
                    "continue: use --fresh instead of --resume auto to train it again, or "
                    "another run_name=NAME"
                )
            say(f"--resume auto: no checkpoint in {checkpoints}, starting a new run")
            return requested, None
        path, state = found
    else:
        path = Path(args.resume)
        if not path.is_file():
            raise ProjectError(f"cannot resume: no checkpoint file at {path}")
        try:
            state = load_checkpoint(path)
        except ValueError as error:
            raise ProjectError(f"cannot resume: {error}") from None  # names the path
    say(f"resuming from {path}")
    saved = state["config"]
    cfg = apply_overrides(saved, args.overrides)
    if args.config is not None:
        for key, old, new in diff_configs(saved, requested):
            top = key.split(".")[0]
            if top in RUNTIME_KEYS and old == state["runtime"].get(top):
                continue
            applied = key in override_keys(args.overrides)
            verdict = "applied (command line)" if applied else "ignored: the run's config wins"
            say(f"config changed: {key}: {old!r} -> {new!r} ({verdict})")
    return cfg, state


def refuse_to_replace(run_dir: Path, state: dict | None) -> None:
    """A run folder that holds a run (finished: a checkpoint that says so, or a metrics.json;
    unfinished: a checkpoint) is replaced only with --fresh; say how to go on instead."""
    if state is not None and not state.get("finished"):
        raise ProjectError(
            f"{run_dir} holds an unfinished run (epoch {state['epoch']}, step "
            f"{state['step']}): add --resume auto to continue it, or --fresh to start over"
        )
    if state is not None or (run_dir / "metrics.json").is_file():
        done = f" ({state['epoch']} epochs, step {state['step']})" if state is not None else ""
        raise ProjectError(
            f"{run_dir} holds a finished run{done}: add --fresh to train it again from "
            "scratch (its checkpoints, metrics and evaluations are replaced), or give the new "
            "run another name with run_name=NAME"
        )


def prepare_run_dir(run_dir: Path, cfg: dict, fresh: bool) -> None:
    """Create the run folder; a fresh run replaces the outputs of a finished one (its
    evaluations too: they measured the old model)."""
    checkpoints = run_dir / "checkpoints"
    if fresh:
        shutil.rmtree(checkpoints, ignore_errors=True)
        shutil.rmtree(run_dir / "tensorboard", ignore_errors=True)
        stale = [run_dir / "log.csv", run_dir / "metrics.json", *run_dir.glob("*_metrics.json")]
        for path in stale:
            path.unlink(missing_ok=True)
    checkpoints.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(checkpoints)
    remove_stale_temporaries(run_dir)
    write_yaml(cfg, run_dir / "config.yaml")


def build_trainer(
    build_task,
    cfg: dict,
    run_dir: Path,
    info: DistInfo,
    device,
    runtime: dict,
    say,
    write_files: bool = True,
) -> Trainer:
    """Task, data, model and Trainer, with data and model built identically on every rank."""
    threads = cfg.get("threads", "auto")
    # On a CPU, data and model are built with a fixed thread count, so a resume rebuilds them
    # bit-identically; a GPU run keeps torch's default (GPU kernels are not bit-exact anyway).
    default = torch.get_num_threads() if device.type == "cuda" else 1
    build_threads = int(runtime.get("build_threads", threads if threads != "auto" else default))
    torch.set_num_threads(build_threads)
    seed = int(cfg["seed"])
    seed_everything(seed)
    task = build_task(cfg)
    datasets = (task.build_dataset(cfg, "train"), task.build_dataset(cfg, "val"))
    model = task.build_model(cfg)
    if threads == "auto":
        threads = choose_threads(task, model, datasets[0], cfg, device, info, say)
    torch.set_num_threads(int(threads))
    runtime.update(
        device=device.type,
        threads=int(threads),
        build_threads=build_threads,
        world_size=info.world_size,
    )
    seed_everything(train_seed(seed, info.rank))
    return Trainer(task, cfg, run_dir, info, device, runtime, datasets, model, write_files)


def choose_threads(task, model, train_set, cfg, device, info: DistInfo, say) -> int:
    """CPU: time a training step with 1 and with 2 threads; GPU or torchrun: keep the default."""
    if device.type != "cpu":
        return torch.get_num_threads()
    if info.enabled:  # torchrun sets OMP_NUM_THREADS (default 1): processes share the cores
        return torch.get_num_threads()
    tensors = as_tensors(train_set)
    n = min(int(cfg["batch_size"]), len(train_set))
    if tensors is not None:
        batch = tuple(t[:n] for t in tensors)
    else:
        batch = tuple(
            torch.stack([torch.as_tensor(train_set[i][j]) for i in range(n)])
            for j in range(len(train_set[0]))
        )
    rng = capture_global_rng()
    try:
        cores = max(1, (os.cpu_count() or 1) // info.local_world_size)
        choice, timings = measure_threads(make_probe_step(model, task.compute_loss, batch), cores)
    finally:
        restore_global_rng(rng)
    shown = ", ".join(f"{k} thread(s) {v * 1000:.1f} ms" for k, v in timings.items())
    say(f"threads=auto: measured a training step with {shown}; using {choice}")
    return choice
