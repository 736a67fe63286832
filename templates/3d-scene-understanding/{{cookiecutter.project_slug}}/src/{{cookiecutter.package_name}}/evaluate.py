"""Evaluate a trained run on one split (the held-out test split by default):

    python -m {{ cookiecutter.package_name }}.evaluate --run runs/quick-cls [--split test]

Writes runs/<run>/<split>_metrics.json (training's metrics.json is never changed): accuracy
(overall accuracy, OA), mean class accuracy (mAcc), mIoU, macro-F1 and per-class scores from
the shared engine, plus what this project adds (``extras``): a per-class table and a
robustness table as <split>_per_class.md and <split>_robustness.md, a confusion-matrix figure
and figures of a few predictions in runs/<run>/figures/, and the inference latency on one CPU
thread (or the GPU).

The robustness study scores the same items as the headline numbers, once clean (equal to the
headline: same points, same model, same batches) and once per corruption and strength; every
corruption names its axis and unit (``PERTURBATIONS``). ``--no-robustness`` skips it and
``--figures N`` sets how many predictions are drawn (default 4).
"""

from __future__ import annotations

import argparse
import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

from .core.errors import ConfigError, run_main
from .core.metrics import confusion_matrix
from .core.results import markdown_table
from .engine.evaluation import LoadedRun, evaluate_main, evaluate_split
from .engine.latency import time_calls
from .rotations import about_axis
from .tasks import build_task


@dataclass(frozen=True)
class Perturbation:
    """A corruption of whole clouds: what it does, about which axis, in which unit."""

    axis: str
    unit: str  # "coordinates": the unit of the clouds' coordinates (coordinate_unit)
    strengths: tuple[float, ...]
    means: str


PERTURBATIONS: dict[str, Perturbation] = {
    "gaussian_noise": Perturbation(
        "x, y, z (each)",
        "coordinates",
        (0.01, 0.02, 0.05),
        "zero-mean Gaussian noise of this standard deviation added to every coordinate",
    ),
    "point_dropout": Perturbation(
        "none",
        "fraction of points",
        (0.25, 0.5, 0.75),
        "this fraction of each cloud's points removed at random (the rest are scored)",
    ),
    "rotation_z": Perturbation(
        "z (vertical)",
        "degrees",
        (15.0, 45.0, 90.0),
        "the whole cloud turned by this angle about the vertical axis through the origin",
    ),
    "rotation_x": Perturbation(
        "x (horizontal)",
        "degrees",
        (15.0, 45.0, 90.0),
        "the whole cloud tilted by this angle about the x axis through the origin",
    ),
    "scaling": Perturbation(
        "x, y, z (isotropic)",
        "factor",
        (0.7, 1.3, 2.0),
        "every coordinate multiplied by this factor",
    ),
}
SCORES = ("accuracy", "mean_class_accuracy", "miou")


