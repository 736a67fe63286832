"""Training-loop throughput against the model alone: ``python -m PACKAGE.benchmark --config
configs/full.yaml`` (see ``engine/benchmark.py``)."""

from .core.errors import run_main
from .engine.benchmark import run_benchmark
from .tasks import build_task


def main(argv=None):
    return run_benchmark(build_task, argv)


if __name__ == "__main__":
    run_main(main)
