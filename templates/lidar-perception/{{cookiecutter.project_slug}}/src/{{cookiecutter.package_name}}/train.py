"""Train the detector: ``python -m PACKAGE.train --config configs/quick_det.yaml [key=value ...]``.

The training loop (seeds, schedule, best-checkpoint selection, logs, resume, torchrun) is the
shared engine in ``engine/``; this project supplies the task (``tasks.py``).
"""

from .core.errors import run_main
from .engine.cli import run_training
from .tasks import build_task


def main(argv=None):
    return run_training(build_task, argv)


if __name__ == "__main__":
    run_main(main)
