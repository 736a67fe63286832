"""Wall time of a call (a forward pass, an onnxruntime session run), CUDA synchronised."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


def time_calls(
    call: Callable[[], object],
    device: torch.device,
    *,
    warmup: int = 2,
    min_runs: int = 5,
    budget_s: float = 0.0,
    max_runs: int = 200,
) -> list[float]:
    """Seconds of each call after `warmup` untimed ones.

    At least `min_runs` calls, more while `budget_s` seconds last, never more than `max_runs`.
    On CUDA the device is synchronised around each call, so the time is the kernels' too.
    Callers report the median, which ignores the odd slow call on a shared machine.
    """
    cuda = torch.device(device).type == "cuda"
    for _ in range(warmup):
        call()
    timings: list[float] = []
    start = time.perf_counter()
    while len(timings) < min_runs or (
        time.perf_counter() - start < budget_s and len(timings) < max_runs
    ):
        if cuda:
            torch.cuda.synchronize()
        tic = time.perf_counter()
        call()
        if cuda:
            torch.cuda.synchronize()
        timings.append(time.perf_counter() - tic)
    return timings
