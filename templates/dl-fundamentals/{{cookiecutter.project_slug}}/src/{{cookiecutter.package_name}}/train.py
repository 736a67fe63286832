"""Train a model on digits with the NumPy engine, and its PyTorch twin beside it:

    python -m {{ cookiecutter.package_name }}.train --config configs/cnn.yaml [--fresh] [key=value ...]

The config uses the keys every project of this kind shares (``model.name``, ``data.seed``,
``optimizer.lr``, ``runs_dir``, ...; core/config.py), plus ``torch_reference``, ``threads``
and ``progress``. Writes runs/<run_name>/: config.yaml, command.txt, metrics.json (validation
``accuracy`` and more of the final model, for both engines), learning_curves.png, model.npz
(the NumPy weights) and torch_model.npz (the twin's). The test split is read only by
``python -m {{ cookiecutter.package_name }}.evaluate``. Both engines start from the same
weights and see the same batches, so their curves differ only by floating-point rounding and
dropout masks.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from . import data as digits
from .autograd import Tensor, no_grad
from .autograd import functional as F
from .core.config import CONTRACT_DEFAULTS, merge, run_dir_of, write_yaml
from .core.config import load_config as load_contract_config
from .core.errors import ProjectError, run_main
from .core.metrics import classification_metrics, confusion_matrix
from .core.results import write_command, write_json
from .models import NUM_CLASSES, build_model
from .nn import Module
from .optim import build_optimizer, build_schedule

# The shared vocabulary with this project's defaults, plus the keys only this project reads.
DEFAULTS: dict = merge(
    CONTRACT_DEFAULTS,
    {
        "epochs": 10,
        "batch_size": 64,
        "optimizer": {"name": "adamw", "lr": 3e-3, "weight_decay": 1e-4, "nesterov": False},
        "data": {
            "name": "digits",
            "digits": {"val_fraction": 0.1, "test_fraction": 0.2, "train_limit": None},
        },
        "model": {"name": "cnn"},  # mlp | cnn | attention (models/); other keys: its options
        "torch_reference": True,  # also train the PyTorch twin when torch is installed
        # `device` is the PyTorch twin's; the NumPy engine always runs on the CPU.
        "threads": 1,  # BLAS and PyTorch CPU threads: these small models run fastest on one
        "progress": True,
    },
)


def load_config(path: str | Path | None, overrides: Iterable[str] = ()) -> dict:
    """DEFAULTS, then the YAML file, then `key=value` overrides (core/config.py's loader)."""
    return load_contract_config(path, overrides, defaults=DEFAULTS)


def predict(model: Module, x: np.ndarray) -> np.ndarray:
    """Logits in evaluation mode, without building a graph."""
    model.eval()
    with no_grad():
        return model(Tensor(x)).data


def train_numpy(cfg: dict, data: digits.Digits, orders: list[np.ndarray], model: Module) -> dict:
    """Mini-batch training of `model` with the engine's optimizer and learning-rate schedule."""
    optimizer = build_optimizer(cfg, model)
    steps_per_epoch = len(digits.batches(orders[0], cfg["batch_size"]))
    schedule = build_schedule(cfg, optimizer, steps_per_epoch)
    history = {"epoch": [], "train_loss": [], "val_accuracy": []}
    train_seconds = 0.0
    name = cfg["model"]["name"]
    epochs = tqdm(range(cfg["epochs"]), desc=f"numpy {name}", disable=not cfg["progress"])
    for epoch in epochs:
        start = time.perf_counter()
        model.train()
        losses = []
        for index in digits.batches(orders[epoch], cfg["batch_size"]):
            loss = F.cross_entropy(model(Tensor(data.x_train[index])), data.y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
        train_seconds += time.perf_counter() - start
        accuracy = float((predict(model, data.x_val).argmax(1) == data.y_val).mean())
        history["epoch"].append(epoch + 1)
        history["train_loss"].append(float(np.mean(losses)))
        history["val_accuracy"].append(accuracy)
        epochs.set_postfix(loss=f"{history['train_loss'][-1]:.3f}", val_acc=f"{accuracy:.3f}")
    return {
        "history": history,
        "train_seconds": train_seconds,
        "logits": predict(model, data.x_val),
        "inference_ms_per_sample": _inference_ms(model, data.x_val),
    }


def _inference_ms(model: Module, x: np.ndarray, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        predict(model, x)
        best = min(best, time.perf_counter() - start)
    return 1000.0 * best / len(x)


def scores(logits: np.ndarray, labels: np.ndarray) -> dict:
    """accuracy, mean_class_accuracy, miou, macro_f1, per-class scores (core/metrics.py) and
    the cross-entropy loss of logits against labels."""
    predictions = logits.argmax(1)
    metrics = classification_metrics(confusion_matrix(predictions, labels, NUM_CLASSES))
    metrics["loss"] = F.cross_entropy(Tensor(logits.astype(np.float64)), labels).item()
    return metrics


def summarize(result: dict, labels: np.ndarray, engine: str, parameters: int) -> dict:
    """Validation metrics of one trained engine, with its timings and learning curve."""
    return {
        "engine": engine,
        **scores(result["logits"], labels),
        "train_seconds": result["train_seconds"],
        "inference_ms_per_sample": result["inference_ms_per_sample"],
        "parameters": parameters,
        "history": result["history"],
    }


def plot_curves(metrics: dict, cfg: dict, path: Path) -> None:
    """Training loss and validation accuracy per epoch, both engines on the same axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
    for result, style in ((metrics, "-"), (metrics.get("torch"), "--")):
        if result:
            history = result["history"]
            ax_loss.plot(history["epoch"], history["train_loss"], style, label=result["engine"])
            ax_acc.plot(history["epoch"], history["val_accuracy"], style, label=result["engine"])
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy")
    ax_acc.legend()
    fig.suptitle(f"{cfg['run_name']}: {cfg['model']['name']} on digits")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(cfg: dict) -> dict:
    """Train (both engines), write runs/<run_name>/, return the metrics."""
    # Multi-threaded BLAS on 64x128 matrices mostly waits on itself (measured 6-12x slower
    # on a busy 2-core machine), so NumPy's BLAS gets cfg["threads"] threads.
    with threadpool_limits(limits=cfg["threads"], user_api="blas"):
        return _run(cfg)


def _run(cfg: dict) -> dict:
    data = digits.from_config(cfg)
    orders = digits.epoch_orders(len(data.y_train), cfg["epochs"], cfg["seed"])
    model = build_model(cfg)
    init_state = model.state_dict()
    result = train_numpy(cfg, data, orders, model)
    metrics = summarize(result, data.y_val, "numpy (from scratch)", model.num_parameters())
    metrics["torch"] = None
    twin = None
    if cfg["torch_reference"]:
        try:
            from . import torch_reference
        except ImportError:
            metrics["torch_skipped"] = "torch is not installed"
            print("PyTorch is not installed: skipping the PyTorch reference (pip install torch).")
        else:
            if torch_reference.has_twin(cfg):
                progress = lambda items, desc: tqdm(items, desc=desc, disable=not cfg["progress"])  # noqa: E731
                twin = torch_reference.train_torch(cfg, data, orders, init_state, progress)
                parameters = sum(p.numel() for p in twin["model"].parameters())
                metrics["torch"] = summarize(twin, data.y_val, "pytorch", parameters)
                metrics["torch"]["device"] = twin["device"]
            else:
                metrics["torch_skipped"] = f"no PyTorch twin of {cfg['model']['name']!r}"
    out = run_dir_of(cfg)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*_metrics.json"):  # evaluations of an earlier model in this folder
        stale.unlink()
    write_yaml(cfg, out / "config.yaml")
    np.savez(out / "model.npz", **model.state_dict())
    if twin is not None:
        np.savez(out / "torch_model.npz", **torch_reference.state_arrays(twin["model"]))
    else:
        (out / "torch_model.npz").unlink(missing_ok=True)
    plot_curves(metrics, cfg, out / "learning_curves.png")
    write_json(metrics, out / "metrics.json")
    line = f"{cfg['run_name']}: " + _score("numpy", metrics)
    if metrics["torch"]:
        line += ", " + _score("torch", metrics["torch"])
    print(f"{line} -> {out}")
    return metrics


def _score(name: str, result: dict) -> str:
    return f"{name} val accuracy {result['accuracy']:.4f} ({result['train_seconds']:.1f} s)"


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.train",
        description="Train a model on digits with the NumPy engine and its PyTorch twin.",
    )
    parser.add_argument("--config", default="configs/quick.yaml", help="YAML file (configs/)")
    parser.add_argument(
        "--fresh", action="store_true", help="train again when the run folder holds a run"
    )
    parser.add_argument("overrides", nargs="*", help="key=value settings on top of the file")
    args = parser.parse_intermixed_args(argv)
    cfg = load_config(args.config, args.overrides)
    done = run_dir_of(cfg)
    if (done / "metrics.json").is_file() and not args.fresh:  # never replace results silently
        raise ProjectError(
            f"{done} holds a finished run: add --fresh to train it again (its model, metrics "
            "and evaluations are replaced), or give the new run another name with run_name=NAME"
        )
    metrics = run(cfg)
    given = ["--config", args.config, *args.overrides]
    write_command(run_dir_of(cfg), f"{__package__}.train", given)
    return metrics


if __name__ == "__main__":
    run_main(main)
