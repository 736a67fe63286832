"""The training engine's config keys: the shared vocabulary (core/config.py) plus how to run."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..core.config import CONTRACT_DEFAULTS, load_config, merge

# Every key the engine reads, with its default; a project's YAML adds its own sections.
ENGINE_DEFAULTS: dict[str, Any] = merge(
    CONTRACT_DEFAULTS,
    {
        "grad_clip": 0.0,  # max gradient norm; 0 = off
        "amp": "auto",  # auto (bf16 on CUDA, off on CPU) | bf16 | fp16 | off
        "compile": False,
        "threads": "auto",  # auto = measured (1 vs 2 threads) | int
        "num_workers": "auto",  # loader workers for datasets that stream; auto | int
        "loader": "auto",  # auto (device-resident for TensorDatasets) | device | stream
        "keep_last": 2,  # epoch checkpoints kept besides last.pt and best.pt
        "save_every_steps": 0,  # also refresh last.pt every N steps inside an epoch; 0 = off
        "log_every": 50,  # steps between reads of the loss (each read synchronises the GPU)
        "deterministic": False,
        "progress": "auto",  # auto (bar on a terminal, plain lines otherwise) | bar | plain | off
    },
)


def load_engine_config(path: str | Path | None, overrides: Iterable[str] = ()) -> dict:
    """The engine's defaults, then the YAML file, then `key=value` overrides."""
    return load_config(path, overrides, defaults=ENGINE_DEFAULTS)
