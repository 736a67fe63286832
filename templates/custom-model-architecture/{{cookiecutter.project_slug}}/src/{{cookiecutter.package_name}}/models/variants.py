"""Variant files: a model written as a list of registered blocks in configs/variants/NAME.yaml.

    description: what this variant changes, relative to which baseline
    defaults: {norm: batch, act: relu}     # given to every block that takes the key
    blocks:
      - {block: conv, out_channels: 32}
      - {block: residual, out_channels: 64, stride: 2, repeat: 2}
    head: {norm: none, dropout: 0.1}       # global average pool -> [norm] -> dropout -> linear

Every file in the folder is registered as a model named after it (``model.name: NAME``), so a
new variant is one new file. Every mistake is reported with the file and the key that holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from . import MODELS
from .composer import Classifier, VariantError, compose

DEFAULT_DIR = Path("configs") / "variants"
VARIANT_KEYS = {"description", "defaults", "blocks", "head"}
HEAD_KEYS = {"norm", "dropout"}
HEAD_NORMS = ("none", "layer")


def find_variants_dir() -> Path:
    """configs/variants of the working directory, else of the project this package is in."""
    if DEFAULT_DIR.is_dir():
        return DEFAULT_DIR
    # Running from elsewhere: src/<package>/models/variants.py -> project root.
    return Path(__file__).resolve().parents[3] / DEFAULT_DIR


def variant_files(directory: str | Path | None = None) -> list[Path]:
    """Every variant file, sorted by name."""
    return sorted(Path(directory or find_variants_dir()).glob("*.yaml"))


def load_variant(path: str | Path) -> dict:
    """The checked content of a variant file, with its path under the key "path"."""
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
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


def build_variant(
    path: str | Path, in_channels: int, image_size: tuple[int, int], num_classes: int
) -> Classifier:
    """The classifier a variant file describes (read and checked now, so edits apply)."""
    return compose(load_variant(path), in_channels, tuple(image_size), num_classes)


def _constructor(path: Path) -> Callable[..., Classifier]:
    def build(in_channels: int, image_size: tuple[int, int], num_classes: int) -> Classifier:
        return build_variant(path, in_channels, image_size, num_classes)

    build.__qualname__ = f"variant[{path.name}]"  # what a name clash reports
    build.__doc__ = f"The model of {path}."
    return build


def register_variants(directory: str | Path | None = None) -> list[str]:
    """Register every variant file of `directory` (default: configs/variants) as a model."""
    paths = variant_files(directory)
    for path in paths:
        MODELS.add(path.stem, _constructor(path))
    return [path.stem for path in paths]


register_variants()  # the registry imports this module the first time it is asked for a name
