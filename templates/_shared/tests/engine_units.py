"""Unit tests of the training engine: configs, atomic checkpoints, rotation, fallback to the
newest valid checkpoint, random-state capture, how batches are split between processes, and
latency timing."""

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


# ---- configs ---------------------------------------------------------------------------------
def test_override_values_are_typed_like_yaml():
    cfg = config.load_config(
        None,
        ["epochs=7", "optimizer.lr=1e-3", "compile=true", "device=cuda", "+model.sizes=[8, 16]"],
    )
    assert cfg["epochs"] == 7
    assert isinstance(cfg["optimizer"]["lr"], float)
    assert cfg["optimizer"]["lr"] == pytest.approx(1e-3)
    assert cfg["compile"] is True
    assert cfg["device"] == "cuda"
    assert cfg["model"]["sizes"] == [8, 16]
    assert cfg["optimizer"]["name"] == "adamw"  # untouched siblings survive


def test_unknown_override_key_is_an_error_with_a_suggestion():
    with pytest.raises(KeyError, match="optimizer.lr"):
        config.load_config(None, ["optimiser.lr=0.1"])
    with pytest.raises(ValueError):
        config.load_config(None, ["epochs"])


def test_config_file_reads_exponent_floats_and_names_the_run(tmp_path):
    path = tmp_path / "exp.yaml"
    path.write_text("optimizer: {lr: 3e-4}\nbatch_size: 8\n", encoding="utf-8")
    cfg = config.load_config(path, ["batch_size=16"])
    assert cfg["optimizer"]["lr"] == pytest.approx(3e-4)
    assert cfg["run_name"] == "exp"
    assert cfg["eval_batch_size"] == 16  # defaults to the batch size


def test_diff_configs_lists_changed_added_and_removed_keys():
    old = {"a": 1, "b": {"c": 2, "d": 3}}
    new = {"a": 1, "b": {"c": 5}, "e": 0}
    assert config.diff_configs(old, new) == [("b.c", 2, 5), ("b.d", 3, None), ("e", None, 0)]


def test_resume_restores_the_saved_config_and_reports_changes(tmp_path):
    saved = config.load_config(None, [f"runs_dir={tmp_path}", "run_name=r", "epochs=4"])
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
    return config.load_config(None, [f"{k}={v}" for k, v in extra.items()])


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
