"""Evaluate a trained run:

    python -m {{ cookiecutter.package_name }}.evaluate --run runs/NAME [--split test]

Writes runs/NAME/<split>_metrics.json beside training's untouched metrics.json. A reproduction
evaluates its runs itself (see reproduction/execute.py), on the split and checkpoint each claim
names.
"""

from __future__ import annotations

from .core.errors import run_main
from .engine.evaluation import evaluate_main
from .tasks import build_task


def main(argv=None) -> dict:
    return evaluate_main(build_task, argv)


if __name__ == "__main__":
    run_main(main)
