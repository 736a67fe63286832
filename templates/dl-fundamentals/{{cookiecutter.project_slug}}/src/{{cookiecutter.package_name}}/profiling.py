"""Profile the NumPy engine: where does one training epoch spend its time?

    python -m {{ cookiecutter.package_name }}.profiling --config configs/cnn.yaml [key=value ...]

Prints the functions with the most time of their own (cProfile `tottime`),
and times the loop and vectorised im2col side by side: the starting point of
exercise 6 (the performance pass).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import numpy as np
from threadpoolctl import threadpool_limits

from . import data as digits
from . import exercises
from .autograd.windows import im2col_loops
from .core.errors import run_main
from .models import build_model
from .train import load_config, train_numpy


def time_im2col(repeats: int = 3) -> dict[str, float]:
    """Milliseconds per call on a CNN-sized batch (64 x 16 x 8 x 8, 3x3, padding 1)."""
    x = np.random.default_rng(0).standard_normal((64, 16, 8, 8)).astype(np.float32)
    timings = {}
    for name, function in (("loops", im2col_loops), ("exercise (current)", exercises.im2col)):
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            function(x, 3, 3, 1, 1)
            best = min(best, time.perf_counter() - start)
        timings[name] = 1000.0 * best
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.profiling", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--config", default="configs/cnn.yaml")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    cfg = load_config(args.config, [*args.overrides, "epochs=1", "progress=false"])
    with threadpool_limits(limits=cfg["threads"], user_api="blas"):
        data = digits.from_config(cfg)
        orders = digits.epoch_orders(len(data.y_train), 1, cfg["seed"])
        profiler = cProfile.Profile()
        profiler.enable()
        train_numpy(cfg, data, orders, build_model(cfg))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
        for name, ms in time_im2col().items():
            print(f"im2col {name:>20}: {ms:8.2f} ms per call")


if __name__ == "__main__":
    run_main(main)
