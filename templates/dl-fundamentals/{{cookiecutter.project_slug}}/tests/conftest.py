"""Shared test setup: one BLAS thread (small matrices), seeded generators, torch if present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from {{ cookiecutter.package_name }}.train import load_config

TINY = Path(__file__).resolve().parents[1] / "configs" / "tiny.yaml"

# Multi-threaded BLAS on tiny matrices is several times slower on a shared CPU.
_BLAS_LIMIT = threadpool_limits(limits=1, user_api="blas")

try:
    import torch
except ImportError:  # the PyTorch cross-checks skip themselves
    torch = None
else:
    torch.set_num_threads(1)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def tiny_config(tmp_path):
    """Build a training config that runs in about a second (configs/tiny.yaml), writing
    under tmp_path."""

    def build(*overrides: str) -> dict:
        return load_config(TINY, [f"runs_dir={tmp_path / 'runs'}", *overrides])

    return build
