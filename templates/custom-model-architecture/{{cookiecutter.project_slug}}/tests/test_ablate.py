"""The ablation runner: tables and figure, resume after an interruption, no mixed settings."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys

import pytest
import torch

from {{ cookiecutter.package_name }} import ablate
from {{ cookiecutter.package_name }}.core.errors import ProjectError
from {{ cookiecutter.package_name }}.engine.trainer import StopTraining
from {{ cookiecutter.package_name }}.tasks import ImageClassification

STEPS = 2 * 19  # tiny.yaml: 2 epochs of 1257 digits in batches of 64 (the last one dropped)


def args(tmp_path, name, *extra):
    return [
        "--config",
        "configs/tiny.yaml",
        "--variants",
        "cnn_dwsep,mixer",
        "--seeds",
        "1",
        "--name",
        name,
        f"runs_dir={tmp_path}",
        *extra,
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One uninterrupted ablation: 2 variants x 1 seed, two epochs each (tiny.yaml)."""
    tmp_path = tmp_path_factory.mktemp("runs")
    return tmp_path, ablate.main(args(tmp_path, "reference"))


def test_ablation_writes_table_csv_and_figure(reference):
    tmp_path, rows = reference
    root = tmp_path / "reference"
    with (root / "ablation.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert [row["variant"] for row in table] == ["cnn_dwsep", "mixer"]
    for row in table:
        assert row["seeds"] == "1" and int(row["flops"]) > 0 and int(row["parameters"]) > 0
        assert 0.5 < float(row["accuracy_mean"]) <= 1 and float(row["cpu_latency_ms"]) > 0
    with (root / "cells.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 2
    markdown = (root / "ablation.md").read_text()
    # No `cnn` in this ablation: its first variant is the baseline row (ablate.baseline_index).
    assert "| `cnn_dwsep` (baseline) |" in markdown and "| `mixer` |" in markdown
    assert "2 FLOPs per multiply-add" in markdown
    # The table carries the command that reproduces it.
    assert f"`python -m {ablate.__package__}.ablate --config configs/tiny.yaml" in markdown
    cell = root / "cells" / "mixer" / "seed0"
    test = json.loads((cell / "test_metrics.json").read_text())
    assert test["split"] == "test" and float(table[1]["accuracy_mean"]) == test["accuracy"]
    assert "model.name=mixer" in (cell / "command.txt").read_text()
    assert (root / "ablation.png").read_bytes()[:4] == b"\x89PNG"
    assert any(row["pareto_flops"] for row in rows)


def test_interrupted_ablation_resumes_where_it_stopped(reference, tmp_path, monkeypatch, capsys):
    original = ImageClassification.compute_loss
    seen = []

    def interrupt_second_cell(self, model, batch):
        seen.append(id(model))
        models = list(dict.fromkeys(seen))
        if len(models) == 2 and seen.count(models[1]) == 7:
            os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C would, in the 7th step of cell 2
        return original(self, model, batch)

    monkeypatch.setattr(ImageClassification, "compute_loss", interrupt_second_cell)
    with pytest.raises(StopTraining):
        ablate.main(args(tmp_path, "resumed"))
    monkeypatch.undo()
    cells = tmp_path / "resumed" / "cells"
    assert (cells / "cnn_dwsep" / "seed0" / "test_metrics.json").is_file()
    assert not (cells / "mixer" / "seed0" / "metrics.json").exists()
    assert (cells / "mixer" / "seed0" / "checkpoints" / "last.pt").is_file()

    checkpoint = cells / "mixer" / "seed0" / "checkpoints" / "last.pt"
    stopped_at = torch.load(checkpoint, weights_only=True)["step"]
    assert 0 < stopped_at < STEPS

    steps = []
    monkeypatch.setattr(
        ImageClassification,
        "compute_loss",
        lambda self, model, batch: steps.append(1) or original(self, model, batch),
    )
    capsys.readouterr()
    rows = ablate.main(args(tmp_path, "resumed"))
    assert "seed0: done earlier, skipped" in capsys.readouterr().out
    assert len(steps) == STEPS - stopped_at  # only the interrupted cell's remaining steps
    # A resumed CPU run ends bit-identical to an uninterrupted one.
    assert [row["accuracy_mean"] for row in rows] == [row["accuracy_mean"] for row in reference[1]]


def test_finished_ablation_skips_every_cell(reference, monkeypatch, capsys):
    tmp_path, rows = reference
    monkeypatch.setattr(ablate, "run_training", lambda *a, **k: pytest.fail("trained again"))
    again = ablate.main(args(tmp_path, "reference"))
    assert capsys.readouterr().out.count("done earlier, skipped") == 2
    assert [row["accuracy_mean"] for row in again] == [row["accuracy_mean"] for row in rows]


def test_changed_settings_are_not_mixed_into_an_ablation(reference):
    tmp_path, _ = reference
    with pytest.raises(ProjectError, match="optimizer.lr"):
        ablate.main(args(tmp_path, "reference", "optimizer.lr=0.1"))


def test_summary_is_mean_and_sample_std_over_seeds():
    cells = [
        {"variant": "a", "seed": 0, "accuracy": 0.90, "train_seconds": 1.0},
        {"variant": "a", "seed": 1, "accuracy": 0.94, "train_seconds": 3.0},
        {"variant": "b", "seed": 0, "accuracy": 0.80, "train_seconds": 1.0},
    ]
    cost = {"parameters": 1, "cpu_latency_ms": 1.0, "gpu_latency_ms": None}
    costs = {"a": {**cost, "flops": 200}, "b": {**cost, "flops": 100}}
    a, b = ablate.summarize(cells, costs)
    assert a["accuracy_mean"] == pytest.approx(0.92) and a["seeds"] == 2
    assert a["accuracy_std"] == pytest.approx(0.04 / 2**0.5)  # sample std (n - 1)
    assert b["accuracy_std"] == 0.0 and a["train_seconds_mean"] == 2.0
    assert a["pareto_flops"] and b["pareto_flops"]  # b is cheaper, a more accurate
    assert a["pareto_cpu_latency"] and not b["pareto_cpu_latency"]  # same latency, a better


def test_a_cell_matches_a_standalone_run_in_its_own_process(reference, tmp_path):
    """What justifies running cells in one process: no state leaks from earlier cells."""
    runs, _ = reference
    command = [sys.executable, "-m", f"{ablate.__package__}.train", "--config", "configs/tiny.yaml"]
    command += ["model.name=mixer", "seed=0", f"runs_dir={tmp_path}", "run_name=alone"]
    subprocess.run(
        command, check=True, capture_output=True, env={**os.environ, "PYTHONPATH": "src"}
    )
    alone = json.loads((tmp_path / "alone" / "metrics.json").read_text())
    cell = json.loads(
        (runs / "reference" / "cells" / "mixer" / "seed0" / "metrics.json").read_text()
    )
    alone.pop("train_seconds"), cell.pop("train_seconds")
    assert alone == cell