def options_parser() -> argparse.ArgumentParser:
    """The flags this project adds to the shared evaluate command."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--no-robustness",
        action="store_true",
        help="skip the robustness study (it scores the whole split once per corruption)",
    )
    parser.add_argument("--figures", type=int, default=4, help="predictions to draw")
    return parser


def main(argv: list[str] | None = None) -> dict:
    parser = options_parser()
    options, _ = parser.parse_known_args(argv)
    return evaluate_main(
        build_task,
        argv,
        extras=functools.partial(
            extras, robustness=not options.no_robustness, figure_count=options.figures
        ),
        parents=[parser],
    )


def extras(
    run: LoadedRun, split: str, metrics: dict, robustness: bool = True, figure_count: int = 4
) -> dict:
    """What this project adds to <split>_metrics.json: tables, robustness, figures, latency."""
    if "robustness_samples" in (run.cfg.get("evaluate") or {}):
        raise ConfigError(
            "evaluate.robustness_samples is no longer read: the robustness study scores the "
            "whole split, so its clean row is the headline; --no-robustness skips it"
        )
    task, model = run.task, run.model
    points, labels = run.dataset(split).tensors
    device = next(model.parameters()).device
    batch_size = int(run.cfg.get("eval_batch_size") or run.cfg["batch_size"])
    predictions = predict(model, points, batch_size, device)
    confusion = confusion_matrix(predictions.numpy(), labels.numpy(), task.num_classes)
    per_class = per_class_rows(task.class_names, confusion, metrics)
    unit = coordinate_unit(run.cfg, task.task)
    robustness = robustness_study(run, split, points, labels, unit) if robustness else []
    latency = measure_latency(model, points, batch_size, device)

    figures = run.run_dir / "figures"
    figures.mkdir(exist_ok=True)
    drawn = {
        "confusion_matrix": figures / f"{split}_confusion_matrix.png",
        "predictions": figures / f"{split}_predictions.png",
    }
    plot_confusion(confusion, task.class_names, drawn["confusion_matrix"])
    plot_predictions(
        points,
        labels,
        predictions.view(labels.shape),
        task.class_names,
        drawn["predictions"],
        count=figure_count,
    )
    write_tables(run.run_dir, split, per_class, robustness, task.primary_metric, unit)
    print(
        f"  latency {latency['batch_1_ms']:.2f} ms at batch 1 ({latency['device']}, "
        f"{latency['threads']} thread(s)); tables {split}_per_class.md, {split}_robustness.md; "
        f"figures in {figures}/"
    )
    return {
        "task": task.task,
        "model": run.cfg["model"]["name"],
        "dataset": run.cfg["data"].get("name", "synthetic"),
        "num_points": int(points.shape[1]),
        "samples": int(points.shape[0]),
        "per_class": per_class,
        "robustness": robustness,
        "latency": latency,
        "figures": {key: path.relative_to(run.run_dir).as_posix() for key, path in drawn.items()},
    }


@torch.no_grad()
def predict(model: torch.nn.Module, points: torch.Tensor, batch_size: int, device) -> torch.Tensor:
    """Predicted labels on the CPU, flattened: one per cloud (classification) or per point
    (segmentation). For the figures; the metrics come from the engine's evaluation."""
    model.eval()
    outputs = [
        model(points[i : i + batch_size].to(device)).argmax(-1).reshape(-1).cpu()
        for i in range(0, len(points), batch_size)
    ]
    return torch.cat(outputs)


def per_class_rows(names: list[str], confusion: np.ndarray, metrics: dict) -> dict:
    support = confusion.sum(axis=1).tolist()
    return {
        name: {
            "support": int(support[i]),
            "accuracy": _finite_or_none(metrics["per_class_accuracy"][i]),
            "iou": _finite_or_none(metrics["per_class_iou"][i]),
        }
        for i, name in enumerate(names)
    }


def _finite_or_none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


# ----------------------------------------------------------------------------- robustness


def coordinate_unit(cfg: dict, task: str) -> str:
    """The unit of the clouds' coordinates, for the robustness table."""
    if task == "classification":
        return "unit-sphere radii"  # every classification reader normalises into it
    if cfg["data"].get("name", "synthetic") == "synthetic":
        return "scene units (the ground is 2 x 2)"
    return "m"


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
    if kind in ("rotation_z", "rotation_x"):
        axis = torch.tensor([[0.0, 0.0, 1.0] if kind == "rotation_z" else [1.0, 0.0, 0.0]])
        turn = about_axis(axis, math.radians(strength))[0]
        return points @ turn.T, labels
    if kind == "scaling":
        return points * strength, labels
    raise ValueError(f"unknown perturbation {kind!r}")


def robustness_study(
    run: LoadedRun, split: str, points: torch.Tensor, labels: torch.Tensor, unit: str
) -> list[dict]:
    """Scores under every perturbation and strength, on every item of the split, through the
    engine's own evaluation of each corrupted copy. The clean row goes through the same path
    with the points unchanged, so it equals the headline metrics exactly."""
    clean = {"clean": Perturbation("none", "none", (0.0,), "the split as evaluated")}
    rows = []
    for kind, perturbation in {**clean, **PERTURBATIONS}.items():
        for strength in perturbation.strengths:
            generator = torch.Generator().manual_seed(int(run.cfg.get("seed", 0)))
            if kind == "clean":
                corrupted, kept = points, labels
            else:
                corrupted, kept = perturb(points, labels, kind, strength, generator)
            scores = evaluate_split(run, split, TensorDataset(corrupted.contiguous(), kept))
            row = {
                "perturbation": kind,
                "axis": perturbation.axis,
                "strength": strength,
                "unit": unit if perturbation.unit == "coordinates" else perturbation.unit,
            }
            rows.append({**row, **{key: scores[key] for key in SCORES}})
    return rows


