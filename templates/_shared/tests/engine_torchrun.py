"""`torchrun` with 2 CPU processes (gloo): training runs, only rank 0 writes, and the metrics
it reports equal a single-process evaluation of the saved checkpoint, exactly."""

from __future__ import annotations

import csv
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

PACKAGE = "{{ cookiecutter.package_name }}"
ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "configs" / "tiny.yaml"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="torchrun needs POSIX here")
EPOCHS = int(yaml.safe_load(TINY.read_text(encoding="utf-8")).get("epochs", 1))


def test_torchrun_two_cpu_processes(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env["OMP_NUM_THREADS"] = "1"
    runs = tmp_path / "runs"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
        "-m", f"{PACKAGE}.train", "--config", str(TINY), f"runs_dir={runs}", "run_name=ddp",
        "device=cpu", "threads=1", "progress=plain", "eval_batch_size=16",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output

    # One set of files, written by rank 0 only.
    run_dir = runs / "ddp"
    assert [p.name for p in runs.iterdir()] == ["ddp"]
    assert {"config.yaml", "log.csv", "metrics.json", "checkpoints"} <= {
        p.name for p in run_dir.iterdir()
    }
    assert {p.name for p in run_dir.iterdir()} <= {
        "config.yaml", "command.txt", "log.csv", "metrics.json", "checkpoints", "tensorboard",
    }  # fmt: skip
    with open(run_dir / "log.csv", newline="", encoding="utf-8") as f:
        assert [int(r["epoch"]) for r in csv.DictReader(f)] == list(range(1, EPOCHS + 1))
    assert output.count("done:") == 1
    if (run_dir / "tensorboard").exists():
        assert len(list((run_dir / "tensorboard").iterdir())) == 1
    names = {p.name for p in (run_dir / "checkpoints").iterdir()}
    assert {"last.pt", "best.pt"} <= names
    assert all(n in ("last.pt", "best.pt") or n.startswith("epoch-") for n in names)
    state = torch.load(run_dir / "checkpoints" / "last.pt", map_location="cpu", weights_only=True)
    assert state["runtime"]["world_size"] == 2
    assert len(state["rng"]) == 2  # each rank's random state, for an exact resume

    # Metrics of the 2-process run == one process evaluating the same checkpoint.
    evaluation = importlib.import_module(f"{PACKAGE}.engine.evaluation")
    tasks = importlib.import_module(f"{PACKAGE}.tasks")
    reported = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        run = evaluation.load_run(run_dir, tasks.build_task, which="best")
        single = evaluation.evaluate_split(run, "val")
    finally:
        torch.set_num_threads(threads)
    assert single
    for key, value in single.items():
        assert reported[key] == value, key
