"""Known-answer tests of the cost accounting and the Pareto front."""

from __future__ import annotations

from torch import nn

from {{ cookiecutter.package_name }}.blocks import BLOCKS
from {{ cookiecutter.package_name }}.cost import (
    count_flops,
    count_parameters,
    measure_latency,
)
from {{ cookiecutter.package_name }}.figures import pareto_front


def test_conv_flops_are_two_per_multiply_add():
    conv = nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=False)
    # Each of the 8 x 32 x 32 outputs takes 3 x 3 x 3 multiply-adds.
    assert count_flops(conv, (1, 3, 32, 32)) == 2 * (8 * 32 * 32) * (3 * 3 * 3) == 442_368


def test_strided_conv_flops():
    conv = nn.Conv2d(16, 32, kernel_size=3, stride=2, padding=1)
    assert count_flops(conv, (1, 16, 8, 8)) == 2 * (32 * 4 * 4) * (16 * 9)


def test_linear_flops_and_parameters():
    linear = nn.Linear(64, 10)
    assert count_flops(linear, (1, 64)) == 2 * 64 * 10
    assert count_parameters(linear) == 64 * 10 + 10


def test_attention_is_counted_on_the_cpu_too():
    channels, tokens = 32, 16
    block = BLOCKS.build({"name": "attention", "heads": 4, "mlp_ratio": 2}, in_channels=channels)
    linears = channels * 3 * channels + channels * channels + 2 * channels * 2 * channels
    attention = 2 * tokens * tokens * channels  # q @ k^T and weights @ v
    assert count_flops(block, (1, channels, 4, 4)) == 2 * (tokens * linears + attention)


def test_latency_is_a_positive_median_in_milliseconds():
    latency = measure_latency(nn.Linear(8, 8), (1, 8), repeats=5, warmup=1)
    assert 0 < latency < 1000


def test_pareto_front():
    costs = [1.0, 2.0, 3.0, 4.0, 2.0]
    scores = [0.90, 0.95, 0.94, 0.97, 0.80]
    # 3.0 is beaten by 2.0 (cheaper, better); the second 2.0 by the first (same cost, better).
    assert pareto_front(costs, scores) == [0, 1, 3]
    assert pareto_front([5.0], [0.1]) == [0]
