"""The five checks every model gets, for every registered model: output shapes, a gradient
for every parameter, overfitting one batch, an exact reload, the same seed the same model.

Detection models take points [B, P, 5] and return the head's maps; segmentation models take
range images [B, 5, H, W] and return per-pixel logits."""

from __future__ import annotations

import io

import pytest
import torch

from {{ cookiecutter.package_name }}.bev.grid import BevGrid
from {{ cookiecutter.package_name }}.bev.targets import center_targets
from {{ cookiecutter.package_name }}.detection.losses import detection_losses
from {{ cookiecutter.package_name }}.models import MODELS

GRID = BevGrid(x_range=(0.0, 16.0), y_range=(-8.0, 8.0), cell=0.5, stride=2)
NUM_CLASSES = 4
SEG_CLASSES = 20
SEGMENTATION_MODELS = {"range_unet"}
SMALL = {
    "pillar_centerpoint": {"pillar_channels": 8, "widths": [8, 16, 16], "blocks": [0, 1, 1],
                           "neck_width": 8, "head_width": 8},
    "my_model": {"pillar_channels": 8, "widths": [8, 16, 16], "blocks": [0, 1, 1],
                 "neck_width": 8, "head_width": 8},
    "range_unet": {"widths": [8, 16, 16]},
}  # fmt: skip
NAMES = sorted(MODELS.names())


def make(name: str, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    options = {"name": name, **SMALL.get(name, {})}
    if name in SEGMENTATION_MODELS:
        return MODELS.build(options, num_classes=SEG_CLASSES)
    return MODELS.build(options, num_classes=NUM_CLASSES, grid=GRID)


def inputs(name: str, batch: int = 2):
    generator = torch.Generator().manual_seed(0)
    if name in SEGMENTATION_MODELS:
        return torch.randn(batch, 5, 16, 64, generator=generator)
    points = torch.rand(batch, 512, 5, generator=generator)
    points = points * torch.tensor([16.0, 16.0, 2.0, 1.0, 0.0]) + torch.tensor([0, -8, 0, 0, 1.0])
    return points


def targets(name: str, batch: int = 2):
    if name in SEGMENTATION_MODELS:
        return torch.randint(
            1, SEG_CLASSES, (batch, 16, 64), generator=torch.Generator().manual_seed(1)
        )
    boxes = torch.full((batch, 3, 8), -1.0)
    boxes[:, 0] = torch.tensor([0, 6.0, 1.0, 0.8, 4.0, 1.8, 1.5, 0.3])
    boxes[:, 1] = torch.tensor([2, 10.0, -3.0, 0.9, 0.7, 0.6, 1.7, -1.0])
    return boxes


def loss_of(name, model, x, y):
    out = model(x)
    if name in SEGMENTATION_MODELS:
        return torch.nn.functional.cross_entropy(out, y, ignore_index=0)
    return sum(detection_losses(out, center_targets(y, NUM_CLASSES, GRID)).values())


def flat(out) -> torch.Tensor:
    if isinstance(out, dict):
        return torch.cat([v.flatten() for _, v in sorted(out.items())])
    return out.flatten()


def test_every_model_file_registers_its_model():
    assert {"pillar_centerpoint", "my_model", "range_unet"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_output_shapes(name):
    model = make(name).eval()
    out = model(inputs(name, 3))
    if name in SEGMENTATION_MODELS:
        assert out.shape == (3, SEG_CLASSES, 16, 64)
    else:
        rows, cols = GRID.output_shape
        assert out["heatmap"].shape == (3, NUM_CLASSES, rows, cols)
        assert out["regression"].shape == (3, 8, rows, cols)
        assert out["direction"].shape == (3, 1, rows, cols)
    assert torch.isfinite(flat(out)).all()


@pytest.mark.parametrize("name", NAMES)
def test_every_parameter_gets_a_gradient(name):
    model = make(name).train()
    loss_of(name, model, inputs(name), targets(name)).backward()
    missing = [
        n for n, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0
    ]
    assert not missing, missing


@pytest.mark.parametrize("name", NAMES)
def test_overfits_one_batch(name):
    model = make(name).train()
    x, y = inputs(name), targets(name)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = float(loss_of(name, model, x, y).detach())
    for _ in range(40):
        optimizer.zero_grad()
        loss = loss_of(name, model, x, y)
        loss.backward()
        optimizer.step()
    last = float(loss.detach())
    assert last < 0.3 * first, (first, last)


@pytest.mark.parametrize("name", NAMES)
def test_reload_is_exact(name):
    model = make(name).eval()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    again = make(name, seed=1).eval()
    again.load_state_dict(torch.load(buffer))
    x = inputs(name)
    assert torch.equal(flat(model(x)), flat(again(x)))


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_model_other_seed_other_model(name):
    x = inputs(name)
    a, b, c = (make(name, seed).eval() for seed in (0, 0, 1))
    assert torch.equal(flat(a(x)), flat(b(x)))
    assert not torch.equal(flat(a(x)), flat(c(x)))
