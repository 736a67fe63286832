"""Shared test settings: one thread (small models run fastest on one) and tiny inputs."""

from __future__ import annotations

import pytest
import torch

from {{ cookiecutter.package_name }}.data import from_config

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def digits_batch():
    """32 real digits (normalised) and their labels: the batch the overfit tests memorise."""
    images, labels = from_config({"name": "digits"}).splits()["train"].tensors
    return images[:32], labels[:32]
