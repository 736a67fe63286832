"""Weight initialisation: keep activations at a steady scale through the depth.

He (Kaiming) initialisation for layers followed by ReLU/GELU: a weight std of
sqrt(2 / fan_in) keeps the second moment of activations constant layer to
layer (He et al., 2015). The classifier gets a small gain so the initial
logits are near zero and the first loss is near log(num_classes).
"""

from __future__ import annotations

import numpy as np

RELU_GAIN = float(np.sqrt(2.0))


def fan_in(shape: tuple[int, ...]) -> int:
    """Inputs feeding one output: in_features, or in_channels * kh * kw."""
    return int(np.prod(shape[1:]))


def normal(shape, gain: float, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Normal weights with std = gain / sqrt(fan_in)."""
    std = gain / np.sqrt(fan_in(shape))
    return (rng.standard_normal(shape) * std).astype(dtype)