# ----------------------------------------------------------------------------- latency


@torch.no_grad()
def measure_latency(model, points, batch_size, device, budget_s: float = 0.5) -> dict:
    """Median forward time at batch 1 and at the evaluation batch size; on a CPU with one
    thread, so numbers compare across machines and runs."""
    model.eval()
    threads = torch.get_num_threads()
    if device.type == "cpu":
        torch.set_num_threads(1)
    try:
        result = {
            "device": device.type,
            "threads": torch.get_num_threads(),
            "batch_size": batch_size,
        }
        for label, size in (("batch_1", 1), ("batch", batch_size)):
            batch = points[:size].to(device)
            timings = time_calls(lambda b=batch: model(b), device, budget_s=budget_s)
            result[f"{label}_ms"] = 1000 * float(np.median(timings))
    finally:
        torch.set_num_threads(threads)
    result["batched_ms_per_sample"] = result["batch_ms"] / batch_size
    return result


# ----------------------------------------------------------------------------- outputs


def write_tables(
    run_dir: Path, split: str, per_class: dict, robustness: list[dict], primary: str, unit: str
) -> None:
    """<split>_per_class.md and <split>_robustness.md: Markdown tables the report embeds."""
    rows = [
        [name, r["support"], _fmt(r["accuracy"]), _fmt(r["iou"])] for name, r in per_class.items()
    ]
    table = markdown_table(["class", "support", "accuracy", "IoU"], rows, align="lrrr")
    (run_dir / f"{split}_per_class.md").write_text(table + "\n", encoding="utf-8")

    label = {"accuracy": "OA", "miou": "mIoU"}.get(primary, primary)
    clean = next((r[primary] for r in robustness if r["perturbation"] == "clean"), None)
    rows = [
        [
            r["perturbation"],
            r["axis"],
            f"{r['strength']:g}",
            r["unit"],
            *(_fmt(r[key]) for key in SCORES),
            "" if clean is None else f"{r[primary] - clean:+.3f}",
        ]
        for r in robustness
    ]
    header = ["perturbation", "axis", "strength", "unit", "OA", "mAcc", "mIoU"]
    table = markdown_table([*header, f"change in {label}"], rows, align="llrlrrrr")
    legend = robustness_legend(unit) if robustness else "No robustness study (--no-robustness)."
    (run_dir / f"{split}_robustness.md").write_text(f"{table}\n\n{legend}\n", encoding="utf-8")


def robustness_legend(unit: str) -> str:
    """What every row of the robustness table means, under the table."""
    lines = [
        "Each row scores every item of the split (the same items as the headline numbers) after "
        "one corruption; `clean` is the split unchanged and equals the headline. Corruptions "
        "are applied once, seeded by the run's seed; coordinates are in " + unit + ".",
    ]
    for name, perturbation in PERTURBATIONS.items():
        lines.append(f"`{name}`: {perturbation.means}.")
    return " ".join(lines)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"


# Points with no class (negative label) in the prediction figures.
IGNORED_COLOUR = (0.0, 0.0, 0.0, 1.0)


def class_colours(count: int) -> np.ndarray:
    import matplotlib

    cmap = matplotlib.colormaps["tab20" if count > 10 else "tab10"]
    return np.array([cmap(i % cmap.N) for i in range(count)])


def plot_confusion(confusion: np.ndarray, names: list[str], path: Path) -> None:
    """Row-normalised confusion matrix (recall per true class), with counts when it is small."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = np.asarray(confusion, dtype=np.float64)
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
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
    run_main(main)
