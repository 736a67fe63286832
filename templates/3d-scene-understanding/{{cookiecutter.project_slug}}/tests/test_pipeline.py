"""End to end on the tiny config: train, evaluate, export, report; plus the task's pieces."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }} import (
    evaluate,
    export,
    report,
    train,
)
from {{ cookiecutter.package_name }}.core.config import write_yaml
from {{ cookiecutter.package_name }}.core.errors import DataError
from {{ cookiecutter.package_name }}.core.results import write_command, write_json
from {{ cookiecutter.package_name }}.engine.config import load_engine_config
from {{ cookiecutter.package_name }}.engine.evaluation import load_run
from {{ cookiecutter.package_name }}.evaluate import PERTURBATIONS, perturb
from {{ cookiecutter.package_name }}.rotations import about_axis
from {{ cookiecutter.package_name }}.tasks import build_task

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
    """Train the tiny config for both tasks once; every test below reads these runs. Keeps
    each run's metrics.json as training wrote it, to check that nothing rewrites it."""
    root = tmp_path_factory.mktemp("runs")
    trained = {}
    for name, extra in (("cls", []), ("seg", SEGMENTATION)):
        train.main(["--config", TINY, f"runs_dir={root}", f"run_name={name}", *extra])
        trained[name] = (root / name / "metrics.json").read_bytes()
        evaluate.main(["--run", str(root / name), "--figures", "2"])
    return root, trained


@pytest.mark.parametrize("name", ["cls", "seg"])
def test_train_then_evaluate_writes_consistent_metrics(runs, name):
    root, trained = runs
    assert (root / name / "metrics.json").read_bytes() == trained[name]  # never rewritten
    validation = json.loads(trained[name])
    for key in ("accuracy", "mean_class_accuracy", "miou", "loss", "best_epoch", "num_parameters"):
        assert key in validation, key
    metrics = json.loads((root / name / "test_metrics.json").read_text())
    assert metrics["split"] == "test" and metrics["checkpoint"] == "best.pt"
    for key in ("accuracy", "mean_class_accuracy", "miou", "latency", "per_class"):
        assert key in metrics, key
    assert all(0 <= metrics[k] <= 1 for k in ("accuracy", "mean_class_accuracy", "miou"))
    ious = [row["iou"] for row in metrics["per_class"].values() if row["iou"] is not None]
    assert metrics["miou"] == pytest.approx(sum(ious) / len(ious))
    # One clean row plus every perturbation at every strength.
    assert len(metrics["robustness"]) == 1 + sum(len(p.strengths) for p in PERTURBATIONS.values())
    assert metrics["latency"]["batch_1_ms"] > 0 and metrics["latency"]["threads"] == 1
    assert (root / name / "figures" / "test_confusion_matrix.png").stat().st_size > 1000
    assert (root / name / "figures" / "test_predictions.png").stat().st_size > 1000
    assert metrics["task"] == ("classification" if name == "cls" else "segmentation")


def test_evaluate_scores_the_best_checkpoint_on_the_test_split(runs):
    """The metrics equal a direct computation with the reloaded model."""
    root, _ = runs
    run = load_run(root / "cls", build_task)
    points, labels = run.dataset("test").tensors
    with torch.no_grad():
        correct = run.model(points).argmax(-1) == labels
    metrics = json.loads((root / "cls" / "test_metrics.json").read_text())
    assert metrics["accuracy"] == pytest.approx(correct.double().mean().item())


@pytest.mark.parametrize("name", ["cls", "seg"])
def test_clean_robustness_row_is_the_headline_and_every_row_names_axis_and_unit(runs, name):
    """The clean row scores the same points with the same model as the headline: equal, not
    close; every perturbation says about which axis and in which unit its strength is."""
    root, _ = runs
    metrics = json.loads((root / name / "test_metrics.json").read_text())
    (clean,) = (row for row in metrics["robustness"] if row["perturbation"] == "clean")
    for key in ("accuracy", "mean_class_accuracy", "miou"):
        assert clean[key] == metrics[key], key
    for row in metrics["robustness"]:
        if row["perturbation"] != "clean":
            assert row["axis"] and row["unit"], row
    rotations = {row["axis"] for row in metrics["robustness"] if "rotation" in row["perturbation"]}
    assert rotations == {"z (vertical)", "x (horizontal)"}
    table = (root / name / "test_robustness.md").read_text()
    assert "| perturbation | axis | strength | unit |" in table and "degrees" in table


