"""Train one run:

    python -m {{ cookiecutter.package_name }}.train --config configs/quick.yaml [key=value ...]

The shared engine (engine/cli.py) does the work and writes runs/<run_name>/ (config.yaml,
command.txt, checkpoints, log.csv, metrics.json); it also runs under torchrun. A run whose loss
becomes infinite or NaN stops with exit code 3 (TrainingDiverged): for a reproduction that is a
result (too high a learning rate, say), not a crash.
"""

from __future__ import annotations

from .core.errors import ProjectError, run_main
from .engine.cli import run_training
from .tasks import build_task


class TrainingDiverged(ProjectError):
    """The training loss became non-finite (exit code 3)."""

    exit_code = 3
    label = "diverged"


def main(argv=None) -> dict:
    try:
        return run_training(build_task, argv)
    except FloatingPointError as error:
        raise TrainingDiverged(str(error)) from None


if __name__ == "__main__":
    run_main(main)
