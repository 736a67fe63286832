"""Blocks build from a name plus keyword arguments; mistakes in variant files name file and key."""

from __future__ import annotations

import inspect

import pytest
import torch
from torch import nn

from {{ cookiecutter.package_name }}.blocks import (
    BLOCKS,
    UnknownBlockError,
    build_block,
    register_block,
)
from {{ cookiecutter.package_name }}.blocks.layers import (
    ACTIVATIONS,
    NORMS,
    make_norm,
)
from {{ cookiecutter.package_name }}.model import create_model
from {{ cookiecutter.package_name }}.variants import (
    VariantError,
    load_variant,
)


def build(name, **kwargs):
    if "in_size" in inspect.signature(BLOCKS[name].__init__).parameters:
        kwargs.setdefault("in_size", (8, 8))
    return build_block(name, in_channels=16, **kwargs)


@pytest.mark.parametrize("name", sorted(BLOCKS))
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
    with pytest.raises(UnknownBlockError, match="unknown block 'convv'.*conv"):
        build_block("convv", in_channels=3)


def write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_unknown_block_in_a_variant_names_the_file_and_the_key(tmp_path):
    path = write(tmp_path, "blocks:\n  - {block: conv, out_channels: 8}\n  - {block: convv}\n")
    with pytest.raises(VariantError) as error:
        create_model(path, in_channels=1, image_size=(8, 8), num_classes=10)
    assert path in str(error.value)
    assert "blocks[1].block" in str(error.value) and "'convv'" in str(error.value)


def test_bad_block_argument_names_the_file_and_the_key(tmp_path):
    path = write(tmp_path, "blocks:\n  - {block: conv, kernal_size: 3}\n")
    with pytest.raises(VariantError, match=r"bad\.yaml: blocks\[0\] \(conv\):.*kernal_size"):
        create_model(path, in_channels=1, image_size=(8, 8), num_classes=10)


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
        create_model(path, in_channels=1, image_size=(8, 8), num_classes=10)


def test_unknown_variant_name_lists_the_variants():
    with pytest.raises(VariantError, match="unknown variant 'resnet9000'.*cnn"):
        load_variant("resnet9000")


def test_a_new_block_is_one_class_and_one_registration(tmp_path):
    @register_block("test_scale")
    class Scale(nn.Module):
        def __init__(self, in_channels: int, factor: float = 2.0):
            super().__init__()
            self.weight = nn.Parameter(torch.full((1, in_channels, 1, 1), factor))
            self.out_channels = in_channels

        def forward(self, x):
            return x * self.weight

    try:
        path = write(
            tmp_path,
            "blocks:\n  - {block: conv, out_channels: 8}\n  - {block: test_scale, factor: 3.0}\n",
        )
        model = create_model(path, in_channels=1, image_size=(8, 8), num_classes=10)
        assert isinstance(model.features[1], Scale)
        assert model.features[1].weight.flatten().tolist() == [3.0] * 8
        assert model(torch.randn(2, 1, 8, 8)).shape == (2, 10)
    finally:
        BLOCKS.pop("test_scale")
