"""Variant files: a model written as a list of registered blocks in configs/variants/NAME.yaml.

    description: what this variant changes, relative to which baseline
    defaults: {norm: batch, act: relu}     # given to every block that takes the key
    blocks:
      - {block: conv, out_channels: 32}
      - {block: residual, out_channels: 64, stride: 2, repeat: 2}
    head: {norm: none, dropout: 0.1}       # global average pool -> [norm] -> dropout -> linear

Every mistake is reported with the file and the key that holds it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULT_DIR = Path("configs/variants")
VARIANT_KEYS = {"description", "defaults", "blocks", "head"}
HEAD_KEYS = {"norm", "dropout"}
HEAD_NORMS = ("none", "layer")


class VariantError(ValueError):
    """A variant file that cannot be turned into a model."""


def find_variants_dir(directory: str | Path | None = None) -> Path:
    """The folder of variant files: `directory`, else configs/variants here or in the project."""
    if directory is not None:
        return Path(directory)
    if DEFAULT_DIR.is_dir():
        return DEFAULT_DIR
    # Running from elsewhere: src/<package>/variants.py -> project root -> configs/variants.
    return Path(__file__).resolve().parents[2] / DEFAULT_DIR


def list_variants(directory: str | Path | None = None) -> list[str]:
    """Names of every variant file (the registered variants), sorted."""
    return sorted(path.stem for path in find_variants_dir(directory).glob("*.yaml"))


def variant_path(name: str, directory: str | Path | None = None) -> Path:
    """Path of variant `name`, or `name` itself when it is a path to a .yaml file."""
    if name.endswith((".yaml", ".yml")):
        return Path(name)
    path = find_variants_dir(directory) / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(list_variants(directory)) or "none"
        raise VariantError(f"unknown variant {name!r}: no file {path} (variants: {known})")
    return path


def load_variant(name: str, directory: str | Path | None = None) -> dict:
    """The checked content of a variant file, with its path under the key "path"."""
    path = variant_path(name, directory)
    try:
        spec = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise VariantError(f"{path}: file not found") from None
    except yaml.YAMLError as error:
        raise VariantError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(spec, dict):
        raise VariantError(f"{path}: expected a mapping with keys {sorted(VARIANT_KEYS)}")
    unknown = set(spec) - VARIANT_KEYS
    if unknown:
        raise VariantError(
            f"{path}: unknown key {sorted(unknown)[0]!r}; allowed: {sorted(VARIANT_KEYS)}"
        )
    blocks = spec.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        raise VariantError(f"{path}: key 'blocks' must be a non-empty list of blocks")
    for index, entry in enumerate(blocks):
        if not isinstance(entry, dict) or "block" not in entry:
            raise VariantError(f"{path}: blocks[{index}] must be a mapping with a 'block' key")
        repeat = entry.get("repeat", 1)
        if not isinstance(repeat, int) or repeat < 1:
            raise VariantError(f"{path}: blocks[{index}].repeat must be a positive integer")
    defaults = spec.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise VariantError(f"{path}: key 'defaults' must be a mapping")
    head = spec.get("head") or {}
    if not isinstance(head, dict) or set(head) - HEAD_KEYS:
        raise VariantError(f"{path}: key 'head' takes only {sorted(HEAD_KEYS)}")
    if head.get("norm", "none") not in HEAD_NORMS:
        raise VariantError(f"{path}: head.norm must be one of {HEAD_NORMS}")
    return {
        "description": spec.get("description", ""),
        "defaults": defaults,
        "blocks": blocks,
        "head": head,
        "path": str(path),
    }
