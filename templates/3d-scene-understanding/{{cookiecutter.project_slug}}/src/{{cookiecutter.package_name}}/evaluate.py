"""Evaluate a trained run on its held-out test split.

    python -m PACKAGE.evaluate --run runs/quick-cls [--split test] [--robustness-samples 500]

Writes into the run folder: overall accuracy, mean class accuracy, per-class IoU and mIoU
(merged into metrics.json), a per-class table, a robustness table (Gaussian noise, point
dropout, rotation, scaling at several strengths), a confusion-matrix figure, figures of a few
predictions coloured by class and by error, and the inference latency.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch

from .engine.checkpoint import load_model_for_eval
from .engine.latency import time_calls
from .metrics import confusion_matrix, metrics_from_confusion
from .tasks import build_task

# Perturbation -> strengths, in the units of the normalised clouds (unit sphere / 2 m scene).
PERTURBATIONS: dict[str, tuple[float, ...]] = {
    "gaussian_noise": (0.01, 0.02, 0.05),  # standard deviation added to every coordinate
    "point_dropout": (0.25, 0.5, 0.75),  # fraction of points removed
    "rotation": (15.0, 45.0, 90.0),  # degrees about a random axis
    "scaling": (0.7, 1.3, 2.0),  # isotropic factor
}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Evaluate a trained run on held-out data.")
    parser.add_argument("--run", required=True, help="run folder, e.g. runs/quick-cls")
    parser.add_argument("--split", default="test", choices=("val", "test"))
    parser.add_argument(
        "--robustness-samples",
        type=int,
        default=None,
        help="clouds or scenes per robustness setting (0: skip the study; "
        "default: the config's evaluate.robustness_samples, else 500)",
    )
    parser.add_argument("--figures", type=int, default=4, help="predictions to draw")
    parser.add_argument("--device", default="auto", help="auto (GPU if any) | cpu | cuda")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (latency included)")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    run_dir = Path(args.run)
    task, model, cfg = load_model_for_eval(run_dir, build_task)
    device = torch.device(
        ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    )
    model.to(device)
    points, labels = task.load(cfg, args.split).tensors
    batch_size = int(cfg.get("eval_batch_size") or cfg.get("batch_size", 32))
    figures = run_dir / "figures"
    figures.mkdir(exist_ok=True)
    samples = args.robustness_samples
    if samples is None:
        samples = int((cfg.get("evaluate") or {}).get("robustness_samples", 500))

    start = time.perf_counter()
    predictions = predict(model, points, batch_size, device)
    confusion = confusion_matrix(predictions, labels, task.num_classes)
    scores = metrics_from_confusion(confusion)
    per_class = per_class_rows(task.class_names, confusion, scores)
    robustness = (
        robustness_study(
            model,
            task.num_classes,
            points,
            labels,
            batch_size,
            device,
            samples,
            seed=int(cfg.get("seed", 0)),
        )
        if samples > 0
        else []
    )
    latency = measure_latency(model, points, batch_size, device)
    eval_seconds = time.perf_counter() - start

    plot_confusion(confusion, task.class_names, figures / "confusion_matrix.png")
    plot_predictions(
        points,
        labels,
        predictions.view(labels.shape),
        task.class_names,
        figures / "predictions.png",
        count=args.figures,
    )
    write_tables(run_dir, per_class, robustness, task.task)

    result = {
        "evaluated_split": args.split,
        "task": task.task,
        "model": cfg["model"]["name"],
        "dataset": cfg["data"].get("name", "synthetic"),
        "num_points": int(points.shape[1]),
        "test_samples": int(points.shape[0]),
        "overall_accuracy": scores["overall_accuracy"],
        "mean_class_accuracy": scores["mean_class_accuracy"],
        "miou": scores["miou"],
        "per_class": per_class,
        "robustness": robustness,
        "latency": latency,
        "eval_seconds": round(eval_seconds, 3),
        "figures": {
            "confusion_matrix": "figures/confusion_matrix.png",
            "predictions": "figures/predictions.png",
        },
        "evaluate_command": "python -m "
        + __spec__.name
        + " "
        + shlex.join(sys.argv[1:] if argv is None else argv),
    }
    merge_metrics(run_dir / "metrics.json", result)
    print(
        f"{run_dir} ({args.split}, {points.shape[0]} samples): "
        f"OA {scores['overall_accuracy']:.4f}  mAcc {scores['mean_class_accuracy']:.4f}  "
        f"mIoU {scores['miou']:.4f}  latency {latency['batch_1_ms']:.2f} ms (batch 1)"
    )
    print(
        f"  written: {run_dir / 'metrics.json'}, {run_dir / 'per_class.md'}, "
        f"{run_dir / 'robustness.md'}, {figures}/"
    )
    return result


@torch.no_grad()
def predict(model: torch.nn.Module, points: torch.Tensor, batch_size: int, device) -> torch.Tensor:
    """Predicted labels, flattened: one per cloud (classification) or per point (segmentation)."""
    model.eval()
    outputs = [
        model(points[i : i + batch_size].to(device)).argmax(-1).reshape(-1).cpu()
        for i in range(0, len(points), batch_size)
    ]
    return torch.cat(outputs)


def per_class_rows(names: list[str], confusion: torch.Tensor, scores: dict) -> dict:
    support = confusion.sum(dim=1).tolist()
    return {
        name: {
            "support": int(support[i]),
            "accuracy": _finite_or_none(scores["per_class_accuracy"][i]),
            "iou": _finite_or_none(scores["per_class_iou"][i]),
        }
        for i, name in enumerate(names)
    }


def _finite_or_none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


# ----------------------------------------------------------------------------- robustness


def perturb(
    points: torch.Tensor,
    labels: torch.Tensor,
    kind: str,
    strength: float,
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A corrupted copy of a batch of clouds (and the labels that remain, for dropout)."""
    count, num_points, _ = points.shape
    if kind == "gaussian_noise":
        return points + torch.randn(points.shape, generator=generator) * strength, labels
    if kind == "point_dropout":
        keep = max(1, round(num_points * (1 - strength)))
        order = torch.rand(count, num_points, generator=generator).argsort(dim=1)[:, :keep]
        kept = torch.gather(points, 1, order.unsqueeze(-1).expand(-1, -1, 3))
        return kept, (torch.gather(labels, 1, order) if labels.dim() == 2 else labels)
    if kind == "rotation":
        axis = torch.randn(count, 3, generator=generator)
        axis = axis / axis.norm(dim=1, keepdim=True)
        return points @ axis_angle(axis, math.radians(strength)).transpose(1, 2), labels
    if kind == "scaling":
        return points * strength, labels
    raise ValueError(f"unknown perturbation {kind!r}")


