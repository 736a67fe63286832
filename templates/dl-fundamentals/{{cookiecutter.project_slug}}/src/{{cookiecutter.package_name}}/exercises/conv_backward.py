"""Exercise 2, conv backward: gradients of a convolution computed through im2col.

Tests:     tests/test_exercises.py -k conv2d_backward (finite differences and PyTorch)
Yours:     EXERCISES=conv2d_backward python -m pytest tests/test_exercises.py
Reference: exercises/reference.py, section 2. Forward pass: autograd/functional.py conv2d.
"""

from __future__ import annotations

import numpy as np

from . import reference
from .switch import exercise, not_written


@exercise(reference=reference.conv2d_backward)
def conv2d_backward(
    grad_out: np.ndarray,
    cols: np.ndarray,
    weight: np.ndarray,
    x_shape: tuple[int, int, int, int],
    stride: int,
    padding: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (grad_x, grad_weight, grad_bias) of conv2d.

    The forward pass computed out_rows = cols @ weight.reshape(F, -1).T, where
    cols = im2col(x) has one row per output pixel (N*out_h*out_w rows, in
    (n, i, j) order) and grad_out has shape (N, F, out_h, out_w). Turn grad_out
    into rows, apply the matmul rule twice, then scatter the column gradient
    back to the image with `col2im` from autograd/windows.py.
    """
    # ---- YOUR CODE: replace the line below ----
    raise not_written("conv2d_backward", "tests/test_exercises.py")
