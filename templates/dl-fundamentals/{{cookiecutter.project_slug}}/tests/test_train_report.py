"""End to end: a short training run with both engines, evaluation on the test split, the
report, and the torch-less path."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import evaluate, report, train
from {{ cookiecutter.package_name }}.core.errors import ConfigError, ProjectError
from {{ cookiecutter.package_name }}.core.results import load_runs, write_json
from {{ cookiecutter.package_name }}.data import batches, load
from {{ cookiecutter.package_name }}.train import load_config, run

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
README = (
    "# Project\n\nintro\n\n## Results\n\n"
    "<!-- results:start -->\nold\n<!-- results:end -->\n\ntail\n"
)


def test_digits_splits_are_stratified_fixed_and_standardised_on_train_only():
    data = load()
    assert data.x_train.shape == (1257, 64) and data.x_val.shape == (180, 64)
    assert data.x_test.shape == (360, 64)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert np.bincount(data.y_test, minlength=10).min() >= 35  # every class in the test set
    assert np.bincount(data.y_val, minlength=10).min() >= 17
    assert abs(float(data.x_train.mean())) < 1e-5 and abs(float(data.x_train.std()) - 1) < 1e-4
    assert abs(float(data.x_test.mean())) > 1e-4  # test statistics were not used
    again, other = load(seed=0), load(seed=1)
    np.testing.assert_array_equal(again.x_test, data.x_test)
    assert not np.array_equal(other.y_test, data.y_test)


def test_batches_cover_every_sample_once_and_never_leave_one_alone():
    order = np.random.default_rng(0).permutation(129)
    parts = batches(order, 64)
    assert [len(p) for p in parts] == [64, 65]
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(129))


def test_config_uses_the_shared_vocabulary_and_rejects_unknown_keys():
    cfg = load_config(CONFIGS / "cnn.yaml", ["optimizer.lr=0.5", "model.channels=[4, 4]"])
    assert cfg["optimizer"]["lr"] == 0.5 and cfg["model"] == {
        "name": "cnn",
        "channels": [4, 4],
        "dropout": 0.1,
    }
    assert cfg["data"]["seed"] == 0 and cfg["runs_dir"] == "runs" and cfg["run_name"] == "cnn"
    with pytest.raises(ConfigError, match="learning_rate"):
        load_config(None, ["learning_rate=0.1"])
    with pytest.raises(ConfigError, match="did you mean optimizer.lr"):
        load_config(None, ["optimizer.lr_=0.1"])


def test_training_run_evaluation_and_report(tiny_config, tmp_path):
    torch_present = "torch" in sys.modules or _importable("torch")
    metrics = run(tiny_config("run_name=cnn", "epochs=3"))
    run_dir = tmp_path / "runs" / "cnn"
    trained = (run_dir / "metrics.json").read_bytes()
    saved = json.loads(trained)
    assert saved["accuracy"] == metrics["accuracy"] > 0.5  # chance is 0.1; validation split
    assert len(saved["history"]["val_accuracy"]) == 3
    if torch_present:
        assert saved["torch"]["accuracy"] > 0.5
        # Same start, same batches: the twins end close (dropout masks differ).
        assert (
            abs(saved["torch"]["history"]["train_loss"][0] - saved["history"]["train_loss"][0])
            < 0.1
        )
    test = evaluate.main(["--run", str(run_dir)])
    written = json.loads((run_dir / "test_metrics.json").read_text())
    assert written == json.loads(json.dumps(test)) and written["split"] == "test"
    assert sum(map(sum, written["confusion"])) == 360 and math.isfinite(written["accuracy"])
    assert (run_dir / "metrics.json").read_bytes() == trained  # evaluate leaves it alone
    val = evaluate.main(["--run", str(run_dir), "--split", "val"])
    assert val["accuracy"] == saved["accuracy"]  # the saved model reproduces training's numbers
    if torch_present:
        assert val["torch"]["accuracy"] == saved["torch"]["accuracy"]
        assert written["torch"]["accuracy"] > 0.5

    readme = tmp_path / "README.md"
    readme.write_text(README)
    block = report.main(["--runs", str(tmp_path / "runs"), "--readme", str(readme)])
    text = readme.read_text()
    assert text.startswith("# Project\n\nintro") and text.endswith("<!-- results:end -->\n\ntail\n")
    assert "old" not in text and block in text
    assert f"| {metrics['accuracy']:.4f} | {written['accuracy']:.4f} |" in block
    assert "make smoke" in block
    for figure in ("learning_curves.png", "confusion.png"):
        path = tmp_path / "docs" / "figures" / figure
        assert path.read_bytes()[:4] == b"\x89PNG" and f"](docs/figures/{figure})" in block


def test_train_main_records_the_command_that_reproduces_the_run(tmp_path):
    args = ["--config", str(CONFIGS / "tiny.yaml"), f"runs_dir={tmp_path}", "epochs=1"]
    train.main([*args, "torch_reference=false", "run_name=recorded"])
    command = (tmp_path / "recorded" / "command.txt").read_text().strip()
    assert command.startswith(f"python -m {train.__package__}.train --config ")
    assert command.endswith("epochs=1 torch_reference=false run_name=recorded")
    assert load_runs(tmp_path)[0].command == command


def test_training_again_into_a_finished_run_needs_fresh(tmp_path):
    args = ["--config", str(CONFIGS / "tiny.yaml"), f"runs_dir={tmp_path}", "epochs=1"]
    args += ["torch_reference=false", "run_name=done"]
    train.main(args)
    (tmp_path / "done" / "test_metrics.json").write_text("{}")  # an evaluation of that model
    before = {p.name: p.read_bytes() for p in (tmp_path / "done").iterdir()}
    with pytest.raises(ProjectError, match=r"holds a finished run.*--fresh.*run_name="):
        train.main([*args, "seed=5"])
    assert {p.name: p.read_bytes() for p in (tmp_path / "done").iterdir()} == before
    train.main([*args, "seed=5", "--fresh"])
    assert not (tmp_path / "done" / "test_metrics.json").exists()
    assert (tmp_path / "done" / "command.txt").read_text().strip().endswith("seed=5")


def test_a_missing_run_or_a_bad_value_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(ProjectError, match="no trained run"):
        evaluate.main(["--run", str(tmp_path / "nothing")])
    with pytest.raises(ConfigError, match="optimizer.name must be sgd, adam or adamw"):
        run(load_config(CONFIGS / "tiny.yaml", [f"runs_dir={tmp_path}", "optimizer.name=lamb"]))
    with pytest.raises(ConfigError, match="data.name must be digits"):
        run(load_config(CONFIGS / "tiny.yaml", [f"runs_dir={tmp_path}", "data.name=mnist"]))
    with pytest.raises(ProjectError, match="train first"):
        report.main(["--runs", str(tmp_path / "none"), "--readme", str(tmp_path / "R.md")])


def test_training_without_torch_says_so_and_skips_the_twin(tiny_config, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    monkeypatch.delitem(sys.modules, f"{report.__package__}.torch_reference", raising=False)
    monkeypatch.delattr(sys.modules[report.__package__], "torch_reference", raising=False)
    metrics = run(tiny_config("run_name=no-torch", "epochs=1"))
    assert metrics["torch"] is None
    assert metrics["torch_skipped"] == "torch is not installed"
    assert "skipping the PyTorch reference" in capsys.readouterr().out


def test_profiling_reports_hot_spots_and_im2col_timings(capsys):
    from {{ cookiecutter.package_name }} import profiling

    profiling.main(
        ["--config", str(CONFIGS / "quick.yaml"), "--top", "5", "data.digits.train_limit=128"]
    )
    out = capsys.readouterr().out
    assert "tottime" in out and "function calls" in out
    assert "im2col                loops" in out and "exercise (current)" in out


def _fake_run(root: Path, name: str, seed: int, test_accuracy: float, model="cnn") -> None:
    folder = root / name
    numpy = {"engine": "numpy (from scratch)", "accuracy": 0.9, "train_seconds": 1.0}
    numpy.update(inference_ms_per_sample=0.01, parameters=10, torch=None)
    write_json(numpy, folder / "metrics.json")
    write_json({"accuracy": test_accuracy, "split": "test"}, folder / "test_metrics.json")
    config = f"run_name: {name}\nseed: {seed}\nmodel:\n  name: {model}\n"
    (folder / "config.yaml").write_text(config)


def test_seed_table_reports_mean_and_std_once_per_seed(tmp_path):
    for name, seed, accuracy in [("cnn", 0, 0.97), ("cnn-seed1", 1, 0.98), ("cnn-seed2", 2, 0.99)]:
        _fake_run(tmp_path, name, seed, accuracy)
    _fake_run(tmp_path, "cnn-seed0", 0, 0.5)  # a repeat of seed 0: counted once
    table = report.seed_table(report.ordered_runs(tmp_path))
    assert "| cnn | cnn | numpy (from scratch) | 3 | 0.9800 ± 0.0100 |" in table


def test_the_mlp_rows_are_the_baseline_of_the_results_table(tmp_path):
    _fake_run(tmp_path, "cnn", 0, 0.97)
    _fake_run(tmp_path, "mlp", 0, 0.93, model="mlp")
    _fake_run(tmp_path, "mlp-wide", 0, 0.94, model="mlp")
    table = report.results_table(report.ordered_runs(tmp_path)).splitlines()
    assert [row.split(" | ")[0] for row in table[2:]] == [
        "| mlp (baseline)",
        "| mlp-wide (baseline)",
        "| cnn",
    ]


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True
