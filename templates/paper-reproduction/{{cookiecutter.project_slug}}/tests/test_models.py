"""The five tests every registered model passes: output shape, a gradient for every parameter,
one batch overfit, a reloaded checkpoint reproducing outputs exactly, the same seed giving the
same result. A new file in models/ is picked up by the registry and tested here."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from {{ cookiecutter.package_name }}.models import MODELS
from {{ cookiecutter.package_name }}.tasks import prepare

# Small settings per model, so each test runs in well under a second.
SMALL = {
    "mlp": {"depth": 3, "width": 32},
    "convnet": {"units_per_stage": 1, "width": 8},
    "my_model": {"channels": 8},
}
VARIANTS = [
    ("mlp", {"residual": True}),
    ("mlp", {"batch_norm": True}),
    ("convnet", {"residual": False}),
]
CASES = [(name, {}) for name in MODELS.names()] + VARIANTS


def build(name: str, extra: dict, input_shape=(1, 8, 8), seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    options = {"name": name, **SMALL.get(name, {}), **extra}
    return MODELS.build(options, input_shape=input_shape, num_classes=10)


@pytest.fixture(scope="module")
def batch():
    """32 real digits, standardised as the task does, and their labels."""
    images, labels = prepare({"data": {"name": "digits", "seed": 0}, "task": {}}).train
    return torch.from_numpy(images[:32]), torch.from_numpy(labels[:32])


def test_every_model_is_covered():
    assert set(MODELS.names()) <= {name for name, _ in CASES}
    assert {"mlp", "convnet", "my_model"} <= set(MODELS.names())


@pytest.mark.parametrize(("name", "extra"), CASES)
@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 32, 32)])
def test_output_shape(name, extra, shape):
    model = build(name, extra, shape)
    assert model(torch.randn(5, *shape)).shape == (5, 10)


@pytest.mark.parametrize(("name", "extra"), CASES)
def test_every_parameter_gets_a_gradient(name, extra, batch):
    model = build(name, extra)
    images, labels = batch
    F.cross_entropy(model(images), labels).backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum()]
    assert not missing, missing


@pytest.mark.parametrize(("name", "extra"), CASES)
def test_one_batch_can_be_overfit(name, extra, batch):
    model = build(name, extra)
    images, labels = batch
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(150):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
    model.eval()
    assert (model(images).argmax(1) == labels).all(), f"final loss {loss.item():.3f}"


@pytest.mark.parametrize(("name", "extra"), CASES)
def test_reloaded_checkpoint_reproduces_outputs_exactly(name, extra, batch, tmp_path):
    model = build(name, extra).eval()
    torch.save(model.state_dict(), tmp_path / "model.pt")
    other = build(name, extra, seed=123).eval()
    images, _ = batch
    assert not torch.equal(other(images), model(images))
    other.load_state_dict(torch.load(tmp_path / "model.pt", weights_only=True))
    assert torch.equal(other(images), model(images))


@pytest.mark.parametrize(("name", "extra"), CASES)
def test_same_seed_same_result(name, extra, batch):
    def train_steps(seed: int) -> torch.Tensor:
        model = build(name, extra, seed=seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        images, labels = batch
        for _ in range(3):
            optimizer.zero_grad()
            F.cross_entropy(model(images), labels).backward()
            optimizer.step()
        return model.eval()(images)

    assert torch.equal(train_steps(7), train_steps(7))
    assert not torch.equal(train_steps(7), train_steps(8))


def test_plain_and_residual_mlps_have_the_same_parameters():
    """He et al.'s comparison is fair only at equal size: the shortcuts add no parameter."""

    def count(model):
        return sum(p.numel() for p in model.parameters())

    assert count(build("mlp", {"residual": True})) == count(build("mlp", {"residual": False}))


def test_an_unknown_model_option_names_the_ones_it_takes():
    from {{ cookiecutter.package_name }}.core.errors import ConfigError

    with pytest.raises(ConfigError, match="depht.*depth"):
        MODELS.build({"name": "mlp", "depht": 3}, input_shape=(1, 8, 8), num_classes=10)
