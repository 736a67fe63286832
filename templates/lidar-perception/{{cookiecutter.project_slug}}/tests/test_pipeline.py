"""A tiny detection run end to end: train, evaluate (the KITTI protocol, distance and
robustness tables, KITTI result files, figures), export to ONNX, report into a README."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import QUIET, TINY

from {{ cookiecutter.package_name }} import evaluate, export, report, train
from {{ cookiecutter.package_name }}.data import kitti


@pytest.fixture(scope="module")
def evaluated(tiny_run):
    return tiny_run, evaluate.main(["--run", str(tiny_run)])


def test_evaluation_writes_the_kitti_tables(evaluated):
    run, metrics = evaluated
    for key in ("map", "car_bev_ap_r40_moderate", "car_3d_ap_r40_moderate", "car_aos_r40_moderate"):
        assert 0.0 <= metrics[key] <= 1.0, key
    car = metrics["kitti"]["Car"]
    assert set(car) == {"0.7", "0.5"}  # KITTI's overlap for cars and the loose set
    for metric in ("bev", "3d", "aos"):
        assert set(car["0.7"][metric]) == {"R40", "R11"}
        assert set(car["0.7"][metric]["R40"]) == {"easy", "moderate", "hard"}
    assert set(metrics["by_distance"]) == {"0-20", "20-40", "40-inf"}
    assert set(metrics["robustness"]) == {
        "clean",
        "half_beams",
        "range_noise_0.05m",
        "point_dropout_0.3",
    }
    assert metrics["latency_ms"]["network"] > 0
    written = json.loads((run / "test_metrics.json").read_text())
    assert written["car_bev_ap_r40_moderate"] == metrics["car_bev_ap_r40_moderate"]
    # The detections in KITTI's submission format read back with scores.
    files = sorted((run / "test" / "kitti").glob("*.txt"))
    assert len(files) == 2  # the tiny test split
    assert (run / "figures" / "bev.png").stat().st_size > 1000


def test_export_matches_pytorch(evaluated):
    run, _ = evaluated
    result = export.main(["--run", str(run), "--batch-size", "2"])
    assert result["parity_ok"] and result["max_abs_diff"] < 1e-3
    assert (run / "model.onnx").stat().st_size > 1000


def test_report_writes_the_tables_into_the_readme(evaluated, tmp_path):
    run, metrics = evaluated
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- results:start -->\n<!-- results:end -->\n")
    body = report.main(["--runs", str(run.parent), "--readme", str(readme)])
    assert "Car BEV AP" in body and f"{metrics['car_bev_ap_r40_moderate']:.3f}" in body
    assert "R11 moderate" in body  # the full KITTI table
    assert readme.read_text().count("<!-- results:start -->") == 1


def test_report_marks_the_smoke_runs_as_baselines(evaluated, tmp_path):
    run, _ = evaluated
    shutil.copytree(run, tmp_path / "runs" / "quick-det")
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- results:start -->\n<!-- results:end -->\n")
    body = report.main(["--runs", str(tmp_path / "runs"), "--readme", str(readme)])
    assert "quick-det (baseline)" in body
    alone = report.main(["--runs", str(run.parent), "--readme", str(readme)])
    assert "tiny (baseline)" not in alone


def test_a_bad_model_name_leaves_no_run_folder(tmp_path):
    with pytest.raises(Exception, match="pillar_centerpoint"):
        train.main(["--config", str(TINY), f"runs_dir={tmp_path}", "model.name=nope", *QUIET])
    assert not (tmp_path / "tiny").exists()


def test_kitti_result_files_read_back(evaluated):
    run, _ = evaluated
    for path in sorted((run / "test" / "kitti").glob("*.txt")):
        objects = kitti.read_label(path, kitti.default_calibration())
        assert objects.scores is not None
