"""The five ML tests, on every registered detector: output shapes, every parameter gets a
gradient, one batch can be overfit, a reloaded checkpoint reproduces the outputs exactly,
and the same seed gives the same result."""

from __future__ import annotations

import copy

import pytest
import torch

from {{ cookiecutter.package_name }}.engine.checkpoint import load_checkpoint, save_checkpoint
from {{ cookiecutter.package_name }}.engine.rng import seed_everything
from {{ cookiecutter.package_name }}.models import MODELS
from {{ cookiecutter.package_name }}.tasks import build_task

DETECTORS = MODELS.names()
SMALL = {  # small widths keep the tests fast; the defaults are what the configs use
    "centernet": {"widths": [8, 12, 16, 16], "head_width": 12, "embedding_dim": 8},
    "my_detector": {"widths": [8, 12, 16, 16], "blocks": 1, "head_width": 12, "embedding_dim": 8},
}


def test_the_baseline_and_your_detector_are_registered():
    assert {"centernet", "my_detector"} <= set(DETECTORS)


@pytest.fixture(scope="module")
def batch(tiny_cfg):
    """Four training pairs of the tiny synthetic street, with objects in them."""
    images, targets = build_task(tiny_cfg).build_dataset(tiny_cfg, "train").tensors
    busy = (targets[:, 0, :, 0] >= 0).sum(dim=1).argsort(descending=True)[:4]
    return images[busy], targets[busy]


def make(name: str, cfg: dict, seed: int = 0):
    cfg = copy.deepcopy(cfg)
    cfg["model"] = {"name": name, **SMALL.get(name, {})}
    seed_everything(seed)
    task = build_task(cfg)
    return task, task.build_model(cfg), cfg


@pytest.mark.parametrize("name", DETECTORS)
def test_output_shapes(name, tiny_cfg, batch):
    task, model, _ = make(name, tiny_cfg)
    images = batch[0][:, 0]
    outputs = model(images.float() / 255)
    height, width = images.shape[-2] // model.stride, images.shape[-1] // model.stride
    assert outputs["heatmap"].shape == (4, task.num_classes, height, width)
    assert outputs["size"].shape == outputs["offset"].shape == (4, 2, height, width)
    assert outputs["embedding"].shape == (4, model.embedding_dim, height, width)


@pytest.mark.parametrize("name", DETECTORS)
def test_every_parameter_gets_a_gradient(name, tiny_cfg, batch):
    task, model, _ = make(name, tiny_cfg)
    task.compute_loss(model, batch).backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or p.grad.abs().sum() == 0]
    assert not missing, missing


@pytest.mark.parametrize("name", DETECTORS)
def test_one_batch_can_be_overfit(name, tiny_cfg, batch):
    task, model, _ = make(name, tiny_cfg)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = task.compute_loss(model, batch).item()
    for _ in range(150):
        loss = task.compute_loss(model, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.15 * first, (first, loss.item())
    model.eval()
    with torch.no_grad():
        stats = task.eval_batch(model, batch)
    assert task.summarize(stats)["ap50"] > 0.8  # it finds the objects it memorised


@pytest.mark.parametrize("name", DETECTORS)
def test_a_reloaded_checkpoint_reproduces_the_outputs_exactly(name, tiny_cfg, batch, tmp_path):
    task, model, cfg = make(name, tiny_cfg)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(3):  # trained a little, so batch-norm statistics moved too
        optimizer.zero_grad()
        task.compute_loss(model, batch).backward()
        optimizer.step()
    state = {"model": model.state_dict(), "epoch": 1, "step": 3, "config": cfg}
    save_checkpoint(state, tmp_path, epoch_file=False, is_best=False, keep_last=0)
    _, fresh, _ = make(name, tiny_cfg, seed=123)
    fresh.load_state_dict(load_checkpoint(tmp_path / "last.pt")["model"])
    model.eval(), fresh.eval()
    images = batch[0][:, 0].float() / 255
    with torch.no_grad():
        expected, actual = model(images), fresh(images)
    assert all(torch.equal(expected[k], actual[k]) for k in expected)


@pytest.mark.parametrize("name", DETECTORS)
def test_the_same_seed_gives_the_same_result(name, tiny_cfg, batch):
    def train_a_little(seed):
        task, model, _ = make(name, tiny_cfg, seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for _ in range(2):
            optimizer.zero_grad()
            task.compute_loss(model, task.augment(batch)).backward()
            optimizer.step()
        return model.state_dict()

    first, again, other = train_a_little(0), train_a_little(0), train_a_little(1)
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)
