"""Train a model on digits with the NumPy engine, and its PyTorch twin beside it.

    python -m PACKAGE.train --config configs/cnn.yaml [key=value ...]

Writes runs/<run_name>/: metrics.json (test `accuracy` and more, for both
engines), learning_curves.png, model.npz (the NumPy weights) and config.yaml.
Both engines start from the same weights and see the same batches, so their
curves differ only by floating-point rounding and dropout masks.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import yaml
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from . import data as digits
from .autograd import Tensor, no_grad
from .autograd import functional as F
from .models import build_model
from .nn import Module
from .optim import CosineSchedule, build_optimizer

DEFAULTS: dict = {
    "run_name": "run",
    "model": "cnn",  # mlp | cnn | attention
    "seed": 0,
    "epochs": 10,
    "batch_size": 64,
    "optimizer": "adamw",  # sgd | adam | adamw
    "lr": 3e-3,
    "momentum": 0.9,  # sgd only
    "weight_decay": 1e-4,
    "warmup_epochs": 0,
    "dropout": 0.1,
    "hidden": [128, 64],  # mlp
    "channels": [16, 32],  # cnn
    "dim": 32,  # attention
    "heads": 4,
    "depth": 1,
    "test_fraction": 0.2,
    "split_seed": 0,
    "train_limit": None,  # keep only the first N training images (quick tests)
    "torch_reference": True,  # also train the PyTorch twin when torch is installed
    "device": "auto",  # the PyTorch twin's device; the NumPy engine always runs on the CPU
    "threads": 1,  # BLAS and PyTorch CPU threads: these small models run fastest on one
    "out_dir": "runs",
    "progress": True,
}


def load_config(path: str | None, overrides: list[str] = ()) -> dict:
    """DEFAULTS, updated by the YAML file, updated by `key=value` strings (values in YAML)."""
    cfg = dict(DEFAULTS)
    if path:
        cfg.update(yaml.safe_load(Path(path).read_text()) or {})
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"override {item!r} is not key=value")
        cfg[key] = yaml.safe_load(value)
    unknown = set(cfg) - set(DEFAULTS)
    if unknown:
        raise KeyError(f"unknown config keys {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    return cfg


def predict(model: Module, x: np.ndarray) -> np.ndarray:
    """Logits in evaluation mode, without building a graph."""
    model.eval()
    with no_grad():
        return model(Tensor(x)).data


def train_numpy(cfg: dict, data: digits.Digits, orders: list[np.ndarray], model: Module) -> dict:
    """Mini-batch training of `model` with the engine's optimizer and cosine schedule."""
    optimizer = build_optimizer(cfg, model)
    steps_per_epoch = len(digits.batches(orders[0], cfg["batch_size"]))
    schedule = CosineSchedule(
        optimizer, cfg["epochs"] * steps_per_epoch, cfg["warmup_epochs"] * steps_per_epoch
    )
    history = {"epoch": [], "train_loss": [], "test_accuracy": []}
    train_seconds = 0.0
    epochs = tqdm(range(cfg["epochs"]), desc=f"numpy {cfg['model']}", disable=not cfg["progress"])
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
        accuracy = float((predict(model, data.x_test).argmax(1) == data.y_test).mean())
        history["epoch"].append(epoch + 1)
        history["train_loss"].append(float(np.mean(losses)))
        history["test_accuracy"].append(accuracy)
        epochs.set_postfix(loss=f"{history['train_loss'][-1]:.3f}", test_acc=f"{accuracy:.3f}")
    return {
        "history": history,
        "train_seconds": train_seconds,
        "logits": predict(model, data.x_test),
        "inference_ms_per_sample": _inference_ms(model, data.x_test),
    }


def _inference_ms(model: Module, x: np.ndarray, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        predict(model, x)
        best = min(best, time.perf_counter() - start)
    return 1000.0 * best / len(x)


def summarize(result: dict, labels: np.ndarray, engine: str, parameters: int) -> dict:
    """Test metrics of one trained engine: accuracy, macro-F1, loss, confusion, timings."""
    from sklearn.metrics import confusion_matrix, f1_score

    logits = result["logits"]
    predictions = logits.argmax(1)
    loss = F.cross_entropy(Tensor(logits.astype(np.float64)), labels).item()
    return {
        "engine": engine,
        "accuracy": float((predictions == labels).mean()),
        "macro_f1": float(f1_score(labels, predictions, average="macro")),
        "test_loss": loss,
        "train_seconds": result["train_seconds"],
        "inference_ms_per_sample": result["inference_ms_per_sample"],
        "parameters": parameters,
        "confusion": confusion_matrix(labels, predictions, labels=range(10)).tolist(),
        "history": result["history"],
    }


def plot_curves(metrics: dict, path: Path) -> None:
    """Training loss and test accuracy per epoch, both engines on the same axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
    for result, style in ((metrics, "-"), (metrics.get("torch"), "--")):
        if result:
            history = result["history"]
            ax_loss.plot(history["epoch"], history["train_loss"], style, label=result["engine"])
            ax_acc.plot(history["epoch"], history["test_accuracy"], style, label=result["engine"])
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="test accuracy")
    ax_acc.legend()
    fig.suptitle(f"{metrics['run']}: {metrics['model']} on digits")
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
    data = digits.load(cfg["test_fraction"], cfg["split_seed"], cfg["train_limit"])
    orders = digits.epoch_orders(len(data.y_train), cfg["epochs"], cfg["seed"])
    model = build_model(cfg)
    init_state = model.state_dict()
    result = train_numpy(cfg, data, orders, model)
    metrics = {"run": cfg["run_name"], "model": cfg["model"], "seed": cfg["seed"]}
    metrics.update(summarize(result, data.y_test, "numpy (from scratch)", model.num_parameters()))
    metrics["torch"] = None
    if cfg["torch_reference"]:
        try:
            from . import torch_reference
        except ImportError:
            metrics["torch_skipped"] = "torch is not installed"
            print("PyTorch is not installed: skipping the PyTorch reference (pip install torch).")
        else:
            progress = lambda items, desc: tqdm(items, desc=desc, disable=not cfg["progress"])  # noqa: E731
            twin = torch_reference.train_torch(cfg, data, orders, init_state, progress)
            parameters = sum(p.numel() for p in twin["model"].parameters())
            metrics["torch"] = summarize(twin, data.y_test, "pytorch", parameters)
            metrics["torch"]["device"] = twin["device"]
    metrics["config"] = cfg
    out = Path(cfg["out_dir"]) / cfg["run_name"]
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    np.savez(out / "model.npz", **model.state_dict())
    plot_curves(metrics, out / "learning_curves.png")
    line = f"{cfg['run_name']}: " + _score("numpy", metrics)
    if metrics["torch"]:
        line += ", " + _score("torch", metrics["torch"])
    print(f"{line} -> {out}")
    return metrics


def _score(name: str, result: dict) -> str:
    return f"{name} accuracy {result['accuracy']:.4f} ({result['train_seconds']:.1f} s)"


def load_checkpoint(run_dir: str | Path) -> Module:
    """The NumPy model saved by a run, rebuilt from its config.yaml and model.npz."""
    run_dir = Path(run_dir)
    cfg = load_config(str(run_dir / "config.yaml"))
    model = build_model(cfg)
    with np.load(run_dir / "model.npz") as saved:
        model.load_state_dict(dict(saved))
    return model.eval()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", help="YAML file (configs/*.yaml)")
    parser.add_argument("overrides", nargs="*", help="key=value settings on top of the file")
    args = parser.parse_args(argv)
    return run(load_config(args.config, args.overrides))


if __name__ == "__main__":
    main()
