"""Evaluation whose metrics do not depend on the number of processes.

Each rank runs its share of fixed global batches; the per-batch statistics of all ranks are
gathered and summed in global batch order, so even floating-point sums are bit-identical to a
single-process evaluation (an all_reduce would add them in another order)."""

from __future__ import annotations

from pathlib import Path

import torch

from . import distributed
from .checkpoint import load_checkpoint
from .data import EvalBatches
from .distributed import DistInfo
from .rng import seed_everything
from .runtime import amp_dtype, autocast
from .task import Task


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
    shapes = distributed.broadcast_object({k: _shape_dtype(per_batch[k]) for k in keys})
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


def evaluate_checkpoint(
    run_dir: str | Path, build_task, which: str = "best", device: str = "cpu"
) -> dict[str, float]:
    """Validation metrics of checkpoints/<which>.pt, rebuilt exactly as training built the data
    (same seed, same thread count), in one process. Equals the metrics logged in training,
    whatever number of processes trained it."""
    state = load_checkpoint(Path(run_dir) / "checkpoints" / f"{which}.pt")
    cfg = state["config"]
    threads = torch.get_num_threads()
    torch.set_num_threads(int(state["runtime"].get("build_threads", 1)))
    try:
        seed_everything(int(cfg["seed"]))
        task = build_task(cfg)
        _train_set, val_set = task.build_datasets(cfg)
        model = task.build_model(cfg)
    finally:
        torch.set_num_threads(threads)
    model.load_state_dict(state["model"])
    target = torch.device(device)
    model.to(target)
    batches = EvalBatches(val_set, cfg, target, DistInfo())
    return evaluate(task, model, batches, target, amp_dtype(cfg.get("amp", "auto"), target))
