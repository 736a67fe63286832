"""Write the results into README.md, between its results markers:

    python -m {{ cookiecutter.package_name }}.report [--ablation runs/NAME]

Two parts: the latest ablation (its table, the command that reproduces it, and its figure,
published to docs/figures/ since runs/ is not committed), and every single run trained with
``make train`` (with the command that trained it and its test accuracy once evaluated).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .core.errors import ProjectError, run_main
from .core.results import Run, code, load_runs, markdown_table, publish_figure, write_results


def latest_ablation(runs_dir: str | Path = "runs") -> Path | None:
    """The ablation folder under `runs_dir` whose table was written last (None: no ablation)."""
    tables = sorted(Path(runs_dir).glob("*/ablation.md"), key=lambda p: p.stat().st_mtime)
    return tables[-1].parent if tables else None


def ablation_section(ablation: Path, project: Path) -> str:
    """The ablation's table (with its command) and figure, for the README."""
    manifest = json.loads((ablation / "ablation.json").read_text(encoding="utf-8"))
    table = (ablation / "ablation.md").read_text(encoding="utf-8").strip()
    figure = publish_figure(ablation / "ablation.png", "ablation.png", project)
    return (
        f"Latest ablation (`{ablation}`), reproduced by:\n\n"
        f"```bash\n{manifest['command']}\npython -m {__package__}.report\n```\n\n"
        f"{table}\n\n"
        f"![Test accuracy against FLOPs and CPU latency, Pareto front marked]({figure})\n"
    )


def _score(metrics: dict | None, key: str = "accuracy") -> str:
    return f"{metrics[key]:.4f}" if metrics and key in metrics else "n/a"


def runs_section(runs: list[Run]) -> str:
    """One row per single run: model, validation and test accuracy, the command behind it."""
    rows = [
        [
            f"`{run.name}`",
            f"`{run.config.get('model', {}).get('name', '?')}`",
            _score(run.metrics),
            _score(run.test),
            code(run.command),
        ]
        for run in runs
    ]
    table = markdown_table(
        ["run", "model", "val accuracy", "test accuracy", "command"], rows, align="llrrl"
    )
    return (
        "Single runs (`make train`; test accuracy after "
        f"`python -m {__package__}.evaluate --run runs/NAME`):\n\n{table}\n"
    )


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.report",
        description="Write the latest ablation and the single runs into README.md.",
    )
    parser.add_argument("--ablation", help="runs/NAME (default: the newest ablation)")
    parser.add_argument("--runs", default="runs")
    parser.add_argument("--readme", default="README.md")
    args = parser.parse_args(argv)
    readme = Path(args.readme)
    ablation = Path(args.ablation) if args.ablation else latest_ablation(args.runs)
    runs = load_runs(args.runs)
    if ablation is None and not runs:
        raise ProjectError(
            f"no ablation and no trained run in {args.runs}/ yet: "
            "run `make smoke`, `make ablate` or `make train` first"
        )
    if ablation is not None and not (ablation / "ablation.md").is_file():
        raise ProjectError(f"{ablation} holds no finished ablation (no ablation.md)")
    parts = []
    if ablation is not None:
        parts.append(ablation_section(ablation, readme.parent))
    if runs:
        parts.append(runs_section(runs))
    write_results(readme, "\n".join(parts), runs)
    written = [f"ablation {ablation}"] if ablation is not None else []
    written += [f"{len(runs)} single run(s)"] if runs else []
    print(f"[report] {readme}: results of {', '.join(written)}")
    return readme


if __name__ == "__main__":
    run_main(main)
