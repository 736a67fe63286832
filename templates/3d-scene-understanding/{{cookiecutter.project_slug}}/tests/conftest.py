"""Shared settings: one CPU thread (fast and reproducible for these small models)."""

import torch

torch.set_num_threads(1)
