"""Train one model (works under torchrun too):

    python -m {{ cookiecutter.package_name }}.train --config configs/quick.yaml [key=value ...]

Add ``--resume auto`` to continue an interrupted run. Writes runs/<run_name>/: config.yaml,
command.txt, checkpoints/, log.csv and metrics.json (validation metrics of the best checkpoint).
"""

from .core.errors import run_main
from .engine.cli import run_training
from .tasks import build_task


def main(argv=None) -> dict:
    return run_training(build_task, argv)


if __name__ == "__main__":
    run_main(main)
