"""Shared test settings: one CPU thread (small models run fastest on one, and reproducibly),
the tiny config, and one tiny trained run that several test files evaluate."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from {{ cookiecutter.package_name }} import train
from {{ cookiecutter.package_name }}.engine.config import load_engine_config

torch.set_num_threads(1)
ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "configs" / "tiny.yaml"
QUIET = ["device=cpu", "threads=1", "progress=off"]


@pytest.fixture(scope="session")
def tiny_cfg() -> dict:
    return load_engine_config(TINY, QUIET)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """A tiny run, trained once per test session (a few seconds)."""
    runs = tmp_path_factory.mktemp("runs")
    train.main(["--config", str(TINY), f"runs_dir={runs}", "run_name=tiny", *QUIET])
    return runs / "tiny"
