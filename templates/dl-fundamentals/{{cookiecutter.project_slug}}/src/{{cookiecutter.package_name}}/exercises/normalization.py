"""Exercise 3, normalisation layers: the backward passes of batch norm and layer norm.

Tests:     tests/test_exercises.py -k "batch_norm_backward or layer_norm_backward"
Yours:     EXERCISES=batch_norm_backward,layer_norm_backward \
             python -m pytest tests/test_exercises.py
Reference: exercises/reference.py, section 3. Forward passes: autograd/functional.py.
"""

from __future__ import annotations

import numpy as np

from . import reference
from .switch import exercise, not_written


@exercise(reference=reference.batch_norm_backward)
def batch_norm_backward(
    grad_out: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray, gamma: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (grad_x, grad_gamma, grad_beta) of batch norm in training mode.

    Forward: x_hat = (x - mean) * inv_std with mean and variance over every axis
    but axis 1 (the channel), out = gamma * x_hat + beta per channel. grad_out
    and x_hat have x's shape, inv_std has keepdims shape (1, C) or (1, C, 1, 1),
    gamma has shape (C,). Remember that mean and inv_std depend on x too: the
    classic interview answer fits in three lines.
    """
    # ---- YOUR CODE: replace the line below ----
    raise not_written("batch_norm_backward", "tests/test_exercises.py")


@exercise(reference=reference.layer_norm_backward)
def layer_norm_backward(
    grad_out: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray, gamma: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (grad_x, grad_gamma, grad_beta) of layer norm.

    Same algebra as batch norm, over the other axes: statistics are taken over
    the last gamma.ndim dimensions of each sample; grad_gamma and grad_beta sum
    over the leading dimensions. inv_std has keepdims shape (..., 1).
    """
    # ---- YOUR CODE: replace the line below ----
    raise not_written("layer_norm_backward", "tests/test_exercises.py")
