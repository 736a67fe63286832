"""torchrun support: process-group setup from the environment, rank helpers, exact reductions.

Launched by `torchrun`, each process sees RANK, LOCAL_RANK and WORLD_SIZE; without them the
engine runs as a single process and every helper here is a no-op."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistInfo:
    """Where this process sits in the job."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1
    local_world_size: int = 1

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Only the main process writes files and logs."""
        return self.rank == 0


def from_environment() -> DistInfo:
    """Read torchrun's variables; a plain `python -m` run is rank 0 of 1."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    return DistInfo(
        rank=int(os.environ.get("RANK", "0")),
        local_rank=int(os.environ.get("LOCAL_RANK", "0")),
        world_size=world_size,
        local_world_size=int(os.environ.get("LOCAL_WORLD_SIZE", str(world_size))),
    )


def init_process_group(info: DistInfo, device: torch.device) -> None:
    """nccl between GPUs, gloo between CPU processes; rendezvous through torchrun's env://."""
    if not info.enabled or dist.is_initialized():
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    kwargs = {"device_id": device} if device.type == "cuda" else {}
    dist.init_process_group(
        backend=backend,
        init_method="env://",
        rank=info.rank,
        world_size=info.world_size,
        timeout=datetime.timedelta(minutes=30),
        **kwargs,
    )


def destroy_process_group() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def is_active() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def barrier() -> None:
    if is_active():
        dist.barrier()


def any_rank(flag: bool, device: torch.device) -> bool:
    """True on every rank when `flag` is true on at least one (a collective: call on all ranks)."""
    if not is_active():
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


def all_gather_objects(obj):
    """List of `obj` from every rank, in rank order (small picklable objects only)."""
    if not is_active():
        return [obj]
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def broadcast_object(obj, src: int = 0):
    """`obj` of rank `src`, on every rank."""
    if not is_active():
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=src)
    return box[0]


def broadcast_buffers(module: torch.nn.Module, src: int = 0) -> None:
    """Give every rank rank 0's buffers (e.g. BatchNorm running statistics).

    Without SyncBatchNorm each rank updates its running statistics from its own last batch,
    so evaluation would otherwise differ between ranks and from the saved checkpoint."""
    if not is_active():
        return
    for buffer in module.buffers():
        dist.broadcast(buffer.data, src=src)


def all_gather_stacked(local: torch.Tensor, counts: list[int]) -> list[torch.Tensor]:
    """Gather a [n_r, ...] tensor from every rank r (n_r = counts[r], may differ) into a list."""
    if not is_active():
        return [local]
    longest = max(counts)
    padded = local.new_zeros((longest, *local.shape[1:]))
    padded[: local.shape[0]] = local
    gathered = [torch.empty_like(padded) for _ in counts]
    dist.all_gather(gathered, padded.contiguous())
    return [g[:n] for g, n in zip(gathered, counts, strict=True)]
