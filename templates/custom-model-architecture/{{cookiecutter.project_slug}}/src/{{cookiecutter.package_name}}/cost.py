"""What a model costs: parameters, FLOPs and latency at batch size 1.

FLOP convention: torch.utils.flop_counter counts 2 FLOPs per multiply-add of convolutions,
matrix products and attention, and nothing for elementwise ops (norms, activations, adds), so
1 MAC = 2 FLOPs. PyTorch does not count its fused CPU attention kernel; we add it here with the
counter's own attention formula, so attention costs the same on CPU and GPU.
"""

from __future__ import annotations

import statistics
import time

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

aten = torch.ops.aten


def _cpu_attention_flops(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs):
    return sdpa_flop_count(query_shape, key_shape, value_shape)


_EXTRA_FORMULAS = {aten._scaled_dot_product_flash_attention_for_cpu: _cpu_attention_flops}


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@torch.no_grad()
def count_flops(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """FLOPs of one forward pass (2 per multiply-add) on a zero input of `input_shape`."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    with FlopCounterMode(display=False, custom_mapping=_EXTRA_FORMULAS) as counter:
        model(torch.zeros(input_shape, device=device))
    model.train(was_training)
    return int(counter.get_total_flops())


@torch.no_grad()
def measure_latency(
    model: nn.Module,
    input_shape: tuple[int, ...],
    device: str | torch.device = "cpu",
    repeats: int = 50,
    warmup: int = 10,
) -> float:
    """Median wall time of one forward pass in milliseconds, after `warmup` untimed passes.

    The median ignores the occasional slow pass caused by other processes on a shared machine.
    """
    device = torch.device(device)
    model = model.to(device).eval()
    x = torch.zeros(input_shape, device=device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        model(x)
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model(x)
        sync()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)
