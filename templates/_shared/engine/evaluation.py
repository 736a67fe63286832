"""Evaluation: during training (every epoch, on "val") and of a finished run (any split).

Metrics do not depend on the number of processes: each rank runs its share of fixed global
batches, and the per-batch statistics of all ranks are gathered and summed in global batch
order, so even floating-point sums are bit-identical to a single-process evaluation (an
all_reduce would add them in another order).

Every project's ``python -m <package>.evaluate --run runs/NAME [--split test]`` is
``evaluate_main``: it rebuilds the run's data and model exactly as training did, loads the
chosen checkpoint and writes ``runs/NAME/<split>_metrics.json`` beside training's untouched
``metrics.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from ..core.errors import ProjectError
from ..core.results import write_json
from . import distributed
from .checkpoint import load_checkpoint, load_latest_valid
from .data import EvalBatches
from .distributed import DistInfo
from .rng import seed_everything
from .runtime import amp_dtype, autocast, choose_device
from .task import SPLITS, Task

PACKAGE = __package__.rpartition(".")[0]


def plain_metrics(metrics: dict) -> dict:
    """Metric values as plain floats (scalars) and lists of floats (per-class scores)."""
    out = {}
    for key, value in metrics.items():
        value = value.tolist() if hasattr(value, "tolist") else value
        out[key] = [float(v) for v in value] if isinstance(value, list | tuple) else float(value)
    return out


@torch.no_grad()
def evaluate(
    task: Task,
    model: torch.nn.Module,
    batches: EvalBatches,
    device: torch.device,
    amp: torch.dtype | None = None,
) -> dict[str, float]:
    """task.summarize() of the statistics summed over the whole evaluation set, on every rank."""
    was_training = model.training
    model.eval()
    per_batch: dict[str, list[torch.Tensor]] = {}
    for batch in batches:
        with autocast(device, amp):
            stats = task.eval_batch(model, batch)
        for key, value in stats.items():
            per_batch.setdefault(key, []).append(torch.as_tensor(value, device=device).detach())
    model.train(was_training)
    return task.summarize(_sum_in_global_order(per_batch, batches, device))


def _sum_in_global_order(
    per_batch: dict[str, list[torch.Tensor]], batches: EvalBatches, device: torch.device
) -> dict[str, torch.Tensor]:
    world = batches.info.world_size
    counts = [len(batches.batch_ids(rank)) for rank in range(world)]
    keys = sorted(distributed.broadcast_object(sorted(per_batch)))  # ranks without batches
    if not keys:
        return {}
    # Rank 0 holds batch 0, so it knows every shape; a rank without batches has none to offer.
    shapes = distributed.broadcast_object(
        {k: _shape_dtype(per_batch[k]) for k in keys if k in per_batch}
    )
    sums = {}
    for key in keys:
        shape, dtype = shapes[key]
        local = per_batch.get(key, [])
        stacked = (
            torch.stack([t.to(dtype) for t in local])
            if local
            else torch.zeros((0, *shape), dtype=dtype, device=device)
        )
        gathered = [g.cpu() for g in distributed.all_gather_stacked(stacked, counts)]
        # Global batch b was evaluated by rank b % world as its (b // world)-th batch.
        total = None
        for b in range(batches.num_batches):
            value = gathered[b % world][b // world]
            total = value.clone() if total is None else total + value
        sums[key] = total
    return sums


def _shape_dtype(values: list[torch.Tensor]) -> tuple[tuple[int, ...], torch.dtype]:
    return tuple(values[0].shape), values[0].dtype


@dataclass
class LoadedRun:
    """A trained run rebuilt for evaluation: its task, model (eval mode), config, checkpoint."""

    run_dir: Path
    task: Task
    model: torch.nn.Module
    cfg: dict
    state: dict
    checkpoint: Path

    def dataset(self, split: str):
        """The `split` of the run's data, built exactly as training built it."""
        with _build_threads(self.state):
            return self.task.build_dataset(self.cfg, split)


