"""A tiny run end to end: train, evaluate (COCO and MOTChallenge files, metrics, figures),
export to ONNX, report into a README, and the ablation over seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import QUIET, ROOT, TINY

from {{ cookiecutter.package_name }} import ablate, evaluate, export, report
from {{ cookiecutter.package_name }}.core.errors import ConfigError
from {{ cookiecutter.package_name }}.data import coco, mot
from {{ cookiecutter.package_name }}.engine.config import load_engine_config
from {{ cookiecutter.package_name }}.tasks import build_task

PACKAGE = "{{ cookiecutter.package_name }}"


@pytest.fixture(scope="module")
def evaluated(tiny_run):
    return tiny_run, evaluate.main(["--run", str(tiny_run)])


def test_evaluation_writes_the_benchmarks_files_and_metrics(evaluated):
    run, metrics = evaluated
    for key in ("map", "coco_map", "coco_ap50", "hota", "deta", "assa", "mota", "idf1", "idsw"):
        assert key in metrics, key
    assert set(metrics["tracking_variants"]) == {"tracker", "iou_only", "kalman"}
    assert abs(metrics["map"] - metrics["coco_map"]) < 0.02  # summable AP vs faster-coco-eval
    gt = coco.read_coco(run / "test" / "coco_gt.json")
    assert len(gt.images) == metrics["frames"]
    coco.read_coco_results(run / "test" / "coco_results.json")
    sequence = gt.images[0]["file_name"].split("/")[0]
    mot.read_gt(run / "test" / "mot" / "gt" / sequence / "gt" / "gt.txt")
    assert (
        mot.read_seqinfo(run / "test" / "mot" / "gt" / sequence / "seqinfo.ini")["seqLength"] == 10
    )
    mot.read_results(run / "test" / "mot" / "trackers" / "tracker" / "data" / f"{sequence}.txt")
    # TrackEval's MOTChallenge layout per class (README: what its scripts score), and the seqmap.
    for name in ("car", "pedestrian", "cyclist"):
        by_class = run / "test" / "mot" / "by_class" / name
        assert sequence in (by_class / "gt" / "seqmaps" / "MOT17-train.txt").read_text().split()
        mot.read_gt(by_class / "gt" / sequence / "gt" / "gt.txt")
        mot.read_results(by_class / "trackers" / "kalman" / "data" / f"{sequence}.txt")
    assert metrics["tracked_detections"] == "detector"
    latency = metrics["latency"]
    assert latency["detector_forward_ms"] > 0 and set(latency["tracker_ms"]) == {
        "tracker",
        "iou_only",
        "kalman",
    }
    assert set(metrics["errors"]) >= {"false_positives", "misses_by_occlusion", "id_switches"}
    for name in ("pr_curve.png", "frames.png", "tracks.gif"):
        if name != "pr_curve.png" or metrics["coco"]["pr"]:
            assert (run / "figures" / name).stat().st_size > 1000, name
    written = json.loads((run / "test_metrics.json").read_text())
    assert written["hota"] == metrics["hota"]


def test_evaluation_needs_no_opencv(evaluated):
    # trackeval declares opencv-python, but nothing this project runs needs cv2 (README,
    # "Dependencies"): the whole evaluation runs with it blocked.
    run, _ = evaluated
    script = (
        "import importlib.abc, sys\n"
        "class NoOpenCV(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'cv2' or name.startswith('cv2.'):\n"
        "            raise ImportError('cv2 is blocked by the test')\n"
        "sys.meta_path.insert(0, NoOpenCV())\n"
        f"from {PACKAGE}.evaluate import main\n"
        f"result = main(['--run', {str(run)!r}, '--split', 'val'])\n"
        "assert 'cv2' not in sys.modules and result['coco_map'] >= 0\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]


def test_onnx_export_matches_pytorch(evaluated):
    run, _ = evaluated
    result = export.main(["--run", str(run), "--batch-size", "4"])
    assert result["parity_ok"] and result["max_abs_diff"] < 1e-3
    assert (run / "detector.onnx").stat().st_size > 1000
    assert [row["batch_size"] for row in result["latency"]] == [1, 4]


def test_the_report_writes_tables_and_figures_into_the_readme(evaluated, tmp_path):
    run, _ = evaluated
    if not (run / "export.json").exists():  # run alone (-k), without the export test before it
        export.main(["--run", str(run), "--batch-size", "4"])
    readme = tmp_path / "README.md"
    readme.write_text("# p\n\n<!-- results:start -->\nold\n<!-- results:end -->\n\nend\n")
    body = report.main(["--runs", str(run.parent), "--run", str(run), "--readme", str(readme)])
    text = readme.read_text()
    assert "old" not in text and text.endswith("end\n")
    for heading in (
        "Detection",
        "Per class",
        "Tracking",
        "Error analysis",
        "Latency",
        "ONNX export",
    ):
        assert f"### {heading}" in body, heading
    assert "IoU only (no motion model)" in body and "+ Kalman (SORT)" in body
    for section in body.split("### ")[1:]:  # every table's section names its command first
        if "|---" in section.replace(":", ""):
            above = section.split("\n|", 1)[0]
            assert "Reproduce: `" in above or "`make " in above, section[:200]
    # Baseline rows (core/results.BASELINE_MARK): the detector run the details are about, and
    # the IoU-only tracker the others are read against.
    assert f"\n| {run.name} (baseline) | " in body
    assert "\n| IoU only (no motion model) (baseline) | " in body
    assert body.count("(baseline)") == 2
    assert (tmp_path / "docs" / "figures" / "tracks.gif").exists()
    assert "](docs/figures/tracks.gif)" in body


def test_ablate_trains_one_detector_per_seed_and_reuses_finished_runs(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("<!-- results:start -->\n<!-- results:end -->\n")
    argv = ["--config", str(TINY), f"runs_dir={tmp_path}", "--readme", str(readme), *QUIET]
    rows = ablate.main(argv)
    assert [row["seed"] for row in rows] == [0, 1]
    table = (tmp_path / "ablation.csv").read_text().splitlines()
    assert table[0].startswith("variant,seeds,hota_mean,hota_std")
    assert {line.split(",")[0] for line in table[1:]} == {"tracker", "iou_only", "kalman"}
    assert all(line.split(",")[1] == "2" for line in table[1:])
    ablation = readme.read_text().split("### Ablation over seeds 0, 1 (mean ± std)")[1]
    assert "\n| IoU only (no motion model) (baseline) | " in ablation.split("###")[0]
    weights = (tmp_path / "ablate-seed1" / "checkpoints" / "best.pt").stat().st_mtime_ns
    capsys.readouterr()
    rows = ablate.main([*argv, "tracker.max_age=5"])  # a tracker setting: no new training
    assert "trained with these settings already" in capsys.readouterr().out
    assert (tmp_path / "ablate-seed1" / "checkpoints" / "best.pt").stat().st_mtime_ns == weights
    assert rows[1]["metrics"]["tracking_variants"]["iou_only"]["config"]["max_age"] == 5


def test_a_bad_tracker_setting_fails_before_training():
    with pytest.raises(ConfigError, match="tracker.motion"):
        build_task(load_engine_config(TINY, ["tracker.motion=teleport"]))


def test_public_detections_need_data_that_has_them(evaluated):
    with pytest.raises(ConfigError, match="evaluate.detections must be one of detector, public"):
        build_task(load_engine_config(TINY, ["evaluate.detections=mine"]))
    with pytest.raises(ConfigError, match="data.name synthetic has no public detections"):
        build_task(load_engine_config(TINY, ["evaluate.detections=public"]))
    run, _ = evaluated  # the evaluate command's switch, on a synthetic run
    with pytest.raises(ConfigError, match="the test split has no public detections"):
        evaluate.main(["--run", str(run), "--detections", "public"])


def test_the_quick_model_has_the_parameter_count_the_docs_give():
    cfg = load_engine_config(ROOT / "configs" / "quick.yaml")
    model = build_task(cfg).build_model(cfg)
    thousands = round(sum(p.numel() for p in model.parameters()) / 1000)
    for doc in ("README.md", "MODEL_CARD.md", "configs/quick.yaml"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert f"{thousands}k-parameter" in text or f"{thousands}k parameters" in text, doc


def test_full_and_quick_configs_describe_valid_runs():
    for name in ("quick", "full"):
        cfg = load_engine_config(ROOT / "configs" / f"{name}.yaml")
        task = build_task(cfg)
        assert task.build_model(cfg) is not None and cfg["device"] == "auto"
