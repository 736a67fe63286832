"""Unit tests of the training engine: its config keys and resume report, atomic checkpoints,
rotation, fallback to the newest valid checkpoint, random-state capture, how batches are split
between processes, and latency timing."""

from __future__ import annotations

import importlib
import os
import random

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

PACKAGE = "{{ cookiecutter.package_name }}"
config = importlib.import_module(f"{PACKAGE}.engine.config")
checkpoint = importlib.import_module(f"{PACKAGE}.engine.checkpoint")
rng = importlib.import_module(f"{PACKAGE}.engine.rng")
data = importlib.import_module(f"{PACKAGE}.engine.data")
distributed = importlib.import_module(f"{PACKAGE}.engine.distributed")
cli = importlib.import_module(f"{PACKAGE}.engine.cli")
latency = importlib.import_module(f"{PACKAGE}.engine.latency")
logs = importlib.import_module(f"{PACKAGE}.engine.logs")
errors = importlib.import_module(f"{PACKAGE}.core.errors")


# ---- configs ---------------------------------------------------------------------------------
def test_engine_keys_sit_on_top_of_the_shared_vocabulary():
    cfg = config.load_engine_config(None, ["compile=true", "amp=bf16", "optimizer.lr=1e-3"])
    assert cfg["compile"] is True and cfg["amp"] == "bf16"
    assert cfg["optimizer"] == {"name": "adamw", "lr": 1e-3, "weight_decay": 0.0, "momentum": 0.9}
    assert {"model", "data", "scheduler", "runs_dir", "run_name", "seed"} <= set(cfg)


def test_resume_restores_the_saved_config_and_reports_changes(tmp_path):
    saved = config.load_engine_config(None, [f"runs_dir={tmp_path}", "run_name=r", "epochs=4"])
    state = {**fake_state(2, 20), "config": saved, "runtime": {"device": "cpu", "threads": 1}}
    checkpoint.save_checkpoint(
        state, tmp_path / "r" / "checkpoints", epoch_file=True, is_best=False, keep_last=1
    )
    changed = tmp_path / "changed.yaml"
    changed.write_text("optimizer: {lr: 0.5}\n", encoding="utf-8")
    argv = ["--config", str(changed), "--resume", "auto", f"runs_dir={tmp_path}", "run_name=r"]
    messages = []
    cfg, resumed = cli.resolve_run(cli.parse_args([*argv, "epochs=6"], ""), messages.append)
    assert resumed["step"] == 20
    assert cfg["epochs"] == 6  # a command-line override applies on resume
    assert cfg["optimizer"]["lr"] == saved["optimizer"]["lr"]  # the run's config wins
    report = "\n".join(messages)
    assert "epochs: 4 -> 6 (applied" in report
    assert "optimizer.lr: 0.001 -> 0.5 (ignored" in report


def _save_run(tmp_path, finished: bool) -> list[str]:
    saved = config.load_engine_config(None, [f"runs_dir={tmp_path}", "run_name=r", "epochs=2"])
    state = {**fake_state(2, 20), "config": saved, "runtime": {}, "finished": finished}
    checkpoint.save_checkpoint(
        state, tmp_path / "r" / "checkpoints", epoch_file=True, is_best=True, keep_last=1
    )
    plain = tmp_path / "plain.yaml"
    plain.write_text("epochs: 2\n", encoding="utf-8")
    return ["--config", str(plain), f"runs_dir={tmp_path}", "run_name=r"]


def test_a_finished_run_is_not_replaced_without_fresh(tmp_path):
    argv = _save_run(tmp_path, finished=True)
    with pytest.raises(errors.ProjectError, match=r"holds a finished run.*--fresh.*run_name="):
        cli.resolve_run(cli.parse_args(argv, ""), print)
    cfg, state = cli.resolve_run(cli.parse_args([*argv, "--fresh"], ""), print)
    assert state is None and cfg["run_name"] == "r"
    _, state = cli.resolve_run(cli.parse_args([*argv, "--resume", "auto"], ""), print)
    assert state["step"] == 20  # continuing a finished run is still allowed (a no-op)


def test_a_run_folder_with_metrics_but_no_checkpoint_counts_as_finished(tmp_path):
    argv = _save_run(tmp_path, finished=True)
    for path in (tmp_path / "r" / "checkpoints").iterdir():
        path.unlink()
    (tmp_path / "r" / "metrics.json").write_text("{}")
    with pytest.raises(errors.ProjectError, match="holds a finished run"):
        cli.resolve_run(cli.parse_args(argv, ""), print)
    with pytest.raises(errors.ProjectError, match="no checkpoint to continue.*--fresh"):
        cli.resolve_run(cli.parse_args([*argv, "--resume", "auto"], ""), print)
    cfg, state = cli.resolve_run(cli.parse_args([*argv, "--fresh"], ""), print)
    assert state is None