def load_run(
    run_dir: str | Path, build_task, which: str = "best", device: str | torch.device = "cpu"
) -> LoadedRun:
    """The task and model of checkpoints/<which>.pt ("best", "last" or a file name), rebuilt as
    training built them (same seed, same thread count); falls back to the newest valid
    checkpoint when <which>.pt is missing or damaged."""
    run_dir = Path(run_dir)
    folder = run_dir / "checkpoints"
    if not folder.is_dir():
        raise ProjectError(f"{run_dir} holds no trained run (no checkpoints/ folder); train first")
    path = folder / (which if which.endswith(".pt") else f"{which}.pt")
    try:
        state = load_checkpoint(path)
    except (FileNotFoundError, ValueError):
        found = load_latest_valid(folder, log=lambda *_: None)
        if found is None:
            raise ProjectError(f"no valid checkpoint in {folder}") from None
        path, state = found
    cfg = state["config"]
    with _build_threads(state):
        seed_everything(int(cfg["seed"]))
        task = build_task(cfg)
        model = task.build_model(cfg)
    model.load_state_dict(state["model"])
    model.to(torch.device(device) if not isinstance(device, torch.device) else device)
    model.eval()
    return LoadedRun(run_dir, task, model, cfg, state, path)


def evaluate_split(run: LoadedRun, split: str, dataset=None) -> dict:
    """Metrics of the run's model on `split` (or on `dataset`, e.g. a perturbed copy of it),
    in one process, through the same batches and statistics as training's evaluation."""
    if split not in SPLITS:
        raise ProjectError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    device = next(run.model.parameters()).device
    dataset = run.dataset(split) if dataset is None else dataset
    batches = EvalBatches(dataset, run.cfg, device, DistInfo())
    amp = amp_dtype(run.cfg.get("amp", "auto"), device)
    return plain_metrics(evaluate(run.task, run.model, batches, device, amp))


# What a project adds to an evaluation (figures, robustness, latency): called with the loaded
# run, the split and the metrics so far; returns more entries for <split>_metrics.json.
Extras = Callable[[LoadedRun, str, dict], dict]


def evaluate_run(
    build_task,
    run_dir: str | Path,
    split: str = "test",
    which: str = "best",
    device: str = "cpu",
    extras: Extras | None = None,
) -> dict:
    """Evaluate a run on `split` and write runs/NAME/<split>_metrics.json; returns its content.
    Training's metrics.json is never touched."""
    run = load_run(run_dir, build_task, which, choose_device(device, DistInfo()))
    start = time.perf_counter()
    metrics = evaluate_split(run, split)
    result = {
        **metrics,
        "split": split,
        "checkpoint": run.checkpoint.name,
        "epoch": int(run.state["epoch"]),
        "eval_seconds": round(time.perf_counter() - start, 3),
    }
    if extras is not None:
        result.update(extras(run, split, result))
    write_json(result, Path(run_dir) / f"{split}_metrics.json")
    return result


def evaluate_main(
    build_task,
    argv: Sequence[str] | None = None,
    extras: Extras | None = None,
    parents: Sequence[argparse.ArgumentParser] = (),
) -> dict:
    """`python -m <package>.evaluate --run DIR [--split test] [--checkpoint best] [--device D]`.

    `parents`: argparse parsers (made with add_help=False) holding the flags a project's
    `extras` reads, so --help lists them and they are accepted; the project parses them from
    the same argv itself (parse_known_args)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PACKAGE}.evaluate",
        description="Evaluate a trained run on one split; writes RUN/<split>_metrics.json.",
        parents=list(parents),
    )
    parser.add_argument("--run", required=True, help="the run folder, e.g. runs/quick")
    parser.add_argument("--split", choices=SPLITS, default="test")
    parser.add_argument("--checkpoint", default="best", help="best (default), last or a file")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    args = parser.parse_args(argv)
    result = evaluate_run(build_task, args.run, args.split, args.checkpoint, args.device, extras)
    shown = ", ".join(f"{k} {v:.4f}" for k, v in result.items() if isinstance(v, float))
    print(f"{args.run} [{args.split}, {result['checkpoint']}]: {shown}")
    print(f"  written: {Path(args.run) / (args.split + '_metrics.json')}")
    return result


@contextlib.contextmanager
def _build_threads(state: dict) -> Iterator[None]:
    """Build data and model with the thread count training used (a bit-identical rebuild)."""
    saved = torch.get_num_threads()
    torch.set_num_threads(int(state.get("runtime", {}).get("build_threads", 1)))
    try:
        yield
    finally:
        torch.set_num_threads(saved)
