"""Blocks build from a name plus keyword arguments; mistakes in variant files name file and key;
a new block is one file and nothing else."""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }}.blocks import BLOCKS
from {{ cookiecutter.package_name }}.blocks.layers import (
    ACTIVATIONS,
    NORMS,
    make_norm,
)
from {{ cookiecutter.package_name }}.core.errors import ConfigError
from {{ cookiecutter.package_name }}.models import MODELS
from {{ cookiecutter.package_name }}.models.variants import VariantError, build_variant

PACKAGE = BLOCKS.__module__.split(".")[0]
DIGITS = {"in_channels": 1, "image_size": (8, 8), "num_classes": 10}


def build(name, **kwargs):
    if "in_size" in inspect.signature(BLOCKS.get(name).__init__).parameters:
        kwargs.setdefault("in_size", (8, 8))
    return BLOCKS.build({"name": name, **kwargs}, in_channels=16)


def test_the_blocks_are_registered_by_their_files():
    assert {"conv", "residual", "dwsep", "se", "attention", "mixer", "pool", "pos_embed"} <= set(
        BLOCKS.names()
    )


@pytest.mark.parametrize("name", BLOCKS.names())
def test_every_block_keeps_the_feature_map_contract(name):
    block = build(name)
    out = block(torch.randn(2, 16, 8, 8))
    assert out.ndim == 4 and out.shape[0] == 2
    assert out.shape[1] == block.out_channels


@pytest.mark.parametrize("name", ["conv", "residual", "dwsep"])
def test_strided_blocks_downsample_and_change_width(name):
    out = build(name, out_channels=32, stride=2)(torch.randn(2, 16, 8, 8))
    assert out.shape == (2, 32, 4, 4)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
def test_norm_and_act_choices(norm, act):
    block = build("conv", out_channels=16, norm=norm, act=act)
    assert block(torch.randn(2, 16, 8, 8)).shape == (2, 16, 8, 8)


def test_layer_norm_normalises_each_pixel_over_channels():
    out = make_norm("layer", 16)(torch.randn(2, 16, 4, 4) * 5 + 3)
    assert torch.allclose(out.mean(1), torch.zeros(2, 4, 4), atol=1e-5)


def test_squeeze_excite_gates_channels_between_zero_and_one():
    block = build("se")
    x = torch.rand(2, 16, 8, 8) + 0.1
    ratio = block(x) / x
    assert ((ratio > 0) & (ratio < 1)).all()
    assert torch.allclose(ratio, ratio[:, :, :1, :1].expand_as(ratio))  # one gate per channel


def test_unknown_block_lists_the_registered_ones():
    with pytest.raises(ConfigError, match="unknown block 'convv'.*registered: .*conv"):
        BLOCKS.build({"name": "convv"}, in_channels=3)
    with pytest.raises(ConfigError, match="block 'conv' takes no option 'kernal_size'"):
        BLOCKS.build({"name": "conv", "kernal_size": 3}, in_channels=3)


def write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_unknown_block_in_a_variant_names_the_file_and_the_key(tmp_path):
    path = write(tmp_path, "blocks:\n  - {block: conv, out_channels: 8}\n  - {block: convv}\n")
    with pytest.raises(VariantError) as error:
        build_variant(path, **DIGITS)
    assert path in str(error.value)
    assert "blocks[1].block" in str(error.value) and "'convv'" in str(error.value)


def test_bad_block_argument_names_the_file_and_the_key(tmp_path):
    path = write(tmp_path, "blocks:\n  - {block: conv, kernal_size: 3}\n")
    with pytest.raises(VariantError, match=r"bad\.yaml: blocks\[0\] \(conv\):.*kernal_size"):
        build_variant(path, **DIGITS)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("blocks: [{block: conv}]\nlayers: []\n", "'layers'"),
        ("description: no blocks\n", "'blocks'"),
        ("blocks: [{out_channels: 8}]\n", r"blocks\[0\]"),
        ("blocks: [{block: conv, repeat: 0}]\n", r"blocks\[0\]\.repeat"),
        ("blocks: [{block: conv}]\nhead: {pool: max}\n", "'head'"),
        ("blocks: [{block: attention, heads: 3}]\n", r"blocks\[0\] \(attention\)"),
        ("blocks: [{block: conv}\n", "not valid YAML"),
        ("blocks: [{block: conv}, {block: pool, repeat: 4}]\n", r"blocks\[1\] \(pool\)"),
    ],
)
def test_bad_variant_file_names_the_file_and_the_key(tmp_path, text, key):
    path = write(tmp_path, text)
    with pytest.raises(VariantError, match=rf"bad\.yaml: .*{key}"):
        build_variant(path, **DIGITS)


def test_unknown_model_name_lists_the_variants():
    with pytest.raises(ConfigError, match="unknown model 'resnet9000'.*registered: .*cnn"):
        MODELS.build({"name": "resnet9000"}, **DIGITS)
    assert issubclass(VariantError, ConfigError)  # a bad variant file exits 2, in one line


NEW_BLOCK = """
import torch
from torch import nn

from . import BLOCKS


@BLOCKS.register("scale")
class Scale(nn.Module):
    def __init__(self, in_channels: int, factor: float = 2.0):
        super().__init__()
        self.weight = nn.Parameter(torch.full((1, in_channels, 1, 1), factor))
        self.out_channels = in_channels

    def forward(self, x):
        return x * self.weight
"""
NEW_VARIANT = "blocks:\n  - {block: conv, out_channels: 8}\n  - {block: scale, factor: 3.0}\n"
PROBE = f"""
import torch
from {PACKAGE}.models import MODELS

model = MODELS.build(dict(name="scaled"), in_channels=1, image_size=(8, 8), num_classes=10)
print(type(model.features[1]).__name__, model.features[1].weight.flatten().tolist())
print(tuple(model(torch.randn(2, 1, 8, 8)).shape))
"""


def test_a_new_block_and_a_new_variant_are_one_file_each(tmp_path):
    """Drop blocks/scale.py and configs/variants/scaled.yaml into a copy of the project: the
    model trains by name with no other file edited (no import line, no list to extend)."""
    package = Path(importlib.import_module(PACKAGE).__file__).parent
    shutil.copytree(
        package, tmp_path / "src" / PACKAGE, ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "src" / PACKAGE / "blocks" / "scale.py").write_text(NEW_BLOCK)
    (tmp_path / "configs" / "variants").mkdir(parents=True)
    (tmp_path / "configs" / "variants" / "scaled.yaml").write_text(NEW_VARIANT)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Scale [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]", "(2, 10)"]
