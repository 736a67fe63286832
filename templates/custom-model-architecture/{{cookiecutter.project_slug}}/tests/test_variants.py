"""The five checks every model needs, for every registered model (configs/variants/*.yaml and
any model file in models/)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from {{ cookiecutter.package_name }}.models import MODELS

VARIANTS = MODELS.names()


def create_model(name: str, in_channels: int, image_size: tuple[int, int], num_classes: int):
    return MODELS.build(
        {"name": name}, in_channels=in_channels, image_size=image_size, num_classes=num_classes
    )


def digits_model(variant: str, seed: int = 0):
    torch.manual_seed(seed)
    return create_model(variant, in_channels=1, image_size=(8, 8), num_classes=10)


def train_steps(model, images, labels, steps: int, lr: float = 3e-3) -> list[float]:
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_variants_are_registered():
    assert {"cnn", "cnn_residual", "cnn_dwsep", "cnn_se", "vit", "mixer"} <= set(VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_output_shapes(variant):
    assert digits_model(variant)(torch.randn(4, 1, 8, 8)).shape == (4, 10)
    colour = create_model(variant, in_channels=3, image_size=(32, 32), num_classes=6)
    assert colour(torch.randn(2, 3, 32, 32)).shape == (2, 6)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_parameter_gets_a_gradient(variant, digits_batch):
    model = digits_model(variant)
    images, labels = digits_batch
    F.cross_entropy(model(images), labels).backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None, f"{variant}: {name} got no gradient"
        assert parameter.grad.abs().sum() > 0, f"{variant}: {name} has an all-zero gradient"


@pytest.mark.parametrize("variant", VARIANTS)
def test_one_batch_overfits(variant, digits_batch):
    images, labels = digits_batch
    model = digits_model(variant)
    losses = train_steps(model, images, labels, steps=60)
    assert losses[-1] < 0.05 < losses[0], f"{variant}: loss {losses[0]:.3f} -> {losses[-1]:.3f}"
    model.eval()
    with torch.no_grad():
        assert (model(images).argmax(1) == labels).all()


@pytest.mark.parametrize("variant", VARIANTS)
def test_checkpoint_reload_reproduces_outputs(variant, digits_batch, tmp_path):
    images, labels = digits_batch
    model = digits_model(variant, seed=0)
    train_steps(model, images, labels, steps=3)  # moves weights and norm statistics off init
    torch.save(model.state_dict(), tmp_path / "model.pt")
    reloaded = digits_model(variant, seed=1)
    reloaded.load_state_dict(torch.load(tmp_path / "model.pt", weights_only=True))
    model.eval()
    reloaded.eval()
    with torch.no_grad():
        assert torch.equal(model(images), reloaded(images))


@pytest.mark.parametrize("variant", VARIANTS)
def test_same_seed_same_result(variant, digits_batch):
    images, labels = digits_batch

    def run(seed):
        model = digits_model(variant, seed)
        torch.manual_seed(seed)  # dropout
        return train_steps(model, images, labels, steps=3), model

    losses_a, model_a = run(0)
    losses_b, model_b = run(0)
    losses_c, _ = run(1)
    assert losses_a == losses_b
    for (name, a), b in zip(
        model_a.state_dict().items(), model_b.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b), name
    assert losses_a != losses_c
