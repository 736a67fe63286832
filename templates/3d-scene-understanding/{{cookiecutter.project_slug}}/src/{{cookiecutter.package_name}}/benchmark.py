"""`python -m PACKAGE.benchmark --config configs/full.yaml`: throughput of the full training
loop against the model-only step (same batch, already on the device), and their ratio."""

from .engine.benchmark import run_benchmark
from .tasks import build_task


def main(argv=None) -> dict:
    return run_benchmark(build_task, argv)


if __name__ == "__main__":
    main()
