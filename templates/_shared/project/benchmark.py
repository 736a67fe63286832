"""Throughput of the full training loop against the model-only step (same batch, already on
the device), and their ratio:

    python -m {{ cookiecutter.package_name }}.benchmark --config configs/full.yaml
"""

from .core.errors import run_main
from .engine.benchmark import run_benchmark
from .tasks import build_task


def main(argv=None) -> dict:
    return run_benchmark(build_task, argv)


if __name__ == "__main__":
    run_main(main)
