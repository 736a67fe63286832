"""The segmentation task on tiny fake scans: targets, training, summable evaluation, metrics,
augmentation that keeps the image consistent with the sensor, point predictions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }}.core.errors import ConfigError
from {{ cookiecutter.package_name }}.data.scan import Scan
from {{ cookiecutter.package_name }}.data.sensor import SensorConfig
from {{ cookiecutter.package_name }}.segmentation.task import (
    NUM_CLASSES,
    SegmentationTask,
    confusion_metrics,
    inverse_sqrt_weights,
    predict_points,
)

SENSOR = SensorConfig(beams=16, columns=128, fov_up=2.0, fov_down=-24.8)
ROAD, CAR = 40, 10  # raw SemanticKITTI ids; train ids 9 and 1
CFG = {
    "task": "segmentation",
    "data": {"name": "simulated", "seed": 0},
    "range_image": {"height": 16, "width": 128, "fov_up": 2.0, "fov_down": -24.8},
    "model": {"name": "range_unet", "widths": [8, 16, 16], "strides": [[1, 2], [2, 2]]},
    "augment": {"flip_y": 0.5, "rotate": True},
    "loss": {"class_weights": "none"},
    "knn": {"enabled": True, "k": 5, "window": 5, "cutoff": 1.0},
}


def fake_scans(count: int = 6, seed: int = 0) -> list[Scan]:
    """Scans of a ground plane (road) and one box (a car) seen by SENSOR, ring/column set."""
    rng = np.random.default_rng(seed)
    dirs, ring, column = SENSOR.ray_directions()
    ground = -SENSOR.height
    scans = []
    for _ in range(count):
        centre = np.array([rng.uniform(4, 8), rng.uniform(-3, 3)]) * rng.choice([-1, 1])
        low = np.array([centre[0] - 2.0, centre[1] - 1.0, ground])
        high = np.array([centre[0] + 2.0, centre[1] + 1.0, ground + 1.5])
        with np.errstate(divide="ignore", invalid="ignore"):
            t_ground = np.where(dirs[:, 2] < 0, ground / dirs[:, 2], np.inf)
            t_low, t_high = (low - 0) / dirs, (high - 0) / dirs
        t_in = np.nanmax(np.minimum(t_low, t_high), axis=1)
        t_out = np.nanmin(np.maximum(t_low, t_high), axis=1)
        box_hit = (t_in <= t_out) & (t_out > 0)
        distance = np.where(box_hit, np.maximum(t_in, 0), t_ground)
        keep = np.isfinite(distance) & (distance < 40)
        xyz = dirs[keep] * distance[keep, None]
        semantic = np.where(box_hit[keep], CAR, ROAD).astype(np.uint32)
        intensity = np.where(semantic == CAR, 0.8, 0.3) + rng.normal(0, 0.02, len(xyz))
        points = np.concatenate([xyz, intensity[:, None]], axis=1).astype(np.float32)
        scans.append(Scan(points, labels=semantic, ring=ring[keep], column=column[keep]))
    return scans


@pytest.fixture(scope="module")
def dataset():
    return SegmentationTask(CFG).images(fake_scans())


def test_targets_hold_road_and_car_where_points_are(dataset):
    images, targets, masks = dataset.tensors
    assert images.shape == (6, 5, 16, 128) and targets.shape == masks.shape == (6, 16, 128)
    assert set(targets.unique().tolist()) == {0, 1, 9}
    assert ((targets > 0) == masks).all()  # every filled pixel is labelled, no empty one is
    assert (images[:, :, ~masks[0]][0] == 0).all()
    assert (targets == 1).sum() > 50


def test_loss_falls_when_overfitting_one_batch(dataset):
    torch.manual_seed(0)
    task = SegmentationTask(CFG)
    model = task.build_model(CFG).train()
    batch = dataset[:4]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = task.compute_loss(model, batch).item()
    for _ in range(25):
        optimizer.zero_grad()
        loss = task.compute_loss(model, batch)
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.3 * first, (first, loss.item())


def test_eval_sums_over_two_halves_equal_the_whole(dataset):
    torch.manual_seed(0)
    task = SegmentationTask(CFG)
    model = task.build_model(CFG).eval()
    with torch.no_grad():
        whole = task.eval_batch(model, dataset[:6])
        parts = [task.eval_batch(model, dataset[:3]), task.eval_batch(model, dataset[3:6])]
    for key, value in whole.items():
        torch.testing.assert_close(parts[0][key] + parts[1][key], value)
    confusion = whole["confusion"]
    assert confusion.shape == (NUM_CLASSES, NUM_CLASSES)
    assert confusion[0].sum() == 0 and confusion[:, 0].sum() == 0  # ignore never counted
    assert confusion.sum() == whole["count"] == (dataset.tensors[1] > 0).sum()
    metrics = task.summarize(whole)
    assert 0 <= metrics["miou"] <= 1 and math.isfinite(metrics["loss"])


def test_summarize_on_a_known_confusion():
    confusion = torch.zeros(NUM_CLASSES, NUM_CLASSES, dtype=torch.float64)
    confusion[1, 1], confusion[1, 9] = 3, 1  # car: 3 right, 1 as road
    confusion[9, 9], confusion[9, 13] = 4, 1  # road: 4 right, 1 as building
    confusion[5, 1] = 2  # other-vehicle: both taken for cars
    confusion[0, 3] = 7  # ignored pixels: never counted
    sums = {"confusion": confusion, "loss_sum": torch.tensor(5.5), "count": torch.tensor(11.0)}
    metrics = SegmentationTask(CFG).summarize(sums)
    # IoU car 3 / (4 + 5 - 3), road 4 / (5 + 5 - 4), other-vehicle 0; building (absent from
    # the targets) has no IoU and stays out of the mean
    assert metrics["miou"] == pytest.approx((0.5 + 2 / 3 + 0.0) / 3)
    assert metrics["accuracy"] == pytest.approx(7 / 11)
    assert metrics["loss"] == pytest.approx(0.5)
    iou = metrics["iou_per_class"]
    assert len(iou) == 19 and iou[0] == pytest.approx(0.5) and iou[8] == pytest.approx(2 / 3)
    assert math.isnan(iou[12]) and iou[4] == 0.0
    assert confusion_metrics(confusion)["miou"] == metrics["miou"]


def test_inverse_sqrt_weights():
    targets = torch.tensor([0, 0, 1, 9, 9, 9, 9])
    weights = inverse_sqrt_weights(targets)
    # frequencies 0.2 and 0.8 -> 1/sqrt: 2.236 and 1.118, scaled to mean 1
    assert weights[1] == pytest.approx(4 / 3, rel=1e-5)
    assert weights[9] == pytest.approx(2 / 3, rel=1e-5)
    assert weights[0] == 0 and weights[5] == 1


def test_augment_keeps_points_at_their_columns_azimuth(dataset):
    task = SegmentationTask(CFG)
    torch.manual_seed(3)
    images, targets, masks = task.augment(dataset[:6])
    assert not torch.equal(images, dataset[:6][0])
    means = torch.tensor(task.options["means"])[:, None, None]
    stds = torch.tensor(task.options["stds"])[:, None, None]
    azimuth_of_column = torch.from_numpy(SENSOR.azimuths()).float()
    for image, target, mask in zip(images, targets, masks, strict=True):
        raw = image * stds + means
        azimuth = torch.atan2(raw[2], raw[1])
        gap = torch.remainder(azimuth - azimuth_of_column + math.pi, 2 * math.pi) - math.pi
        assert gap[mask].abs().max() < 1e-3  # x, y moved with their column
        assert ((target > 0) == mask).all()
    # the range channel and the labels travel together, unchanged as sets
    assert torch.equal(targets.sum(), dataset[:6][1].sum())


def test_sparsify_empties_pixels_like_the_projection(dataset):
    images, targets, masks = dataset[:6]
    task = SegmentationTask({**CFG, "augment": {"pixel_dropout": 0.5, "beam_dropout": 1.0}})
    torch.manual_seed(0)
    sparse, sparse_targets, sparse_masks = task.sparsify(images, targets, masks)
    # every other row (a sensor with half the beams) is gone in every item
    assert not sparse_masks[:, 1::2].any() and not sparse[:, :, 1::2].any()
    assert (sparse_targets[:, 1::2] == 0).all()
    # a random share of the other pixels is emptied: image, mask and target together
    lost = masks & ~sparse_masks
    assert lost[:, 0::2].any() and (sparse_masks <= masks).all()
    assert not sparse.permute(1, 0, 2, 3)[:, lost].any() and (sparse_targets[lost] == 0).all()
    kept = sparse_masks
    assert torch.equal(sparse_targets[kept], targets[kept])
    assert torch.equal(sparse.permute(1, 0, 2, 3)[:, kept], images.permute(1, 0, 2, 3)[:, kept])


def test_sparsify_is_off_by_default_and_checks_its_range(dataset):
    batch = dataset[:2]
    assert all(a is b for a, b in zip(SegmentationTask(CFG).sparsify(*batch), batch, strict=True))
    with pytest.raises(ConfigError, match="pixel_dropout must be in"):
        SegmentationTask({**CFG, "augment": {"pixel_dropout": 1.5}})


def test_predict_points_labels_every_point():
    scan = fake_scans(1, seed=5)[0]
    torch.manual_seed(0)
    model = SegmentationTask(CFG).build_model(CFG)
    labels = predict_points(model, scan, CFG)
    plain = predict_points(model, scan, {**CFG, "knn": {"enabled": False}})
    assert labels.shape == plain.shape == (len(scan.points),)
    assert labels.min() >= 1 and labels.max() < NUM_CLASSES
    assert plain.min() >= 1 and plain.max() < NUM_CLASSES