def axis_angle(axis: torch.Tensor, angle: float) -> torch.Tensor:
    """Rotation matrices [N, 3, 3] by ``angle`` radians about unit vectors ``axis`` [N, 3]."""
    x, y, z = axis.unbind(-1)
    zero = torch.zeros_like(x)
    cross = torch.stack(
        [torch.stack(r, -1) for r in ([zero, -z, y], [z, zero, -x], [-y, x, zero])], -2
    )
    eye = torch.eye(3).expand_as(cross)
    return eye + math.sin(angle) * cross + (1 - math.cos(angle)) * cross @ cross


def robustness_study(model, num_classes, points, labels, batch_size, device, samples, seed=0):
    """Scores under every perturbation and strength, on the first ``samples`` test items."""
    points, labels = points[:samples], labels[:samples]
    rows = []
    for kind, strengths in {"clean": (0.0,), **PERTURBATIONS}.items():
        for strength in strengths:
            generator = torch.Generator().manual_seed(seed)
            if kind == "clean":
                corrupted, kept = points, labels
            else:
                corrupted, kept = perturb(points, labels, kind, strength, generator)
            predictions = predict(model, corrupted, batch_size, device)
            scores = metrics_from_confusion(confusion_matrix(predictions, kept, num_classes))
            rows.append(
                {
                    "perturbation": kind,
                    "strength": strength,
                    "overall_accuracy": scores["overall_accuracy"],
                    "mean_class_accuracy": scores["mean_class_accuracy"],
                    "miou": scores["miou"],
                }
            )
    return rows


# ----------------------------------------------------------------------------- latency


@torch.no_grad()
def measure_latency(model, points, batch_size, device, budget_s: float = 0.5) -> dict:
    """Median forward time at batch 1 and at the evaluation batch size."""
    model.eval()
    result = {"device": device.type, "threads": torch.get_num_threads(), "batch_size": batch_size}
    for label, size in (("batch_1", 1), (f"batch_{batch_size}", batch_size)):
        batch = points[:size].to(device)
        timings = time_calls(lambda b=batch: model(b), device, budget_s=budget_s)
        result[f"{label}_ms"] = 1000 * float(np.median(timings))
    result["batched_ms_per_sample"] = result[f"batch_{batch_size}_ms"] / batch_size
    result["batch_ms"] = result.pop(f"batch_{batch_size}_ms")
    return result


# ----------------------------------------------------------------------------- outputs


