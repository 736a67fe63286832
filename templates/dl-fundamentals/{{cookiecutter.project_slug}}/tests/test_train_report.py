"""End to end: a short training run with both engines, the report, and the torch-less path."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import report
from {{ cookiecutter.package_name }}.data import batches, load
from {{ cookiecutter.package_name }}.train import load_config, run

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
README = (
    "# Project\n\nintro\n\n## Results\n\n"
    "<!-- results:start -->\nold\n<!-- results:end -->\n\ntail\n"
)


def test_digits_split_is_stratified_and_standardised_on_train_only():
    data = load()
    assert data.x_train.shape == (1437, 64) and data.x_test.shape == (360, 64)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert np.bincount(data.y_test, minlength=10).min() >= 35  # every class in the test set
    assert abs(float(data.x_train.mean())) < 1e-5 and abs(float(data.x_train.std()) - 1) < 1e-4
    assert abs(float(data.x_test.mean())) > 1e-4  # test statistics were not used


def test_batches_cover_every_sample_once_and_never_leave_one_alone():
    order = np.random.default_rng(0).permutation(129)
    parts = batches(order, 64)
    assert [len(p) for p in parts] == [64, 65]
    np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(129))


def test_config_overrides_and_unknown_keys():
    cfg = load_config(str(CONFIGS / "cnn.yaml"), ["lr=0.5", "channels=[4, 4]"])
    assert cfg["lr"] == 0.5 and cfg["channels"] == [4, 4] and cfg["model"] == "cnn"
    with pytest.raises(KeyError, match="learning_rate"):
        load_config(None, ["learning_rate=0.1"])


def test_training_run_and_report(tiny_config, tmp_path):
    torch_present = "torch" in sys.modules or _importable("torch")
    metrics = run(tiny_config("run_name=cnn", "epochs=3"))
    saved = json.loads((tmp_path / "runs" / "cnn" / "metrics.json").read_text())
    assert saved["accuracy"] == metrics["accuracy"] > 0.5  # chance is 0.1
    assert len(saved["history"]["test_accuracy"]) == 3
    assert sum(map(sum, saved["confusion"])) == 360
    if torch_present:
        assert saved["torch"]["accuracy"] > 0.5
        # Same start, same batches: the twins end close (dropout masks differ).
        assert (
            abs(saved["torch"]["history"]["train_loss"][0] - saved["history"]["train_loss"][0])
            < 0.1
        )
    readme = tmp_path / "README.md"
    readme.write_text(README)
    block = report.main(
        [
            "--runs",
            str(tmp_path / "runs"),
            "--readme",
            str(readme),
            "--figures",
            str(tmp_path / "reports"),
        ]
    )
    text = readme.read_text()
    assert text.startswith("# Project\n\nintro") and text.endswith("<!-- results:end -->\n\ntail\n")
    assert "old" not in text and block in text
    assert f"| {metrics['accuracy']:.4f} |" in block
    assert "make smoke" in block
    for figure in ("learning_curves.png", "confusion.png"):
        assert (tmp_path / "reports" / figure).read_bytes()[:4] == b"\x89PNG"


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

    profiling.main(["--config", str(CONFIGS / "quick.yaml"), "--top", "5", "train_limit=128"])
    out = capsys.readouterr().out
    assert "tottime" in out and "function calls" in out
    assert "im2col                loops" in out and "exercise (current)" in out


def test_seed_table_reports_mean_and_std():
    runs = [
        {"model": "cnn", "seed": s, "accuracy": a, "engine": "numpy (from scratch)"}
        for s, a in [(0, 0.97), (1, 0.98), (2, 0.99)]
    ]
    table = report.seed_table(runs)
    assert "| cnn | numpy (from scratch) | 3 | 0.9800 ± 0.0100 |" in table


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True
