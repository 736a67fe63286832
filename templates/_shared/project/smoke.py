{#- Shared `make smoke` of the gaps with two quick pipelines (a task each) run side by side.
    A gap's smoke.py extends this file and fills `pipeline_names` (for the docstring) and
    `pipelines` (tag -> config). -#}
"""``make smoke``: both quick runs end to end (train, evaluate), then the report.

    python -m {{ cookiecutter.package_name }}.smoke [--seeds 0 1 2] [--sequential] [key=value ...]

The {% block pipeline_names %}{% endblock %} pipelines run side by side, one CPU thread each, when
the machine has 2 or 3 cores (small models gain little from a second thread, two processes
use both cores fully); with more cores each process measures its own thread count. Every
line a pipeline prints is prefixed with its task. ``--seeds`` repeats the runs with
``seed=N`` into ``runs/quick-*-seedN`` and the report adds mean ± std over the seeds.
Prints the time of each stage and the total, so the smoke run is also a timing benchmark.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

from .core.config import run_dir_of
from .core.errors import ProjectError, run_main
from .engine.config import load_engine_config

PACKAGE = __spec__.parent
PIPELINES = {% block pipelines %}{% endblock %}


def pipeline_commands(config: str, seed: int | None, threads: str, overrides: list[str]):
    """The train and evaluate commands of one quick run (each with the environment it adds),
    and its run folder."""
    cfg = load_engine_config(config, overrides)
    name = cfg["run_name"] if seed is None else f"{cfg['run_name']}-seed{seed}"
    extra = [] if seed is None else [f"seed={seed}", f"run_name={name}"]
    train = [
        sys.executable,
        "-m",
        f"{PACKAGE}.train",
        "--config",
        config,
        "--fresh",
        f"threads={threads}",
        "progress=plain",
        *overrides,
        *extra,
    ]
    run_dir = run_dir_of({**cfg, "run_name": name})
    evaluate = [sys.executable, "-m", f"{PACKAGE}.evaluate", "--run", str(run_dir)]
    # Side by side, each evaluation keeps to its share of the cores, as its training did.
    evaluate_env = {} if threads == "auto" else {"OMP_NUM_THREADS": threads}
    return [(train, {}), (evaluate, evaluate_env)], run_dir


def run_prefixed(tag: str, commands: list, timings: dict, failures: list) -> None:
    """Run (command, extra environment) pairs one after the other, printing their output
    prefixed with ``tag``."""
    for command, env in commands:
        stage = f"{tag} {command[2].rsplit('.', 1)[-1]}"
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env={**os.environ, **env},
        )
        for line in process.stdout:
            print(f"[{tag}] {line}", end="", flush=True)
        if process.wait() != 0:
            failures.append(f"{stage} (exit code {process.returncode}): {' '.join(command)}")
            return
        timings[stage] = time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the pipelines and the report; returns the seconds of every stage. A failed stage
    is a ProjectError naming it (after every pipeline has finished)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PACKAGE}.smoke",
        description="Quick train + evaluate of both tasks, then report.",
    )
    parser.add_argument("--seeds", type=int, nargs="*", help="repeat with these seeds")
    parser.add_argument("--sequential", action="store_true", help="one pipeline at a time")
    parser.add_argument("--tasks", nargs="*", default=list(PIPELINES), choices=list(PIPELINES))
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="for both trainings")
    args = parser.parse_args(argv)

    cores = os.cpu_count() or 1
    parallel = not args.sequential and cores >= 2 and len(args.tasks) > 1
    threads = "1" if parallel and cores < 4 else "auto"
    start = time.perf_counter()
    timings: dict[str, float] = {}
    failures: list[str] = []
    for seed in args.seeds if args.seeds else [None]:
        jobs = []
        for tag in args.tasks:
            commands, _ = pipeline_commands(PIPELINES[tag], seed, threads, args.overrides)
            label = tag if seed is None else f"{tag}-seed{seed}"
            jobs.append(
                threading.Thread(target=run_prefixed, args=(label, commands, timings, failures))
            )
        for job in jobs:
            job.start()
            if not parallel:
                job.join()
        for job in jobs:
            job.join()
        if failures:
            break
    if not failures:
        from .report import main as report

        started = time.perf_counter()
        report(["--command", "make smoke" if not args.seeds else "make seeds"])
        timings["report"] = time.perf_counter() - started
    total = time.perf_counter() - start
    mode = (
        "side by side, 1 thread each"
        if parallel and threads == "1"
        else ("side by side" if parallel else "one after the other")
    )
    print("\nsmoke timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    print(f"smoke total: {total:.1f} s on {cores} core(s), pipelines {mode}")
    if failures:
        raise ProjectError("smoke run failed: " + "; ".join(failures))
    return timings


if __name__ == "__main__":
    run_main(main)
