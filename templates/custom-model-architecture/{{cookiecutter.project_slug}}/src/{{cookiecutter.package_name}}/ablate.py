"""Ablation: train every variant with every seed under one budget; cost beside accuracy.

    python -m {{ cookiecutter.package_name }}.ablate --config configs/quick.yaml --variants cnn,vit --seeds 3

Every (variant, seed) cell is one run of the shared training engine with the same config (same
data, epochs, optimizer, schedule): only `model.name` and `seed` change. It writes runs/<name>/:
    cells/<variant>/seed<k>/   the engine's run folder, plus test_metrics.json (its evaluate)
    cells.csv                  one row per cell
    ablation.csv, ablation.md  one row per variant: parameters, FLOPs, latency, accuracy
    ablation.png               accuracy against FLOPs and latency, Pareto front marked
    ablation.json              the settings, so a rerun can check it continues the same ablation

Resumable: run the same command again after an interruption. Finished cells are skipped; an
interrupted cell continues from its last checkpoint (the engine's --resume auto).

Cells run in this process by default: on a small CPU box, starting Python, torch and
scikit-learn for each cell would cost more than training a digits model, and the engine seeds
every random generator at the start of each run, so in-process cells match standalone runs.
`--launcher "torchrun --standalone --nproc_per_node=4"` (or "python") runs each cell as its
own process instead: for several GPUs, or for isolation.
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from .compare import RULE, winner
from .core.config import RUNTIME_KEYS, diff_configs
from .core.errors import ProjectError, run_main
from .core.results import markdown_table, mean_std, write_json
from .cost import count_flops, count_parameters, measure_latency
from .engine.cli import run_training
from .engine.config import load_engine_config
from .engine.evaluation import evaluate_run
from .engine.trainer import StopTraining
from .figures import pareto_front, plot_tradeoffs
from .tasks import build_task

# Config keys that may differ between the start and the resume of one ablation: how fast it
# runs, and the ablation's own plan (which variants and seeds).
MAY_DIFFER = (*RUNTIME_KEYS, "ablation")
BASELINE_VARIANT = "cnn"
CELL_KEYS = ("variant", "seed", "accuracy", "val_accuracy", "best_epoch", "train_seconds")
SUMMARY_KEYS = (
    "variant",
    "parameters",
    "flops",
    "cpu_latency_ms",
    "gpu_latency_ms",
    "accuracy_mean",
    "accuracy_std",
    "seeds",
    "train_seconds_mean",
    "pareto_flops",
    "pareto_cpu_latency",
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.ablate",
        description="Train variants x seeds; cost beside accuracy.",
    )
    add = parser.add_argument
    add("--config", default="configs/quick.yaml")
    add("--variants", help="comma-separated names (default: the config's ablation.variants)")
    add("--seeds", type=int, help="seeds per variant: seed, seed+1, ... (default: ablation.seeds)")
    add("--name", help="folder under runs_dir (default: ablation-<config stem>)")
    add("--fresh", action="store_true", help="delete the ablation's cells and start over")
    add("--launcher", default="inprocess", help='inprocess | python | "torchrun ..."')
    add("overrides", nargs="*", metavar="key=value", help="config overrides for every cell")
    return parser.parse_args(argv)


def _check_same_ablation(root: Path, cfg: dict) -> None:
    """Refuse to mix cells trained under different settings in one ablation folder."""
    manifest = root / "ablation.json"
    if not manifest.is_file():
        return
    saved = json.loads(manifest.read_text())["config"]
    changed = [key for key, _, _ in diff_configs(saved, cfg) if key.split(".")[0] not in MAY_DIFFER]
    if changed:
        raise ProjectError(
            f"{root} holds an ablation trained with other settings ({', '.join(changed)}); "
            "use --name for a new ablation, or --fresh to replace it"
        )


def run_cell(cfg_path: str, overrides: list[str], cell: Path, launcher: str) -> dict:
    """Train (or finish) one cell, evaluate it on the test split, return its row."""
    if (cell / "test_metrics.json").is_file() and (cell / "metrics.json").is_file():
        print(f"[ablate] {cell}: done earlier, skipped")
    else:
        if not (cell / "metrics.json").is_file():
            argv = ["--config", cfg_path, "--resume", "auto", *overrides]
            if launcher == "inprocess":
                run_training(build_task, argv)
            else:
                prefix = [sys.executable] if launcher == "python" else shlex.split(launcher)
                command = [*prefix, "-m", f"{__package__}.train", *argv]
                if subprocess.run(command).returncode != 0:
                    raise ProjectError(f"training {cell} failed: {shlex.join(command)}")
        evaluate_run(build_task, cell, "test")
    val = json.loads((cell / "metrics.json").read_text())
    test = json.loads((cell / "test_metrics.json").read_text())
    return {
        "accuracy": test["accuracy"],
        "val_accuracy": val["accuracy"],
        "best_epoch": val.get("best_epoch"),
        "train_seconds": val.get("train_seconds"),
    }


def measure_costs(cfg: dict, variant: str, repeats: int) -> dict:
    """Parameters, FLOPs and batch-1 latency (one CPU thread; GPU when there is one)."""
    cfg = {**cfg, "model": {**cfg["model"], "name": variant}}
    task = build_task(cfg)
    model = task.build_model(cfg).eval()
    shape = (1, task.dataset.in_channels, *task.dataset.image_size)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # comparable across machines and with other jobs running
    try:
        cpu_ms = measure_latency(model, shape, "cpu", repeats=repeats)
    finally:
        torch.set_num_threads(threads)
    gpu_ms = None
    if torch.cuda.is_available():
        gpu_ms = measure_latency(model, shape, "cuda", repeats=repeats)
        model = model.cpu()
    return {
        "parameters": count_parameters(model),
        "flops": count_flops(model, shape),
        "cpu_latency_ms": cpu_ms,
        "gpu_latency_ms": gpu_ms,
    }


def summarize(cells: list[dict], costs: dict[str, dict]) -> list[dict]:
    """One row per variant: its costs and accuracy mean / sample std over seeds."""
    rows = []
    for variant, cost in costs.items():
        accuracies = [c["accuracy"] for c in cells if c["variant"] == variant]
        by_seed = {c["seed"]: c["accuracy"] for c in cells if c["variant"] == variant}
        seconds = [c["train_seconds"] for c in cells if c["variant"] == variant]
        rows.append(
            {
                "variant": variant,
                **cost,
                "accuracies": accuracies,
                "seed_accuracies": by_seed,
                "accuracy_mean": statistics.fmean(accuracies),
                "accuracy_std": statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0,
                "seeds": len(accuracies),
                "train_seconds_mean": statistics.fmean(seconds),
            }
        )
    means = [row["accuracy_mean"] for row in rows]
    for key, cost_key in (("pareto_flops", "flops"), ("pareto_cpu_latency", "cpu_latency_ms")):
        front = pareto_front([row[cost_key] for row in rows], means)
        for index, row in enumerate(rows):
            row[key] = index in front
    return rows


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _si(value: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value:.0f}"


def baseline_index(rows: list[dict]) -> int:
    """The row every variant is read against: `cnn` (the plain CNN each one-change variant
    modifies) when it was ablated, else the first variant of the ablation."""
    names = [row["variant"] for row in rows]
    return names.index(BASELINE_VARIANT) if BASELINE_VARIANT in names else 0


def ablation_table(rows: list[dict], cfg: dict, command: str) -> str:
    """The ablation as a Markdown table, the command that reproduces it, and its conventions;
    the best accuracy is bolded only where the seeds support it (compare.winner)."""
    has_gpu = any(row["gpu_latency_ms"] is not None for row in rows)
    verdict = winner({row["variant"]: row["seed_accuracies"] for row in rows})
    header = ["variant", "params", "FLOPs", "CPU ms"] + (["GPU ms"] if has_gpu else [])
    header += ["test accuracy", "train s", "Pareto"]
    body = []
    for row in rows:
        accuracy = mean_std(row["accuracies"], digits=4)
        if row["variant"] == verdict.winner:
            accuracy = f"**{accuracy}**"
        fronts = [
            name
            for name, key in (("FLOPs", "pareto_flops"), ("CPU", "pareto_cpu_latency"))
            if row[key]
        ]
        cells = [
            f"`{row['variant']}`",
            _si(row["parameters"]),
            _si(row["flops"]),
            f"{row['cpu_latency_ms']:.3f}",
        ]
        if has_gpu:
            cells.append(f"{row['gpu_latency_ms']:.3f}")
        cells += [accuracy, f"{row['train_seconds_mean']:.1f}", ", ".join(fronts) or "-"]
        body.append(cells)
    seeds = max(row["seeds"] for row in rows)
    optimizer = cfg["optimizer"]
    notes = (
        f"Data: {cfg['data']['name']}; every variant trained "
        f"{_plural(cfg['epochs'], 'epoch')}, batch {cfg['batch_size']}, {optimizer['name']} "
        f"lr {optimizer['lr']}, {_plural(seeds, 'seed')}. Test accuracy of the "
        "best-validation checkpoint, mean ± sample std over seeds. FLOPs: one forward pass at "
        "batch 1, counted by torch.utils.flop_counter (2 FLOPs per multiply-add). Latency: "
        "batch 1, median of repeated runs, CPU on one thread. Train s: seconds per run, mean "
        "over seeds (training plus per-epoch validation). Pareto: on the accuracy-vs-FLOPs / "
        "accuracy-vs-CPU-latency front. (baseline): the variant the others change."
    )
    table = markdown_table(
        header, body, align="lrrr" + "r" * has_gpu + "rrl", baseline=baseline_index(rows)
    )
    return f"Reproduce: `{command}`\n\n{table}\n\n{RULE} {verdict.sentence()}\n\n{notes}\n"


def _write_csv(path: Path, rows: list[dict], keys: tuple[str, ...]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def main(argv=None) -> list[dict]:
    args = parse_args(argv)
    started = time.perf_counter()
    cfg = load_engine_config(args.config, args.overrides)
    plan = cfg.get("ablation") or {}
    variants = args.variants.split(",") if args.variants else list(plan.get("variants", ["cnn"]))
    num_seeds = args.seeds or int(plan.get("seeds", 3))
    seeds = [int(cfg["seed"]) + offset for offset in range(num_seeds)]
    name = args.name or f"ablation-{Path(args.config).stem}"
    root = Path(cfg["runs_dir"]) / name
    if args.fresh and root.exists():
        shutil.rmtree(root)
    _check_same_ablation(root, cfg)
    root.mkdir(parents=True, exist_ok=True)
    command = ["python", "-m", f"{__package__}.ablate", "--config", args.config]
    command += ["--variants", ",".join(variants), "--seeds", str(num_seeds), "--name", name]
    command += args.overrides
    manifest = {"config": cfg, "command": shlex.join(command), "variants": variants, "seeds": seeds}
    write_json(manifest, root / "ablation.json")

    cells = []
    for variant in variants:
        for seed in seeds:
            cell = root / "cells" / variant / f"seed{seed}"
            overrides = [
                *args.overrides,
                f"model.name={variant}",
                f"seed={seed}",
                f"run_name=seed{seed}",
                f"runs_dir={cell.parent}",
            ]
            print(f"[ablate] {variant} seed {seed} -> {cell}", flush=True)
            try:
                row = run_cell(args.config, overrides, cell, args.launcher)
            except (KeyboardInterrupt, StopTraining):
                print(f"[ablate] interrupted in {cell}; run the same command to continue")
                raise
            cells.append({"variant": variant, "seed": seed, **row})
            _write_csv(root / "cells.csv", cells, CELL_KEYS)

    repeats = int(plan.get("latency_repeats", 50))
    costs = {variant: measure_costs(cfg, variant, repeats) for variant in variants}
    rows = summarize(cells, costs)
    _write_csv(root / "ablation.csv", rows, SUMMARY_KEYS)
    table = ablation_table(rows, cfg, manifest["command"])
    (root / "ablation.md").write_text(table)
    plot_tradeoffs(rows, root / "ablation.png")
    print("\n" + table)
    print(
        f"[ablate] wrote {root}/ablation.csv, ablation.md, ablation.png "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return rows


if __name__ == "__main__":
    run_main(main)