def test_evaluate_has_the_projects_flags_in_its_help(capsys):
    with pytest.raises(SystemExit):
        evaluate.main(["--help"])
    shown = capsys.readouterr().out
    assert f"python -m {evaluate.__package__}.evaluate" in shown
    assert "--no-robustness" in shown and "--split" in shown


@pytest.mark.parametrize("name", ["cls", "seg"])
def test_onnx_export_matches_pytorch(runs, name):
    root, trained = runs
    result = export.main(["--run", str(root / name), "--batch-size", "4"])
    assert result["parity_ok"] and result["max_abs_diff"] < 1e-4
    assert result["prediction_agreement"] == 1.0
    assert [row["batch_size"] for row in result["latency"]] == [1, 4]
    assert json.loads((root / name / "export.json").read_text()) == result
    assert (root / name / "metrics.json").read_bytes() == trained[name]


def test_report_writes_between_the_markers_only(runs, tmp_path):
    root, _ = runs
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- results:start -->\nold\n<!-- results:end -->\noutro\n")
    body = report.main(["--runs", str(root), "--readme", str(readme), "--command", "make smoke"])
    text = readme.read_text()
    assert text.startswith("intro\n<!-- results:start -->\n") and text.endswith(
        "<!-- results:end -->\noutro\n"
    )
    assert "old" not in text and "`make smoke`" in body
    assert "| cls | classification | pointnet |" in text
    assert "| seg | segmentation | pointnet2 |" in text
    # Every row carries the command that trained it.
    assert (
        f"`python -m {train.__package__}.train --config {TINY} runs_dir={root} run_name=cls`"
        in text
    )
    figure = tmp_path / "docs" / "figures" / "seg-test_predictions.png"
    assert figure.stat().st_size > 1000 and "](docs/figures/seg-test_predictions.png)" in text
    # Each per-class and robustness table has the command that made it right above it (the
    # checker's RES004 reads a command written above a table, or a command column).
    for name in ("cls", "seg"):
        evaluated = f"`python -m {evaluate.__package__}.evaluate --run {(root / name).as_posix()}`"
        for title in ("Per class", "Robustness"):
            above = f"{title} (test split; {evaluated}):\n\n| "
            assert above in text, (title, name)


