"""``make ablate``: every tracker variant over several seeds, mean ± std.

    python -m PACKAGE.ablate [--config configs/quick.yaml] [--seeds 0 1 2] [--fresh] [key=value ...]

For each seed of ``ablation.seeds`` (or ``--seeds``) one detector is trained
(``runs/ablate-seedN``, ``seed=N``: the model's initialisation and the training order change,
the data does not) and evaluated; evaluation runs every variant of ``ablation.variants`` on
that detector's detections. The table of HOTA, IDF1 and MOTA (mean ± std over the seeds) is
written to ``runs/ablation.md`` and ``runs/ablation.csv``, and the report puts it into the
README. A finished run whose training settings are unchanged is evaluated again, not retrained
(``--fresh`` retrains), with this config's tracker and ablation settings: adding a tracker
variant costs seconds.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import statistics
from pathlib import Path

from . import evaluate, report, train
from .core.config import RUNTIME_KEYS, flatten, read_yaml
from .core.errors import ConfigError, run_main
from .core.results import markdown_table, mean_std
from .engine.config import load_engine_config
from .engine.evaluation import evaluate_run
from .tasks import build_task

# Sections that do not change what training computes: a run trained with other values of
# these is reused (evaluation reads them from the run's saved config).
NOT_TRAINING = {"tracker", "ablation", "evaluate", "run_name", *RUNTIME_KEYS}


def training_settings(cfg: dict) -> dict:
    return {k: v for k, v in flatten(cfg).items() if k.split(".")[0] not in NOT_TRAINING}


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.parent}.ablate",
        description="Tracker variants over seeds: one detector per seed, every variant on it.",
    )
    parser.add_argument("--config", default="configs/quick.yaml")
    parser.add_argument("--seeds", type=int, nargs="+", help="default: ablation.seeds")
    parser.add_argument("--fresh", action="store_true", help="retrain even finished runs")
    parser.add_argument("--readme", default="README.md", help="where the report goes")
    parser.add_argument("overrides", nargs="*", metavar="key=value")
    args = parser.parse_intermixed_args(argv)
    cfg = load_engine_config(args.config, args.overrides)
    seeds = args.seeds or list((cfg.get("ablation") or {}).get("seeds") or [])
    if len(seeds) < 2:
        raise ConfigError(
            "an ablation over seeds needs at least 2 seeds (ablation.seeds or --seeds)"
        )
    if not (cfg.get("ablation") or {}).get("variants"):
        raise ConfigError(f"{args.config} has no ablation.variants to compare")
    rows = []
    for seed in seeds:
        name = f"ablate-seed{seed}"
        run_dir = Path(cfg["runs_dir"]) / name
        wanted = load_engine_config(
            args.config, [*args.overrides, f"seed={seed}", f"run_name={name}"]
        )
        if args.fresh or not reusable(run_dir, wanted):
            train.main(["--config", args.config, "--fresh", *args.overrides, f"seed={seed}",
                        f"run_name={name}"])  # fmt: skip
        else:
            print(f"{run_dir}: trained with these settings already; evaluating again")
        # Scored with this config's tracker settings, which may be newer than the run's.
        scoring = {key: cfg.get(key) for key in evaluate.SCORING_SECTIONS}
        metrics = evaluate_run(
            build_task, run_dir, "test", extras=functools.partial(evaluate.extras, scoring=scoring)
        )
        rows.append({"seed": seed, "run": name, "metrics": metrics})
    table = write_tables(rows, Path(cfg["runs_dir"]))
    print(table)
    report.main(["--runs", str(cfg["runs_dir"]), "--run", str(Path(cfg["runs_dir"]) / "quick"),
                 "--readme", args.readme, "--command", "make ablate"])  # fmt: skip
    return rows


def reusable(run_dir: Path, wanted: dict) -> bool:
    """True when run_dir holds a finished run trained with the same settings."""
    if not (run_dir / "metrics.json").exists() or not (run_dir / "config.yaml").exists():
        return False
    return training_settings(read_yaml(run_dir / "config.yaml")) == training_settings(wanted)


def write_tables(rows: list[dict], runs_dir: Path) -> str:
    """runs/ablation.csv (one line per variant: means, stds, seeds) and runs/ablation.md."""
    variants = list(rows[0]["metrics"]["tracking_variants"])
    keys = ("hota", "idf1", "mota", "idsw")
    lines, table_rows = [], []
    for variant in variants:
        values = {k: [r["metrics"]["tracking_variants"][variant][k] for r in rows] for k in keys}
        line = {"variant": variant, "seeds": len(rows)}
        for k in keys:
            line[f"{k}_mean"] = statistics.fmean(values[k])
            line[f"{k}_std"] = statistics.stdev(values[k]) if len(values[k]) > 1 else 0.0
        lines.append(line)
        table_rows.append(
            [report.variant_label(variant), *(mean_std(values[k]) for k in keys[:3]),
             mean_std(values["idsw"], digits=1)]
        )  # fmt: skip
    runs_dir.mkdir(parents=True, exist_ok=True)
    with open(runs_dir / "ablation.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    seeds = ", ".join(str(r["seed"]) for r in rows)
    table = f"Tracker variants over seeds {seeds} (mean ± std; `make ablate`)\n\n" + markdown_table(
        ["variant", "HOTA", "IDF1", "MOTA", "IDSW"], table_rows, "lrrrr"
    )
    (runs_dir / "ablation.md").write_text(table + "\n", encoding="utf-8")
    (runs_dir / "ablation.json").write_text(json.dumps(lines, indent=2) + "\n", encoding="utf-8")
    return table


if __name__ == "__main__":
    run_main(main)
