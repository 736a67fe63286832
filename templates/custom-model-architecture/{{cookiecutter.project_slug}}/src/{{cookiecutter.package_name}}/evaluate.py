"""Test-set numbers of a finished run:

    python -m {{ cookiecutter.package_name }}.evaluate --run runs/quick [--split test|val]

Training picks its best checkpoint on the validation split; the test split is touched only
here, so the reported accuracy is not tuned on the data it is measured on. Writes
runs/<run>/<split>_metrics.json; training's metrics.json stays as it was.
"""

from .core.errors import run_main
from .engine.evaluation import evaluate_main
from .tasks import build_task


def main(argv=None) -> dict:
    return evaluate_main(build_task, argv)


if __name__ == "__main__":
    run_main(main)