def write_tables(run_dir: Path, per_class: dict, robustness: list[dict], task: str) -> None:
    """per_class.md and robustness.md: Markdown tables the report embeds."""
    lines = ["| class | support | accuracy | IoU |", "|---|---:|---:|---:|"]
    for name, row in per_class.items():
        lines.append(
            f"| {name} | {row['support']} | {_fmt(row['accuracy'])} | {_fmt(row['iou'])} |"
        )
    (run_dir / "per_class.md").write_text("\n".join(lines) + "\n", encoding="utf-8")

    key = "overall_accuracy" if task == "classification" else "miou"
    label = "OA" if task == "classification" else "mIoU"
    clean = next((r[key] for r in robustness if r["perturbation"] == "clean"), None)
    lines = [
        f"| perturbation | strength | OA | mAcc | mIoU | change in {label} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in robustness:
        change = "" if clean is None else f"{row[key] - clean:+.3f}"
        lines.append(
            f"| {row['perturbation']} | {row['strength']:g} | {_fmt(row['overall_accuracy'])} | "
            f"{_fmt(row['mean_class_accuracy'])} | {_fmt(row['miou'])} | {change} |"
        )
    (run_dir / "robustness.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"


def merge_metrics(path: Path, result: dict) -> None:
    """Add the evaluation to metrics.json; training's validation scores move to val_* keys."""
    metrics = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if "evaluated_split" not in metrics:
        for key in ("overall_accuracy", "mean_class_accuracy", "miou", "loss"):
            if key in metrics:
                metrics[f"val_{key}"] = metrics.pop(key)
    metrics.update(result)
    path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")


# Points with no class (negative label) in the prediction figures.
IGNORED_COLOUR = (0.0, 0.0, 0.0, 1.0)


def class_colours(count: int) -> np.ndarray:
    import matplotlib

    cmap = matplotlib.colormaps["tab20" if count > 10 else "tab10"]
    return np.array([cmap(i % cmap.N) for i in range(count)])


def plot_confusion(confusion: torch.Tensor, names: list[str], path: Path) -> None:
    """Row-normalised confusion matrix (recall per true class), with counts when it is small."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = confusion.double()
    rates = (counts / counts.sum(dim=1, keepdim=True).clamp(min=1)).numpy()
    size = 2.5 + 0.45 * len(names)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=90)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if len(names) <= 16:
        for t in range(len(names)):
            for p in range(len(names)):
                if rates[t, p] >= 0.005:
                    colour = "white" if rates[t, p] > 0.5 else "black"
                    ax.text(
                        p,
                        t,
                        f"{rates[t, p]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color=colour,
                    )
    ax.set_title("confusion matrix (rows sum to 1)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_predictions(points, labels, predictions, names, path: Path, count: int = 4) -> None:
    """For a few samples: ground truth, prediction (coloured by class) and errors (red).

    Ignored points (negative label) are drawn black in the truth and the error panels and do
    not count as errors.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    count = min(count, len(points))
    colours = np.concatenate([class_colours(len(names)), [IGNORED_COLOUR]])
    fig = plt.figure(figsize=(10, 3.2 * count))
    for row in range(count):
        xyz = points[row].numpy()
        truth = labels[row].expand(xyz.shape[0]).numpy()
        guess = predictions[row].expand(xyz.shape[0]).numpy()
        labelled = truth >= 0
        wrong = labelled & (truth != guess)
        error_colours = np.where(wrong[:, None], [[0.85, 0.1, 0.1, 1]], [[0.8, 0.8, 0.8, 1]])
        panels = (
            ("truth", colours[np.where(labelled, truth, -1)]),  # -1: the last row, IGNORED_COLOUR
            ("prediction", colours[guess]),
            (
                f"errors: {wrong.sum() / max(labelled.sum(), 1):.1%}",
                np.where(labelled[:, None], error_colours, [IGNORED_COLOUR]),
            ),
        )
        for column, (title, colour) in enumerate(panels):
            ax = fig.add_subplot(count, 3, 3 * row + column + 1, projection="3d")
            ax.scatter(xyz[:, 0], xyz[:, 1], xyz[:, 2], c=colour, s=2, depthshade=False)
            if labels.dim() == 1:
                title += f"\n{names[truth[0]]} -> {names[guess[0]]}"
            ax.set_title(title, fontsize=9)
            ax.set_axis_off()
            ax.set_box_aspect(tuple(np.ptp(xyz, axis=0) + 1e-3))  # equal scale on every axis
            ax.view_init(elev=25, azim=45)
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=colours[i], label=n)
        for i, n in enumerate(names)
    ]
    fig.legend(handles=handles, loc="lower center", ncol=min(6, len(names)), fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    main()
