"""Label -1 (ScanNet's unannotated and non-benchmark points) is ignored by loss and metrics."""

from __future__ import annotations

import json
import math

import pytest
import torch
from test_pipeline import SEGMENTATION, TINY
from test_readers import make_scannet_root

from {{ cookiecutter.package_name }} import (
    evaluate,
    train,
)
from {{ cookiecutter.package_name }}.core.metrics import (
    classification_metrics,
    confusion_matrix,
)
from {{ cookiecutter.package_name }}.data import (
    scannet,
)
from {{ cookiecutter.package_name }}.data.base import IGNORE_INDEX
from {{ cookiecutter.package_name }}.engine.evaluation import load_run
from {{ cookiecutter.package_name }}.tasks import (
    build_task,
)

SCANNET_SEGMENTATION = [*SEGMENTATION, "data.name=scannet", "augment.rotation=z"]


def test_ignore_index_is_the_one_scannet_writes():
    assert IGNORE_INDEX == scannet.IGNORE_INDEX == -1


def test_confusion_skips_ignored_items_by_hand():
    labels = torch.tensor([0, 0, -1, 1, -1, 1])
    predictions = torch.tensor([0, 1, 1, 1, 0, 1])
    assert confusion_matrix(predictions, labels, 2).tolist() == [[1, 1], [0, 2]]
    scores = classification_metrics(confusion_matrix(predictions, labels, 2))
    assert scores["accuracy"] == pytest.approx(3 / 4)
    assert scores["miou"] == pytest.approx((1 / 2 + 2 / 3) / 2)


def test_loss_and_eval_sums_skip_ignored_points():
    task = build_task({"task": "segmentation", "data": {"synthetic": {"classes": ["sphere"]}}})
    model = torch.nn.Linear(3, task.num_classes)
    points = torch.randn(2, 5, 3)
    labels = torch.tensor([[0, -1, 1, -1, 0], [1, 1, -1, 0, -1]])
    labelled = labels >= 0
    logits = model(points)
    expected = torch.nn.functional.cross_entropy(logits[labelled], labels[labelled])
    torch.testing.assert_close(task.compute_loss(model, (points, labels)), expected)
    sums = task.eval_batch(model, (points, labels))
    assert sums["count"].item() == labelled.sum().item() and int(sums["confusion"].sum()) == 6
    # A batch with no labelled point gives a zero loss and zero gradients, not NaN.
    loss = task.compute_loss(model, (points, torch.full_like(labels, IGNORE_INDEX)))
    loss.backward()
    assert loss.item() == 0 and all(torch.isfinite(p.grad).all() for p in model.parameters())


@pytest.fixture(scope="module")
def scannet_run(tmp_path_factory):
    """Train and evaluate the tiny segmentation config on ScanNet-format scans with -1 labels."""
    root = make_scannet_root(tmp_path_factory.mktemp("data") / "scannet")
    runs = tmp_path_factory.mktemp("runs")
    args = [*SCANNET_SEGMENTATION, f"data.root={root}", f"runs_dir={runs}", "run_name=scannet"]
    train.main(["--config", TINY, *args])
    evaluate.main(["--run", str(runs / "scannet"), "--figures", "1"])
    return runs / "scannet"


def test_training_and_evaluation_ignore_the_unlabelled_points(scannet_run):
    assert math.isfinite(json.loads((scannet_run / "metrics.json").read_text())["loss"])
    metrics = json.loads((scannet_run / "test_metrics.json").read_text())
    run = load_run(scannet_run, build_task)
    task = run.task
    points, labels = run.dataset("test").tensors
    assert (labels == IGNORE_INDEX).any() and (labels >= 0).any()
    with torch.no_grad():
        predictions = run.model(points).argmax(-1)
    labelled = labels >= 0
    direct = classification_metrics(
        confusion_matrix(predictions[labelled], labels[labelled], task.num_classes)
    )
    for key in ("accuracy", "mean_class_accuracy", "miou"):
        assert metrics[key] == pytest.approx(direct[key]), key
    assert sum(row["support"] for row in metrics["per_class"].values()) == labelled.sum()
    # Known answer: whatever is predicted on ignored points, the scores do not move.
    for guess in range(task.num_classes):
        changed = torch.where(labelled, predictions, guess)
        scores = classification_metrics(confusion_matrix(changed, labels, task.num_classes))
        assert scores["miou"] == pytest.approx(direct["miou"])
    clean = next(row for row in metrics["robustness"] if row["perturbation"] == "clean")
    assert clean["miou"] == pytest.approx(direct["miou"])
    assert (scannet_run / "figures" / "test_predictions.png").stat().st_size > 1000
