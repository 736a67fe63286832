"""Train a model:

    python -m {{ cookiecutter.package_name }}.train --config configs/quick.yaml [key=value ...]

The training loop (seeds, cosine schedule, best-checkpoint selection, progress bar, CSV log,
resume, torchrun) is the shared engine in ``engine/``; this project supplies the task.
"""

from .core.errors import run_main
from .engine.cli import run_training
from .tasks import build_task


def main(argv=None) -> dict:
    return run_training(build_task, argv)


if __name__ == "__main__":
    run_main(main)
