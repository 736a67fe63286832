"""The engine contract as this project meets it: the task is a complete Task; every split is
the same however often and in whatever order it is built; the primary metric is one the task
reports (a misspelt one is an error naming the real ones); and `train` then `evaluate --run`
writes test_metrics.json beside training's untouched metrics.json."""

from __future__ import annotations

import importlib
import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

PACKAGE = "{{ cookiecutter.package_name }}"
ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "configs" / "tiny.yaml"
tasks = importlib.import_module(f"{PACKAGE}.tasks")
train = importlib.import_module(f"{PACKAGE}.train")
evaluate = importlib.import_module(f"{PACKAGE}.evaluate")
engine_task = importlib.import_module(f"{PACKAGE}.engine.task")
engine_config = importlib.import_module(f"{PACKAGE}.engine.config")
engine_data = importlib.import_module(f"{PACKAGE}.engine.data")
evaluation = importlib.import_module(f"{PACKAGE}.engine.evaluation")
distributed = importlib.import_module(f"{PACKAGE}.engine.distributed")
errors = importlib.import_module(f"{PACKAGE}.core.errors")
QUIET = ["device=cpu", "threads=1", "progress=off"]


@pytest.fixture(scope="module")
def cfg():
    return engine_config.load_engine_config(TINY, QUIET)


def test_the_task_is_a_complete_engine_task(cfg):
    task = tasks.build_task(cfg)
    assert isinstance(task, engine_task.Task)
    assert not getattr(type(task), "__abstractmethods__", None)
    assert isinstance(task.primary_metric, str) and task.primary_metric


def test_an_incomplete_task_fails_when_it_is_created_not_after_an_epoch():
    class HalfDone(engine_task.Task):
        primary_metric = "accuracy"

        def build_model(self, cfg):
            return torch.nn.Linear(1, 1)

    with pytest.raises(TypeError, match="abstract"):
        HalfDone()


def _reseed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_every_split_is_the_same_whenever_it_is_built(cfg, split):
    task = tasks.build_task(cfg)
    _reseed_everything(1)
    first = engine_data.as_tensors(task.build_dataset(cfg, split))
    _reseed_everything(2)
    tasks.build_task(cfg).build_dataset(cfg, "train" if split != "train" else "val")
    second = engine_data.as_tensors(tasks.build_task(cfg).build_dataset(cfg, split))
    assert first is not None and len(first[0]) > 0
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))


def test_the_primary_metric_is_reported_and_a_misspelt_one_names_the_real_ones(cfg):
    task = tasks.build_task(cfg)
    model = task.build_model(cfg)
    batches = engine_data.EvalBatches(
        task.build_dataset(cfg, "val"), cfg, torch.device("cpu"), distributed.DistInfo()
    )
    metrics = evaluation.evaluate(task, model, batches, torch.device("cpu"))
    assert math.isfinite(task.primary_value(metrics))
    task.primary_metric = "no_such_metric"
    with pytest.raises(errors.ConfigError, match=rf"no_such_metric.*{sorted(metrics)[0]}"):
        task.primary_value(metrics)


def test_a_lower_is_better_metric_picks_the_smaller_value():
    class Minimise(engine_task.Task):
        primary_metric = "loss"
        build_dataset = build_model = compute_loss = eval_batch = summarize = None

    task = Minimise()
    assert task.is_better(0.1, 0.2) and not task.is_better(0.3, 0.2)
    assert task.is_better(5.0, None) and not task.is_better(float("nan"), None)


def test_train_then_evaluate_writes_test_metrics_beside_untouched_metrics(tmp_path):
    run_dir = tmp_path / "contract"
    argv = ["--config", str(TINY), f"runs_dir={tmp_path}", "run_name=contract", *QUIET]
    train.main([*argv, "epochs=1", "optimizer.lr=0.001"])
    trained = (run_dir / "metrics.json").read_bytes()
    command = (run_dir / "command.txt").read_text().strip()
    assert (
        command.startswith(f"python -m {PACKAGE}.train --config ")
        and "optimizer.lr=0.001" in command
    )

    test = evaluate.main(["--run", str(run_dir)])
    written = json.loads((run_dir / "test_metrics.json").read_text())
    assert written == json.loads(json.dumps(test))  # what main returns is what it wrote
    primary = tasks.build_task(engine_config.load_engine_config(TINY)).primary_metric
    assert written["split"] == "test" and math.isfinite(written[primary])
    assert (run_dir / "metrics.json").read_bytes() == trained  # training's record stays as it was

    # The best checkpoint on the validation split reproduces what training recorded, exactly.
    val = evaluate.main(["--run", str(run_dir), "--split", "val"])
    assert val[primary] == json.loads(trained)[primary]


def test_a_bad_model_name_is_refused_before_the_run_folder_is_made(tmp_path):
    argv = ["--config", str(TINY), f"runs_dir={tmp_path}", "run_name=bad", *QUIET]
    with pytest.raises(errors.ConfigError, match="no_such_model"):
        train.main([*argv, "model.name=no_such_model"])
    assert not (tmp_path / "bad").exists()  # no config.yaml, command.txt or checkpoints/


def test_training_again_into_a_finished_run_needs_fresh(tmp_path):
    run_dir = tmp_path / "done"
    argv = ["--config", str(TINY), f"runs_dir={tmp_path}", "run_name=done", "epochs=1", *QUIET]
    train.main(argv)
    (run_dir / "test_metrics.json").write_text("{}")  # an evaluation of the finished model
    before = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    with pytest.raises(errors.ProjectError, match="finished run.*--fresh"):
        train.main(argv)
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == before
    with pytest.raises(errors.ConfigError, match="no_such_model"):  # --fresh, but cannot build
        train.main([*argv, "--fresh", "model.name=no_such_model"])
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == before
    train.main([*argv, "--fresh"])  # replaces it, evaluations of the old model included
    assert (run_dir / "metrics.json").is_file() and not (run_dir / "test_metrics.json").exists()


def _entry(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_entry_points_report_mistakes_in_one_line_without_a_traceback(tmp_path):
    missing = _entry(f"{PACKAGE}.evaluate", "--run", str(tmp_path / "nothing"))
    assert missing.returncode == 1, missing.stderr
    assert missing.stderr.count("\n") == 1 and "no trained run" in missing.stderr
    typo = _entry(
        f"{PACKAGE}.train", "--config", str(TINY), f"runs_dir={tmp_path}", "optimiser.lr=1"
    )
    assert typo.returncode == 2, typo.stderr
    assert typo.stderr.count("\n") == 1 and "did you mean optimizer.lr" in typo.stderr
    damaged = tmp_path / "damaged.pt"
    damaged.write_bytes(b"PK\x03\x04 not a whole checkpoint")
    for path in (damaged, tmp_path / "missing.pt"):
        resumed = _entry(f"{PACKAGE}.train", "--resume", str(path))
        assert resumed.returncode == 1, resumed.stderr
        assert resumed.stderr.count("\n") == 1 and path.name in resumed.stderr, resumed.stderr
        assert "Traceback" not in resumed.stderr
