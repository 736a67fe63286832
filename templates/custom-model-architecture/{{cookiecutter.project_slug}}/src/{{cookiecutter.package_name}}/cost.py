"""What a model costs: parameters, FLOPs and latency at batch size 1.

FLOP convention: torch.utils.flop_counter counts 2 FLOPs per multiply-add of convolutions,
matrix products and attention, and nothing for elementwise ops (norms, activations, adds), so
1 MAC = 2 FLOPs. PyTorch does not count its fused CPU attention kernel; we add it here with the
counter's own attention formula, so attention costs the same on CPU and GPU.
"""

from __future__ import annotations

import statistics

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

from .engine.latency import time_calls

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
    times = time_calls(lambda: model(x), device, warmup=warmup, min_runs=repeats, max_runs=repeats)
    return 1000.0 * statistics.median(times)
