"""End to end on the tiny config: train, evaluate, export, report; plus the task's pieces."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }} import (
    evaluate,
    export,
    report,
    train,
)
from {{ cookiecutter.package_name }}.engine.checkpoint import (
    load_model_for_eval,
)
from {{ cookiecutter.package_name }}.engine.config import (
    load_config,
)
from {{ cookiecutter.package_name }}.evaluate import (
    PERTURBATIONS,
    axis_angle,
    perturb,
)
from {{ cookiecutter.package_name }}.tasks import (
    build_task,
    random_rotation,
)

TINY = str(Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml")
SEGMENTATION = [
    "task=segmentation",
    "model.name=pointnet2",
    "+model.centres=[16,8]",
    "+model.k=[8,4]",
    "+model.point_input=height",
    "+data.synthetic.classes=[sphere,cube]",
    "+data.synthetic.objects_per_scene=2",
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Train the tiny config for both tasks once; every test below reads these runs."""
    root = tmp_path_factory.mktemp("runs")
    for name, extra in (("cls", []), ("seg", SEGMENTATION)):
        train.main(["--config", TINY, f"runs_dir={root}", f"run_name={name}", *extra])
        evaluate.main(["--run", str(root / name), "--robustness-samples", "8", "--figures", "2"])
    return root


@pytest.mark.parametrize("name", ["cls", "seg"])
def test_train_then_evaluate_writes_consistent_metrics(runs, name):
    metrics = json.loads((runs / name / "metrics.json").read_text())
    for key in (
        "overall_accuracy",
        "mean_class_accuracy",
        "miou",
        "val_overall_accuracy",
        "best_epoch",
        "train_seconds",
        "num_parameters",
        "latency",
        "per_class",
    ):
        assert key in metrics, key
    assert all(0 <= metrics[k] <= 1 for k in ("overall_accuracy", "mean_class_accuracy", "miou"))
    ious = [row["iou"] for row in metrics["per_class"].values() if row["iou"] is not None]
    assert metrics["miou"] == pytest.approx(sum(ious) / len(ious))
    # One clean row plus every perturbation at every strength.
    assert len(metrics["robustness"]) == 1 + sum(len(s) for s in PERTURBATIONS.values())
    assert metrics["latency"]["batch_1_ms"] > 0
    assert (runs / name / "figures" / "confusion_matrix.png").stat().st_size > 1000
    assert (runs / name / "figures" / "predictions.png").stat().st_size > 1000
    assert metrics["task"] == ("classification" if name == "cls" else "segmentation")


def test_evaluate_scores_the_best_checkpoint_on_the_test_split(runs):
    """The metrics equal a direct computation with the reloaded model."""

    task, model, cfg = load_model_for_eval(runs / "cls", build_task)
    points, labels = task.load(cfg, "test").tensors
    with torch.no_grad():
        accuracy = (model(points).argmax(-1) == labels).double().mean().item()
    metrics = json.loads((runs / "cls" / "metrics.json").read_text())
    assert metrics["overall_accuracy"] == pytest.approx(accuracy)


@pytest.mark.parametrize("name", ["cls", "seg"])
def test_onnx_export_matches_pytorch(runs, name):
    result = export.main(["--run", str(runs / name), "--batch-size", "4"])
    assert result["parity_ok"] and result["max_abs_diff"] < 1e-4
    assert result["prediction_agreement"] == 1.0
    assert [row["batch_size"] for row in result["latency"]] == [1, 4]


def test_report_writes_between_the_markers_only(runs, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- results:start -->\nold\n<!-- results:end -->\noutro\n")
    body = report.main(
        [
            "--runs",
            str(runs),
            "--readme",
            str(readme),
            "--figures",
            str(tmp_path / "figs"),
            "--command",
            "make smoke",
        ]
    )
    text = readme.read_text()
    assert text.startswith("intro\n<!-- results:start -->\n") and text.endswith(
        "<!-- results:end -->\noutro\n"
    )
    assert "old" not in text and "`make smoke`" in body
    assert (
        "| cls | classification | pointnet |" in text
        and "| seg | segmentation | pointnet2 |" in text
    )
    assert (tmp_path / "figs" / "seg" / "predictions.png").exists()


def test_report_aggregates_seeds(tmp_path):
    for seed, oa in ((0, 0.8), (1, 0.9)):
        folder = tmp_path / f"quick-cls-seed{seed}"
        folder.mkdir()
        metrics = {
            "evaluated_split": "test",
            "task": "classification",
            "model": "pointnet",
            "dataset": "synthetic",
            "num_points": 8,
            "overall_accuracy": oa,
            "mean_class_accuracy": oa,
            "miou": oa,
            "latency": {"batch_1_ms": 1.0, "device": "cpu"},
        }
        (folder / "metrics.json").write_text(json.dumps(metrics))
    body = report.render(report.load_runs(tmp_path), "make seeds", tmp_path / "f", tmp_path)
    assert "| quick-cls-seed* | 2 | 0.850 ± 0.071 |" in body


def test_perturbations_keep_labels_aligned_and_geometry_right():
    generator = torch.Generator().manual_seed(0)
    points = torch.randn(3, 100, 3)
    labels = (points[..., 0] > 0).long()  # a label we can recompute from each point
    kept_points, kept_labels = perturb(points, labels, "point_dropout", 0.5, generator)
    assert kept_points.shape == (3, 50, 3)
    assert torch.equal(kept_labels, (kept_points[..., 0] > 0).long())
    rotated, _ = perturb(points, labels, "rotation", 90.0, generator)
    torch.testing.assert_close(rotated.norm(dim=-1), points.norm(dim=-1))
    scaled, _ = perturb(points, labels, "scaling", 2.0, generator)
    assert torch.equal(scaled, points * 2)
    quarter_turn = axis_angle(torch.tensor([[0.0, 0.0, 1.0]]), math.pi / 2)
    torch.testing.assert_close(
        quarter_turn[0] @ torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0])
    )


def test_augmentation_rotates_rigidly_and_keeps_labels():
    cfg = load_config(TINY)
    task = build_task(cfg)
    points, labels = torch.randn(4, 64, 3), torch.arange(4)
    task.scale = (1.0, 1.0)
    augmented, same_labels = task.augment((points, labels))
    assert torch.equal(same_labels, labels)
    torch.testing.assert_close(augmented.norm(dim=-1), points.norm(dim=-1))
    for kind in ("so3", "z"):
        rotation = random_rotation(16, kind)
        torch.testing.assert_close(
            rotation @ rotation.transpose(1, 2), torch.eye(3).expand(16, 3, 3), atol=1e-5, rtol=0
        )
        torch.testing.assert_close(torch.linalg.det(rotation), torch.ones(16))
