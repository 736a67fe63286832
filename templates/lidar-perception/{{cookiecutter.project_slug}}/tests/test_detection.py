"""The detector's pieces against hand-computed cases: the ground fit, targets and decoding,
validation AP from score histograms, distance matching, and augmentation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from {{ cookiecutter.package_name }}.bev.decode import decode
from {{ cookiecutter.package_name }}.bev.grid import BevGrid
from {{ cookiecutter.package_name }}.bev.ground import fit_ground_plane, height_above
from {{ cookiecutter.package_name }}.bev.targets import center_targets, gaussian_radius, heading_parts
from {{ cookiecutter.package_name }}.core.errors import ConfigError
from {{ cookiecutter.package_name }}.detection.task import histogram_ap, match_by_distance

GRID = BevGrid(x_range=(0.0, 32.0), y_range=(-16.0, 16.0), cell=0.5, stride=2)
BOXES = torch.tensor(
    [
        [
            [0, 10.3, 2.7, 0.83, 4.0, 1.8, 1.5, 0.4],
            [2, 20.1, -5.2, 0.9, 0.7, 0.6, 1.7, -2.5],
            [-1, 0, 0, 0, 0, 0, 0, 0],
        ]
    ]  # fmt: skip
)


def test_ground_plane_is_recovered_under_clutter():
    rng = np.random.default_rng(0)
    xy = rng.uniform(-30, 30, (4000, 2))
    slope = math.tan(math.radians(2.0))
    ground = np.c_[xy, slope * xy[:, 0] - 1.73]
    walls = np.c_[
        rng.uniform(5, 6, (800, 1)), rng.uniform(-5, 5, (800, 1)), rng.uniform(-1.5, 2, (800, 1))
    ]
    plane = fit_ground_plane(np.r_[ground, walls])
    assert plane[0] == pytest.approx(slope, abs=2e-3)
    assert plane[1] == pytest.approx(0.0, abs=2e-3)
    assert plane[2] == pytest.approx(-1.73, abs=0.02)
    assert np.abs(height_above(ground, plane)).max() < 0.05


def test_ground_plane_all_around_the_sensor_tilted_both_ways():
    """Columns on every side of the sensor (negative x and y too), a box on the road."""
    rng = np.random.default_rng(1)
    xy = rng.uniform(-40, 40, size=(20000, 2))
    ground = np.c_[xy, 0.02 * xy[:, 0] - 0.03 * xy[:, 1] - 1.7, np.zeros(len(xy))]
    box = np.c_[rng.uniform(5, 9, (500, 2)), rng.uniform(-1.5, 0.0, 500), np.zeros(500)]
    plane = fit_ground_plane(np.r_[ground, box])
    assert plane == pytest.approx([0.02, -0.03, -1.7], abs=1e-6)


def test_decoding_the_targets_gives_back_the_boxes():
    targets = center_targets(BOXES, 4, GRID)
    rows, cols = GRID.output_shape
    regression = torch.zeros(1, 8, rows * cols)
    direction = torch.zeros(1, 1, rows * cols)
    for slot in range(2):
        regression[0, :, targets.index[0, slot]] = targets.regression[0, slot]
        direction[0, 0, targets.index[0, slot]] = 10.0 if targets.direction[0, slot] else -10.0
    outputs = {
        "heatmap": torch.logit(targets.heatmap.clamp(1e-4, 1 - 1e-4)),
        "regression": regression.view(1, 8, rows, cols),
        "direction": direction.view(1, 1, rows, cols),
    }
    found = decode(outputs, GRID, max_detections=2)
    order = torch.argsort(found["labels"][0])  # both peaks score the same
    assert found["labels"][0][order].tolist() == [0, 2]
    assert torch.allclose(found["boxes"][0][order], BOXES[0, :2, 1:], atol=1e-4)


def test_targets_peak_once_per_object_and_ignore_padding():
    targets = center_targets(BOXES, 4, GRID)
    assert targets.mask[0].tolist() == [True, True, False]
    assert int((targets.heatmap == 1).sum()) == 2
    assert targets.heatmap[0, 1].max() == 0  # no object of class 1
    # the car's centre cell: x 10.3 m -> row 10 (1 m cells), y 2.7 + 16 m -> column 18
    assert int(targets.index[0, 0]) == 10 * GRID.output_shape[1] + 18


def test_gaussian_radius_grows_with_the_box():
    small, large = gaussian_radius(torch.tensor([2.0, 8.0]), torch.tensor([2.0, 8.0]))
    assert 0 < small < large


@pytest.mark.parametrize("yaw", [0.3, 0.3 + math.pi, -2.0, 2.9])
def test_heading_parts_tell_the_two_halves_apart(yaw):
    sin2, cos2, direction = heading_parts(torch.tensor(yaw))
    decoded = math.atan2(float(sin2), float(cos2)) / 2 + (0.0 if direction else math.pi)
    assert math.cos(decoded - yaw) == pytest.approx(1.0, abs=1e-5)


def test_histogram_ap_known_answer():
    # Scores 0.9 (TP), 0.8 (FP), 0.7 (TP), 2 objects: precision 1 at recall 0.5, 2/3 at 1.
    tp, fp = torch.zeros(1, 10, dtype=torch.float64), torch.zeros(1, 10, dtype=torch.float64)
    tp[0, 9] = tp[0, 7] = 1
    fp[0, 8] = 1
    ap = histogram_ap(tp, fp, torch.tensor([2.0], dtype=torch.float64))
    assert float(ap[0]) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)


def test_distance_matching_is_greedy_by_score():
    centres = torch.tensor([[0.0, 0.0], [0.2, 0.0], [5.0, 5.0]])
    scores = torch.tensor([0.5, 0.9, 0.8])
    hits = match_by_distance(centres, scores, torch.tensor([[0.1, 0.0]]), 1.0)
    assert hits.tolist() == [0.0, 1.0, 0.0]


def test_grid_must_divide_into_cells():
    with pytest.raises(ConfigError, match="whole number of cells"):
        BevGrid.from_config({"x_range": [0, 10.1], "cell": 0.5})
    with pytest.raises(ConfigError, match="not a grid option"):
        BevGrid.from_config({"size": 3})
