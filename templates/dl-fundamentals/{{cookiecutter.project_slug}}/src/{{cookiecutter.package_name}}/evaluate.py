"""Evaluate a trained run on one split (the held-out test split by default):

    python -m {{ cookiecutter.package_name }}.evaluate --run runs/cnn [--split test]

Rebuilds the run's data (same ``data.seed``) and its NumPy model from config.yaml and
model.npz, and the PyTorch twin from torch_model.npz when the run trained one and torch is
installed, then writes runs/<run>/<split>_metrics.json: the metrics of core/metrics.py, the
confusion matrix, the split, the weights file and the evaluation time. Training's
metrics.json (validation numbers) is never changed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from . import data as digits
from .core.errors import ProjectError, run_main
from .core.metrics import confusion_matrix
from .core.results import write_json
from .data import SPLITS
from .models import NUM_CLASSES, build_model
from .nn import Module
from .train import load_config, predict, scores

WEIGHTS = "model.npz"
TWIN_WEIGHTS = "torch_model.npz"


def load_model(run_dir: str | Path) -> tuple[dict, Module]:
    """The run's config and its NumPy model, rebuilt from config.yaml and model.npz."""
    run_dir = Path(run_dir)
    if not (run_dir / WEIGHTS).is_file() or not (run_dir / "config.yaml").is_file():
        raise ProjectError(
            f"{run_dir} holds no trained run (no {WEIGHTS} / config.yaml); train first"
        )
    cfg = load_config(run_dir / "config.yaml")
    model = build_model(cfg)
    with np.load(run_dir / WEIGHTS) as saved:
        model.load_state_dict(dict(saved))
    return cfg, model.eval()


def _twin_scores(run_dir: Path, cfg: dict, x: np.ndarray, y: np.ndarray, device: str) -> dict:
    try:
        from . import torch_reference
    except ImportError:
        return {"torch_skipped": "torch is not installed"}
    import torch

    torch.set_num_threads(int(cfg["threads"]))  # as training ran it: the same float sums
    with np.load(run_dir / TWIN_WEIGHTS) as saved:
        twin = torch_reference.load_twin(cfg, dict(saved), device)
    inputs = torch.from_numpy(x).to(next(twin.parameters()).device)
    metrics = {"engine": "pytorch", **scores(torch_reference.predict(twin, inputs), y)}
    return {"torch": metrics}


def evaluate_run(run_dir: str | Path, split: str = "test", device: str = "auto") -> dict:
    """Metrics of both engines on `split`; also written to run_dir/<split>_metrics.json."""
    if split not in SPLITS:
        raise ProjectError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    run_dir = Path(run_dir)
    cfg, model = load_model(run_dir)
    start = time.perf_counter()
    with threadpool_limits(limits=cfg["threads"], user_api="blas"):
        x, y = digits.from_config(cfg).split(split)
        logits = predict(model, x)
    result = {"engine": "numpy (from scratch)", **scores(logits, y)}
    result["confusion"] = confusion_matrix(logits.argmax(1), y, NUM_CLASSES).tolist()
    result["torch"] = None
    if (run_dir / TWIN_WEIGHTS).is_file():
        result.update(_twin_scores(run_dir, cfg, x, y, device))
    result.update(
        split=split,
        checkpoint=WEIGHTS,
        epoch=int(cfg["epochs"]),
        eval_seconds=round(time.perf_counter() - start, 3),
    )
    write_json(result, run_dir / f"{split}_metrics.json")
    return result


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.evaluate",
        description="Evaluate a trained run on one split; writes RUN/<split>_metrics.json.",
    )
    parser.add_argument("--run", required=True, help="the run folder, e.g. runs/cnn")
    parser.add_argument("--split", choices=SPLITS, default="test")
    parser.add_argument("--device", default="auto", help="the PyTorch twin's device")
    args = parser.parse_args(argv)
    result = evaluate_run(args.run, args.split, args.device)
    shown = f"numpy accuracy {result['accuracy']:.4f}"
    if result.get("torch"):
        shown += f", pytorch accuracy {result['torch']['accuracy']:.4f}"
    print(f"{args.run} [{args.split}]: {shown}")
    print(f"  written: {Path(args.run) / (args.split + '_metrics.json')}")
    return result


if __name__ == "__main__":
    run_main(main)
