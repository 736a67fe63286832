"""Every shipped config loads and builds its task and model, so a renamed option or a typo in
a config that the tests do not train (the GPU-sized ``full_*``) fails here, not on a GPU."""

from __future__ import annotations

import pytest
import torch
from conftest import ROOT

from {{ cookiecutter.package_name }}.core.errors import ConfigError
from {{ cookiecutter.package_name }}.engine.config import load_engine_config
from {{ cookiecutter.package_name }}.models import MODELS
from {{ cookiecutter.package_name }}.tasks import build_task

CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))


def test_there_is_a_quick_and_a_full_config_per_task():
    names = {path.stem for path in CONFIGS}
    assert {"quick_det", "quick_seg", "full_det", "full_seg", "tiny"} <= names


@pytest.mark.parametrize("path", CONFIGS, ids=lambda path: path.stem)
def test_config_builds_its_model(path):
    cfg = load_engine_config(path, [])
    task = build_task(cfg)
    model = task.build_model(cfg)
    parameters = sum(p.numel() for p in model.parameters())
    assert parameters > 1000
    if path.stem.startswith("full"):
        assert parameters > 1_000_000  # sized for a GPU, as the published setups


@pytest.mark.parametrize("merge", ["concat", "add"])
def test_range_unet_merges_skips_either_way(merge):
    torch.manual_seed(0)
    model = MODELS.build({"name": "range_unet", "widths": [8, 16], "strides": [[1, 2]],
                          "merge": merge}, num_classes=5)  # fmt: skip
    image = torch.randn(2, 5, 8, 30)
    logits = model(image)
    assert logits.shape == (2, 5, 8, 30)
    logits.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_range_unet_rejects_an_unknown_merge():
    with pytest.raises(ConfigError, match="concat or add"):
        MODELS.build({"name": "range_unet", "merge": "sum"}, num_classes=5)
