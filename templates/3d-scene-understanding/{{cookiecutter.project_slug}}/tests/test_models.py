"""The five checks every model gets, for every registered model and both tasks."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from {{ cookiecutter.package_name }}.models import (
    MODELS,
    build_model,
)

NUM_CLASSES, NUM_POINTS = 5, 64
# Small widths keep the suite fast; the defaults are exercised by the quick runs.
SMALL = {
    "pointnet": {"widths": [16, 32, 32], "head_width": 32},
    "pointnet2": {"centres": [16, 8], "k": [8, 4], "widths": [16, 16, 32], "head_width": 16},
    "dgcnn": {"k": 8, "widths": [16, 16, 32], "embedding": 32, "head_width": 32},
    "my_model": {"centres": 16, "k": 8, "width": 16},
}
CASES = [(name, task) for name in MODELS for task in ("classification", "segmentation")]


def make(name: str, task: str, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_model({"name": name, **SMALL.get(name, {})}, NUM_CLASSES, task)


def clouds(batch: int = 4, seed: int = 0) -> torch.Tensor:
    return torch.randn(batch, NUM_POINTS, 3, generator=torch.Generator().manual_seed(seed))


def labels_for(task: str, batch: int = 4) -> torch.Tensor:
    """Random labels per cloud; per point, the Voronoi cell of fixed random sites (a label
    that depends on where the point is, as in real scenes, so every model can fit it)."""
    generator = torch.Generator().manual_seed(1)
    if task == "classification":
        return torch.randint(0, NUM_CLASSES, (batch,), generator=generator)
    sites = torch.randn(NUM_CLASSES, 3, generator=generator)
    return torch.cdist(clouds(batch), sites.expand(batch, -1, -1)).argmin(-1)


def loss_of(model, points, labels):
    return F.cross_entropy(model(points).reshape(-1, NUM_CLASSES), labels.reshape(-1))


@pytest.mark.parametrize(("name", "task"), CASES)
def test_output_shapes(name, task):
    model = make(name, task).eval()
    for batch, points in ((1, NUM_POINTS), (3, NUM_POINTS), (2, 48)):
        out = model(torch.randn(batch, points, 3))
        expected = (
            (batch, NUM_CLASSES) if task == "classification" else (batch, points, NUM_CLASSES)
        )
        assert out.shape == expected
        assert torch.isfinite(out).all()


@pytest.mark.parametrize(("name", "task"), CASES)
def test_every_parameter_gets_a_gradient(name, task):
    model = make(name, task).train()
    loss_of(model, clouds(), labels_for(task)).backward()
    missing = [
        n for n, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0
    ]
    assert not missing, f"parameters without gradient: {missing}"


@pytest.mark.parametrize(("name", "task"), CASES)
def test_one_batch_overfits(name, task):
    model = make(name, task).train()
    points, labels = clouds(), labels_for(task)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = loss_of(model, points, labels).item()
    for _ in range(80):
        optimizer.zero_grad()
        loss = loss_of(model, points, labels)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(points).argmax(-1) == labels).float().mean().item()
    assert loss.item() < 0.25 * first
    assert accuracy >= 0.9


@pytest.mark.parametrize(("name", "task"), CASES)
def test_reloaded_checkpoint_reproduces_outputs_exactly(name, task, tmp_path):
    model = make(name, task).train()
    loss_of(model, clouds(), labels_for(task)).backward()  # move BatchNorm statistics
    model.eval()
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    reloaded = make(name, task, seed=123)  # different initial weights
    reloaded.load_state_dict(torch.load(path, weights_only=True))
    reloaded.eval()
    points = clouds(seed=7)
    with torch.no_grad():
        assert torch.equal(model(points), reloaded(points))


@pytest.mark.parametrize(("name", "task"), CASES)
def test_same_seed_same_result(name, task):
    def train_a_little(seed: int) -> torch.Tensor:
        model = make(name, task, seed=seed).train()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(3):
            optimizer.zero_grad()
            loss_of(model, clouds(), labels_for(task)).backward()
            optimizer.step()
        with torch.no_grad():
            return model.eval()(clouds(seed=3))

    assert torch.equal(train_a_little(0), train_a_little(0))
    assert not torch.equal(train_a_little(0), train_a_little(1))


@pytest.mark.parametrize("name", ["pointnet", "dgcnn"])
def test_order_of_points_does_not_matter(name):
    points = clouds()
    order = torch.randperm(NUM_POINTS, generator=torch.Generator().manual_seed(0))
    cls = make(name, "classification").eval()
    seg = make(name, "segmentation").eval()
    with torch.no_grad():
        torch.testing.assert_close(cls(points[:, order]), cls(points), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(
            seg(points[:, order]), seg(points)[:, order], rtol=1e-4, atol=1e-5
        )


def test_unknown_model_names_the_registered_ones():
    with pytest.raises(KeyError, match="pointnet"):
        build_model({"name": "pointnet3"}, NUM_CLASSES, "classification")
