"""How long each generated project's `make smoke` takes, against its budget.

    .venv/bin/python benchmarks/smoke_time.py [GAP ...] [--seeds 0 1 2]

Renders each gap into a temporary folder, installs it into this venv (which holds
torch) with `make setup`, times `make smoke` (train, evaluate, report), prints the
seconds, the budget from the gap's issue and their ratio (target: <= 1.0), then
uninstalls the project again. With `--seeds`, `make smoke ARGS=seed=N` once per seed, each
from a clean start (its runs and data cache removed first, so data generation is timed every
time), then the spread. Run it on a quiet machine: it measures wall time. Beside it,
the CPU seconds of the smoke's processes and the load average before it, which tell a
wall time taken on a busy machine from one taken on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
BUDGET_SECONDS = {
    "3d-scene-understanding": 120,
    "custom-model-architecture": 120,
    "detection-and-tracking": 120,
    "dl-fundamentals": 60,
    "lidar-perception": 150,
    "paper-reproduction": 120,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gaps", nargs="*", default=list(BUDGET_SECONDS))
    parser.add_argument("--seeds", type=int, nargs="+", help="one timed smoke run per seed")
    args = parser.parse_args()
    env = {
        **os.environ,
        "VIRTUAL_ENV": sys.prefix,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("PYTHONPATH", None)
    with tempfile.TemporaryDirectory() as scratch:
        for gap in args.gaps:
            out = Path(scratch) / gap
            subprocess.run(
                [str(BIN / "newproject"), "new", gap, "--no-input", "--no-git", "-o", str(out)],
                check=True,
                capture_output=True,
            )
            (project,) = out.iterdir()
            slug = json.loads((project / ".newproject.json").read_text())["answers"]["project_slug"]
            subprocess.run(["make", "setup"], cwd=project, env=env, check=True, capture_output=True)
            budget = BUDGET_SECONDS[gap]
            times = []
            try:
                for seed in args.seeds or [None]:
                    seconds, ok = time_smoke(project, env, gap, budget, seed)
                    times.append(seconds)
                    if not ok:
                        break
            finally:
                subprocess.run(
                    [sys.executable, "-m", "pip", "uninstall", "-y", "-q", slug],
                    capture_output=True,
                )
            if len(times) > 1:
                mean = sum(times) / len(times)
                print(
                    f"{gap:<27} over {len(times)} seeds: mean {mean:.1f} s, min {min(times):.1f}, "
                    f"max {max(times):.1f}, worst ratio {max(times) / budget:.2f}"
                )


def time_smoke(project: Path, env: dict, gap: str, budget: int, seed: int | None):
    """One timed `make smoke` from a clean start; prints its line, returns (seconds, ok)."""
    for written in ("runs", "data/cache"):
        shutil.rmtree(project / written, ignore_errors=True)
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = ["make", "smoke"] + ([] if seed is None else [f"ARGS=seed={seed}"])
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
    label = gap if seed is None else f"{gap} seed {seed}"
    print(
        f"{label:<27} make smoke {seconds:6.1f} s  budget {budget} s  "
        f"ratio {seconds / budget:.2f}  (CPU {cpu:.0f} s, load before {load:.1f})  {status}",
        flush=True,
    )
    if result.returncode != 0:
        print(result.stdout[-3000:] + result.stderr[-3000:])
    return seconds, result.returncode == 0


if __name__ == "__main__":
    main()
