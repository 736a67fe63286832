"""A tiny segmentation run end to end: train, evaluate (point-level per-class IoU with kNN,
the distance and robustness tables, latency, figures), report into a README."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import QUIET, ROOT

from {{ cookiecutter.package_name }} import evaluate, report, train
from {{ cookiecutter.package_name }}.engine.config import load_engine_config
from {{ cookiecutter.package_name }}.segmentation.task import CLASS_NAMES, learning_map
from {{ cookiecutter.package_name }}.tasks import build_task

TINY_SEG = [
    "epochs=2",
    "batch_size=2",
    "eval_batch_size=4",
    "data.simulated.scans.train=4",
    "data.simulated.scans.val=2",
    "data.simulated.scans.test=2",
    "data.simulated.sensor.beams=16",
    "data.simulated.sensor.columns=256",
    "range_image.height=16",
    "range_image.width=256",
    "model.widths=[8,8,16]",
    "+model.head_width=8",
]


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    config = ROOT / "configs" / "quick_seg.yaml"
    train.main(["--config", str(config), f"runs_dir={runs}", "run_name=seg", *TINY_SEG, *QUIET])
    run = runs / "seg"
    return run, evaluate.main(["--run", str(run)])


def test_evaluation_scores_every_point(evaluated):
    run, metrics = evaluated
    for key in ("miou", "point_miou", "accuracy"):
        assert 0.0 <= metrics[key] <= 1.0, key
    per_class = metrics["point_iou_per_class"]
    assert set(per_class) == set(CLASS_NAMES)
    # The mean runs over the classes the test scans hold (a class only predicted has IoU 0
    # in the table but is not one of "the classes present").
    cfg = load_engine_config(run / "config.yaml", [])
    scans = build_task(cfg).scans(cfg, "test")
    present = np.unique(np.concatenate([learning_map(scan.semantic) for scan in scans]))
    names = [CLASS_NAMES[i - 1] for i in present if i != 0]
    assert names and all(per_class[name] is not None for name in names)
    expected = np.mean([per_class[name] for name in names])
    assert metrics["point_miou"] == pytest.approx(expected)
    assert set(metrics["point_by_distance"]) == {"0-20", "20-40", "40-inf"}
    assert set(metrics["robustness"]) == {
        "clean",
        "half_beams",
        "range_noise_0.05m",
        "point_dropout_0.3",
    }
    assert metrics["robustness"]["clean"]["miou"] == metrics["point_miou"]
    assert all(ms > 0 for ms in metrics["latency_ms"].values())
    written = json.loads((run / "test_metrics.json").read_text())
    assert written["point_miou"] == metrics["point_miou"]
    for name in ("range_image", "scan_3d"):
        assert (run / metrics["figures"][name]).stat().st_size > 1000, name


def test_report_writes_the_segmentation_table(evaluated, tmp_path):
    run, metrics = evaluated
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- results:start -->\n<!-- results:end -->\n")
    body = report.main(["--runs", str(run.parent), "--readme", str(readme)])
    assert "**Segmentation**" in body and f"{metrics['point_miou']:.3f}" in body
    assert (tmp_path / "docs" / "figures" / "seg-range.png").stat().st_size > 1000
