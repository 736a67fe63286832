"""Device, precision and CPU thread choices."""

from __future__ import annotations

import contextlib
import copy
import os
import time
from collections.abc import Callable

import torch

from ..core.errors import ConfigError
from .distributed import DistInfo


def choose_device(name: str, info: DistInfo) -> torch.device:
    """auto -> the local GPU when there is one, else the CPU. Under torchrun, GPU = LOCAL_RANK."""
    name = str(name)
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError("device=cuda but no CUDA device is visible; use device=cpu")
        index = info.local_rank if name == "cuda" else int(name.split(":")[1])
        torch.cuda.set_device(index)
        return torch.device("cuda", index)
    return torch.device(name)


def configure_backends(device: torch.device, deterministic: bool) -> None:
    """Fast kernels by default; reproducible ones when deterministic=true."""
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = not deterministic
        torch.backends.cudnn.deterministic = deterministic
        torch.backends.cuda.matmul.allow_tf32 = not deterministic
        torch.backends.cudnn.allow_tf32 = not deterministic


def amp_dtype(setting: str, device: torch.device) -> torch.dtype | None:
    """Autocast dtype: auto = bf16 on CUDA (no loss scaling needed), full precision on CPU."""
    setting = str(setting).lower()
    if setting in ("off", "false", "none", "fp32"):
        return None
    if setting == "auto":
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return None
    if setting == "bf16":
        return torch.bfloat16
    if setting == "fp16":
        return torch.float16
    raise ConfigError(f"amp must be auto, bf16, fp16 or off, not {setting!r}")


def autocast(device: torch.device, dtype: torch.dtype | None):
    """Context manager for mixed precision; a no-op when dtype is None."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def measure_threads(
    step: Callable[[], None], cores: int | None = None, budget_s: float = 0.5
) -> tuple[int, dict[int, float]]:
    """Pick the CPU thread count whose training step runs fastest, by timing it: 1, 2 and
    (on a bigger machine) all `cores`.

    On a shared or small machine more threads are often slower (measured: 2 threads ran small
    models 10-45x slower than 1 on a busy 2-core box), so the default is not trusted.
    Ties within 10% go to fewer threads. Returns (choice, seconds per step by count)."""
    cores = cores or os.cpu_count() or 1
    candidates = tuple(sorted({n for n in (1, 2, cores) if n <= cores}))
    timings = {}
    for n in candidates:
        torch.set_num_threads(n)
        step()  # warm-up: allocations, kernel selection
        runs, start = 0, time.perf_counter()
        while runs < 2 or (time.perf_counter() - start < budget_s / len(candidates) and runs < 20):
            step()
            runs += 1
        timings[n] = (time.perf_counter() - start) / runs
    fastest = min(timings.values())
    choice = min(n for n, t in timings.items() if t <= fastest * 1.1)
    torch.set_num_threads(choice)
    return choice, timings


def make_probe_step(model: torch.nn.Module, loss_fn: Callable, batch) -> Callable[[], None]:
    """A forward+backward on a copy of the model, so measuring touches no training state."""
    probe = copy.deepcopy(model)

    def step() -> None:
        rng = torch.get_rng_state()
        loss = loss_fn(probe, batch)
        loss.backward()
        for p in probe.parameters():
            p.grad = None
        torch.set_rng_state(rng)

    return step
