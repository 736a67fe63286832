"""The engine's promise: a run killed at any point and resumed ends bit-identical to a run that
was never interrupted (same weights, same metrics, same log). These tests really kill
`python -m <package>.train` processes: SIGKILL (no warning) and SIGTERM (saves, then exits).
Tiny runs take milliseconds per step, so the kill point is fixed by the engine's test hook
(ENGINE_PAUSE_AT_STEP: wait for a signal after that step) instead of by timing."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml

PACKAGE = "{{ cookiecutter.package_name }}"
ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "configs" / "tiny.yaml"
# At least 2 epochs: the runs are interrupted at step 3, and resumed across an epoch end.
EPOCHS = max(2, int(yaml.safe_load(TINY.read_text(encoding="utf-8")).get("epochs", 1)))
# num_workers=1 everywhere: a streamed dataset whose samples are random gets the same worker
# random streams in every run (a TensorDataset stays on the device and ignores it).
SETTINGS = [f"epochs={EPOCHS}", "threads=1", "device=cpu", "progress=plain", "keep_last=1"]
SETTINGS += ["num_workers=1"]
TIMING_COLUMNS = {"samples_per_s", "epoch_seconds"}
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
PAUSE_ENV, PAUSE_AT = "ENGINE_PAUSE_AT_STEP", 3  # the engine waits for a signal after step 3


def _env(extra: dict | None = None) -> dict:
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def start(runs_dir: Path, name: str, *extra: str, env: dict | None = None) -> subprocess.Popen:
    """Launch a tiny training run in its own process."""
    command = [sys.executable, "-m", f"{PACKAGE}.train", "--config", str(TINY)]
    command += [f"runs_dir={runs_dir}", f"run_name={name}", *SETTINGS, *extra]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 240) -> str:
    output, _ = process.communicate(timeout=timeout)
    return output


def wait_for_line(process: subprocess.Popen, text: str, timeout: float = 120) -> str:
    """Read the process's output until a line contains `text`; returns what was read."""
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:  # exited
            pytest.fail(f"training exited before printing {text!r}:\n" + "".join(seen))
        seen.append(line)
        if text in line:
            return "".join(seen)
    process.kill()
    pytest.fail(f"no {text!r} after {timeout} s")


def outcome(run_dir: Path) -> tuple[dict, dict, list[dict]]:
    """Final weights, metrics.json and log.csv of a run, minus wall-clock timings."""
    state = torch.load(run_dir / "checkpoints" / "last.pt", map_location="cpu", weights_only=True)
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    metrics.pop("train_seconds")
    with open(run_dir / "log.csv", newline="", encoding="utf-8") as f:
        rows = [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in csv.DictReader(f)]
    return state["model"], metrics, rows


def assert_bit_identical(expected_dir: Path, actual_dir: Path) -> None:
    expected_weights, expected_metrics, expected_log = outcome(expected_dir)
    weights, metrics, log = outcome(actual_dir)
    assert weights.keys() == expected_weights.keys()
    for name, tensor in expected_weights.items():
        assert torch.equal(weights[name], tensor), f"{name} differs after resume"
    assert metrics == expected_metrics
    assert log == expected_log
    assert [int(r["epoch"]) for r in log] == list(range(1, EPOCHS + 1))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Three runs started together (the box has few cores; overlapping saves wall time): an
    uninterrupted reference, and two runs that pause after step PAUSE_AT (the engine's
    fault-injection hook) to be killed there: one by SIGKILL, the last checkpoint being from
    step PAUSE_AT - 1 (save_every_steps=2), one by SIGTERM. Both are then resumed."""
    runs_dir = tmp_path_factory.mktemp("runs")
    stream = ["loader=stream"]  # the SIGTERM run streams through a worker process
    pause = {PAUSE_ENV: str(PAUSE_AT)}
    reference = start(runs_dir, "reference")
    killed = start(runs_dir, "killed", "save_every_steps=2", env=pause)
    terminated = start(runs_dir, "terminated", *stream, env=pause)
    result = {"dir": runs_dir}
    try:
        result["killed_output"] = wait_for_line(killed, "paused after step")
        killed.send_signal(signal.SIGKILL)
        result["terminated_output"] = wait_for_line(terminated, "paused after step")
        terminated.send_signal(signal.SIGTERM)
        for name, process in [("killed", killed), ("terminated", terminated)]:
            result[f"{name}_output"] += finish(process)
            result[f"{name}_returncode"] = process.returncode
        for name in ("killed", "terminated"):
            last = runs_dir / name / "checkpoints" / "last.pt"
            result[f"{name}_checkpoint"] = torch.load(last, map_location="cpu", weights_only=True)

        resumed_killed = start(runs_dir, "killed", "--resume", "auto")
        resumed_terminated = start(runs_dir, "terminated", "--resume", "auto", *stream)
        for name, process in [
            ("reference", reference),
            ("resumed_killed", resumed_killed),
            ("resumed_terminated", resumed_terminated),
        ]:
            result[f"{name}_output"] = finish(process)
            result[f"{name}_returncode"] = process.returncode
    finally:
        for process in (reference, killed, terminated):
            if process.poll() is None:
                process.kill()
                process.wait()
    assert result["reference_returncode"] == 0, result["reference_output"]
    return result


def test_sigkill_after_checkpoint_then_resume_is_bit_identical(runs):
    assert runs["killed_returncode"] == -signal.SIGKILL
    state = runs["killed_checkpoint"]
    assert state["step"] == PAUSE_AT - 1  # the killed step's work was lost, and is redone
    assert not state["finished"]
    assert runs["resumed_killed_returncode"] == 0, runs["resumed_killed_output"]
    assert f"step {PAUSE_AT - 1}" in runs["resumed_killed_output"]
    assert_bit_identical(runs["dir"] / "reference", runs["dir"] / "killed")


def test_sigterm_saves_a_checkpoint_and_resume_is_bit_identical(runs):
    # Streamed through a DataLoader worker process and checked against the device-resident
    # reference: both paths must give the same batches, and the replay must be exact.
    output = runs["terminated_output"]
    assert runs["terminated_returncode"] == 128 + signal.SIGTERM, output
    assert "checkpoint saved" in output
    state = runs["terminated_checkpoint"]
    assert state["reason"] == "signal"
    assert state["step"] == PAUSE_AT  # saved right after the step it was running
    assert not state["finished"]
    assert runs["resumed_terminated_returncode"] == 0, runs["resumed_terminated_output"]
    assert_bit_identical(runs["dir"] / "reference", runs["dir"] / "terminated")