def test_readme_says_what_every_robustness_row_means():
    """The README's table of robustness rows names every perturbation the study runs, with
    its axis and what its strength means."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name, perturbation in {"clean": None, **PERTURBATIONS}.items():
        (row,) = [line for line in readme.splitlines() if line.startswith(f"| `{name}` |")]
        if perturbation is not None:
            assert f"| {perturbation.axis} |" in row, row


def fake_evaluated_run(root: Path, name: str, seed: int, oa: float) -> None:
    folder = root / name
    folder.mkdir()
    write_yaml(
        {"run_name": name, "seed": seed, "model": {"name": "pointnet"}}, folder / "config.yaml"
    )
    write_json(
        {"accuracy": oa, "num_parameters": 10, "train_seconds": 1.0}, folder / "metrics.json"
    )
    test = {"task": "classification", "model": "pointnet", "dataset": "synthetic"}
    test.update(num_points=8, accuracy=oa, mean_class_accuracy=oa, miou=oa, split="test")
    test["latency"] = {"batch_1_ms": 1.0, "device": "cpu"}
    write_json(test, folder / "test_metrics.json")
    write_command(folder, "pkg.train", ["--config", "configs/quick.yaml", f"seed={seed}"])


def test_report_aggregates_seeds_once_per_seed(tmp_path):
    fake_evaluated_run(tmp_path, "quick-cls", 0, 0.8)
    fake_evaluated_run(tmp_path, "quick-cls-seed0", 0, 0.8)  # the same seed again: not a new one
    fake_evaluated_run(tmp_path, "quick-cls-seed1", 1, 0.9)
    body = report.render(report.evaluated_runs(tmp_path), "make seeds", tmp_path)
    assert "| quick-cls | 0, 1 | 0.850 ± 0.071 | 0.850 ± 0.071 | 0.850 ± 0.071 |" in body
    assert "`python -m pkg.train --config configs/quick.yaml seed=1`" in body
    # The smoke classifier is the baseline row (core/results.BASELINE_MARK, read by RES006).
    assert "\n| quick-cls (baseline) | " in body and body.count("(baseline)") == 1


def test_perturbations_keep_labels_aligned_and_geometry_right():
    generator = torch.Generator().manual_seed(0)
    points = torch.randn(3, 100, 3)
    labels = (points[..., 0] > 0).long()  # a label we can recompute from each point
    kept_points, kept_labels = perturb(points, labels, "point_dropout", 0.5, generator)
    assert kept_points.shape == (3, 50, 3)
    assert torch.equal(kept_labels, (kept_points[..., 0] > 0).long())
    rotated, _ = perturb(points, labels, "rotation_z", 90.0, generator)
    torch.testing.assert_close(rotated.norm(dim=-1), points.norm(dim=-1))
    # A quarter turn about z: (x, y, z) -> (-y, x, z), heights unchanged.
    torch.testing.assert_close(
        rotated, torch.stack([-points[..., 1], points[..., 0], points[..., 2]], -1)
    )
    tilted, _ = perturb(points, labels, "rotation_x", 90.0, generator)
    torch.testing.assert_close(
        tilted, torch.stack([points[..., 0], -points[..., 2], points[..., 1]], -1)
    )
    scaled, _ = perturb(points, labels, "scaling", 2.0, generator)
    assert torch.equal(scaled, points * 2)
    quarter_turn = about_axis(torch.tensor([[0.0, 0.0, 1.0]]), math.pi / 2)
    torch.testing.assert_close(
        quarter_turn[0] @ torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0])
    )


def test_augmentation_rotates_rigidly_and_keeps_labels():
    cfg = load_engine_config(TINY)
    task = build_task(cfg)
    points, labels = torch.randn(4, 64, 3), torch.arange(4)
    task.scale = (1.0, 1.0)
    augmented, same_labels = task.augment((points, labels))
    assert torch.equal(same_labels, labels)
    torch.testing.assert_close(augmented.norm(dim=-1), points.norm(dim=-1))
    assert not torch.allclose(augmented, points)  # it did rotate


def write_s3dis_room(room: Path, objects: dict[str, float], count: int = 150) -> None:
    """A 2 m x 1 m S3DIS room: each object a horizontal slab at its height (x y z r g b)."""
    rng = np.random.default_rng(len(str(room)))
    (room / "Annotations").mkdir(parents=True)
    for name, height in objects.items():
        xy = rng.uniform([0, 0], [2, 1], (count, 2))
        rows = [f"{x:.3f} {y:.3f} {height:.3f} 100 110 120" for x, y in xy]
        (room / "Annotations" / f"{name}.txt").write_text("\n".join(rows) + "\n")


def test_a_corrupt_test_file_stops_training_before_the_first_epoch(tmp_path):
    """Training reads only train and val rooms; a broken test room must still stop it at the
    start, in one line naming file and line, not after training at evaluation."""
    root = tmp_path / "Stanford3dDataset_v1.2_Aligned_Version"
    objects = {"ceiling_1": 2.8, "floor_1": 0.0, "chair_1": 0.5}
    for room in ("Area_1/office_1", "Area_1/office_2", "Area_5/office_1"):
        write_s3dis_room(root / room, objects)
    broken = root / "Area_5" / "office_1" / "Annotations" / "chair_1.txt"
    with broken.open("a") as file:
        file.write("1.0 0.5 0.4 100 oops 120\n")  # line 151
    args = ["--config", TINY, f"runs_dir={tmp_path / 'runs'}", "run_name=s3dis"]
    args += ["task=segmentation", "data.name=s3dis", f"data.root={root}", "data.num_points=64"]
    with pytest.raises(DataError) as error:
        train.main(args)
    assert str(error.value).startswith(f"{broken}:151: "), error.value
    assert not list((tmp_path / "runs").rglob("*.pt"))  # no epoch ran
    command = [sys.executable, "-m", f"{train.__package__}.train", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and f"{broken}:151: " in result.stderr, result.stderr