def test_an_unfinished_run_still_asks_for_resume_or_fresh(tmp_path):
    argv = _save_run(tmp_path, finished=False)
    with pytest.raises(errors.ProjectError, match="unfinished run.*--resume auto.*--fresh"):
        cli.resolve_run(cli.parse_args(argv, ""), print)


@pytest.mark.parametrize("content", [b"", b"garbage", b"PK\x03\x04 cut short"])
def test_resuming_from_a_damaged_file_is_one_project_error(tmp_path, content):
    damaged = tmp_path / "last.pt"
    damaged.write_bytes(content)
    with pytest.raises(errors.ProjectError, match=r"cannot resume: .*last\.pt is not") as caught:
        cli.resolve_run(cli.parse_args(["--resume", str(damaged)], ""), print)
    assert not isinstance(caught.value, errors.ConfigError)  # exit 1: the file, not a key
    with pytest.raises(errors.ProjectError, match=r"no checkpoint file at .*none\.pt"):
        cli.resolve_run(cli.parse_args(["--resume", str(tmp_path / "none.pt")], ""), print)


def test_progress_off_in_yaml_means_off(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("progress: off\n", encoding="utf-8")
    cfg = config.load_engine_config(path)
    assert cfg["progress"] is False  # YAML 1.1 reads a bare off as false
    for value, mode in [(False, "off"), ("OFF", "off"), ("plain", "plain"), ("bar", "bar")]:
        run_logger = logs.RunLogger(tmp_path, enabled=True, progress=value, epochs=1)
        assert run_logger.mode == mode, value
    on = logs.RunLogger(tmp_path, enabled=True, progress=True, epochs=1)
    assert on.mode in ("bar", "plain")  # `progress: on` is auto: a bar on a terminal
    off = config.load_engine_config(None, ["progress=off"])
    assert logs.RunLogger(tmp_path, enabled=True, progress=off["progress"], epochs=1).mode == "off"
    with pytest.raises(errors.ConfigError, match="progress.*auto, bar, plain, off"):
        logs.RunLogger(tmp_path, enabled=True, progress="fancy", epochs=1)


def test_a_fresh_run_removes_what_the_replaced_run_wrote(tmp_path):
    run_dir = tmp_path / "r"
    (run_dir / "checkpoints").mkdir(parents=True)
    for name in ("metrics.json", "test_metrics.json", "val_metrics.json", "log.csv", "notes.md"):
        (run_dir / name).write_text("old")
    cli.prepare_run_dir(run_dir, {"seed": 0}, fresh=True)
    assert sorted(p.name for p in run_dir.iterdir()) == ["checkpoints", "config.yaml", "notes.md"]


# ---- checkpoints -----------------------------------------------------------------------------
def fake_state(epoch: int, step: int) -> dict:
    return {
        "model": {"w": torch.full((3,), float(epoch))},
        "epoch": epoch,
        "step": step,
        "config": {"seed": 0},
        "rng": [{"global": rng.capture_global_rng()}],
    }


def test_atomic_write_failure_keeps_the_old_file_and_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "last.pt"
    checkpoint.atomic_write(b"old complete checkpoint", target)

    def broken_fsync(_fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.atomic_write(b"new", target)
    assert target.read_bytes() == b"old complete checkpoint"
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]


def test_checkpoints_load_with_weights_only_and_restore_every_random_state(tmp_path):
    rng.seed_everything(123)
    random.random(), np.random.rand(), torch.rand(1)
    state = fake_state(1, 10)
    checkpoint.save_checkpoint(state, tmp_path, epoch_file=True, is_best=True, keep_last=1)
    expected = (random.random(), float(np.random.rand()), torch.rand(3))

    loaded = torch.load(tmp_path / "last.pt", weights_only=True)  # no pickled objects
    rng.restore_global_rng(loaded["rng"][0]["global"])
    again = (random.random(), float(np.random.rand()), torch.rand(3))
    assert again[:2] == expected[:2]
    assert torch.equal(again[2], expected[2])
    assert torch.equal(loaded["model"]["w"], state["model"]["w"])


def test_rotation_keeps_last_best_and_newest_epochs(tmp_path):
    for epoch in range(1, 6):
        checkpoint.save_checkpoint(
            fake_state(epoch, epoch * 10), tmp_path, epoch_file=True, is_best=epoch == 2,
            keep_last=2,
        )  # fmt: skip
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["best.pt", "epoch-0004.pt", "epoch-0005.pt", "last.pt"]
    assert checkpoint.load_checkpoint(tmp_path / "best.pt")["epoch"] == 2
    assert checkpoint.load_checkpoint(tmp_path / "last.pt")["epoch"] == 5


def test_corrupt_last_checkpoint_falls_back_to_the_newest_valid_one(tmp_path):
    for epoch in range(1, 4):
        checkpoint.save_checkpoint(
            fake_state(epoch, epoch * 10), tmp_path, epoch_file=True, is_best=False, keep_last=3
        )
    assert checkpoint.find_latest_valid(tmp_path, log=lambda _m: None) == tmp_path / "last.pt"

    last = tmp_path / "last.pt"
    last.write_bytes(last.read_bytes()[: last.stat().st_size // 2])  # truncated by a crash
    messages = []
    assert checkpoint.find_latest_valid(tmp_path, log=messages.append) == tmp_path / "epoch-0003.pt"
    assert any("last.pt" in m for m in messages)

    (tmp_path / "epoch-0003.pt").write_bytes(b"garbage")
    assert checkpoint.find_latest_valid(tmp_path, log=lambda _m: None) == tmp_path / "epoch-0002.pt"
    with pytest.raises(ValueError):
        checkpoint.load_checkpoint(last)


def test_stale_temporary_files_are_removed(tmp_path):
    (tmp_path / ".last.pt.tmp-1234").write_bytes(b"half a checkpoint")
    checkpoint.save_checkpoint(fake_state(1, 1), tmp_path, epoch_file=False, is_best=False,
                               keep_last=0)  # fmt: skip
    checkpoint.remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]


# ---- batches across processes ----------------------------------------------------------------
def _cfg(**extra) -> dict:
    return config.load_engine_config(None, [f"{k}={v}" for k, v in extra.items()])


def test_evaluation_batches_cover_every_sample_exactly_once_without_padding():
    samples = TensorDataset(torch.arange(10))
    cfg = _cfg(eval_batch_size=3)
    seen = []
    for rank in range(3):
        info = distributed.DistInfo(rank=rank, world_size=3, local_world_size=3)
        for (batch,) in data.EvalBatches(samples, cfg, torch.device("cpu"), info):
            seen += batch.tolist()
    assert sorted(seen) == list(range(10))


def test_training_shards_share_one_permutation_like_distributed_sampler():
    samples = TensorDataset(torch.arange(20))
    cfg = _cfg(batch_size=5, seed=3)
    shards = []
    for rank in range(2):
        info = distributed.DistInfo(rank=rank, world_size=2, local_world_size=2)
        batches = data.TrainBatches(samples, cfg, torch.device("cpu"), info)
        assert batches.steps_per_epoch == 2
        shards.append(torch.cat([b[0] for b in batches.epoch()]).tolist())
    assert sorted(shards[0] + shards[1]) == list(range(20))


def test_streamed_and_device_resident_batches_are_identical_and_replayable():
    samples = TensorDataset(torch.randn(50, 3), torch.arange(50))
    device, info = torch.device("cpu"), distributed.DistInfo()
    resident = data.TrainBatches(samples, _cfg(batch_size=8, seed=1), device, info)
    streamed = data.TrainBatches(
        samples, _cfg(batch_size=8, seed=1, loader="stream", num_workers=0), device, info
    )
    assert resident.resident and not streamed.resident
    start = resident.state_dict()
    first = list(resident.epoch())
    for a, b in zip(first, streamed.epoch(), strict=True):
        assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    second = list(resident.epoch())
    assert not torch.equal(first[0][1], second[0][1])  # a new order every epoch
    resident.load_state_dict(start)  # mid-epoch resume: replay the epoch from step 2
    replay = list(resident.epoch(skip=2))
    assert len(replay) == len(first) - 2
    assert all(torch.equal(a[1], b[1]) for a, b in zip(replay, first[2:], strict=True))


# ---- latency ---------------------------------------------------------------------------------
def test_time_calls_warms_up_then_times_between_min_and_max_runs():
    calls = []
    timings = latency.time_calls(lambda: calls.append(1), torch.device("cpu"), warmup=3, min_runs=4)
    assert len(timings) == 4 and len(calls) == 3 + 4  # no budget: exactly min_runs timed
    assert all(t >= 0 for t in timings)
    capped = latency.time_calls(lambda: None, torch.device("cpu"), budget_s=60.0, max_runs=7)
    assert len(capped) == 7  # a long budget stops at max_runs
