"""How long each generated project's `make smoke` takes, against its budget.

    .venv/bin/python benchmarks/smoke_time.py [GAP ...]

Renders each gap into a temporary folder, installs it into this venv (which holds
torch) with `make setup`, times `make smoke` (train, evaluate, report), prints the
seconds, the budget from the gap's issue and their ratio (target: <= 1.0), then
uninstalls the project again. Run it on a quiet machine: it measures wall time. Beside it,
the CPU seconds of the smoke's processes and the load average before it, which tell a
wall time taken on a busy machine from one taken on a quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
            try:
                load = os.getloadavg()[0]
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                result = subprocess.run(
                    ["make", "smoke"], cwd=project, env=env, capture_output=True, text=True
                )
                seconds = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            finally:
                subprocess.run(
                    [sys.executable, "-m", "pip", "uninstall", "-y", "-q", slug],
                    capture_output=True,
                )
            status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
            budget = BUDGET_SECONDS[gap]
            print(
                f"{gap:<27} make smoke {seconds:6.1f} s  budget {budget} s  "
                f"ratio {seconds / budget:.2f}  (CPU {cpu:.0f} s, load before {load:.1f})  "
                f"{status}"
            )
            if result.returncode != 0:
                print(result.stdout[-3000:] + result.stderr[-3000:])


if __name__ == "__main__":
    main()
