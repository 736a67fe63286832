"""Train one model: python -m PACKAGE.train --config configs/quick.yaml [--resume auto] [k=v ...]

Works under torchrun too. Writes runs/<run_name>/ (config, checkpoints, log.csv, metrics.json).
"""

from .engine.cli import run_training
from .tasks import build_task


def main(argv=None):
    return run_training(build_task, argv)


if __name__ == "__main__":
    main()
