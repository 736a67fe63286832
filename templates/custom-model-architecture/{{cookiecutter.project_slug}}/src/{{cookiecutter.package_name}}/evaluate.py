"""Test-set numbers of a finished run: python -m PACKAGE.evaluate runs/<run> [--split test|val]

Training picks its best checkpoint on the validation split; the test split is touched only
here, so the reported accuracy is not tuned on the data it is measured on.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from .engine.checkpoint import load_model_for_eval
from .tasks import build_task


@torch.no_grad()
def evaluate_run(run_dir: str | Path, split: str = "test", batch_size: int = 512) -> dict:
    """Metrics of the run's best checkpoint on `split`, on the CPU; also written to
    run_dir/<split>_metrics.json."""
    task, model, cfg = load_model_for_eval(run_dir, build_task)
    dataset = task.build_test_dataset(cfg) if split == "test" else task.build_datasets(cfg)[1]
    images, labels = dataset.tensors
    sums: dict[str, torch.Tensor] = {}
    for start in range(0, len(labels), batch_size):
        batch = (images[start : start + batch_size], labels[start : start + batch_size])
        for key, value in task.eval_batch(model, batch).items():
            sums[key] = sums[key] + value if key in sums else value
    metrics = task.summarize(sums)
    (Path(run_dir) / f"{split}_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--split", choices=["test", "val"], default="test")
    args = parser.parse_args(argv)
    metrics = evaluate_run(args.run_dir, args.split)
    for key, value in metrics.items():
        print(f"{args.split}_{key}: {value:.4f}")
    return metrics


if __name__ == "__main__":
    main()
