"""Exercise 6, a performance pass: vectorise im2col, then profile a training run.

Tests:     tests/test_exercises.py -k im2col (equal to the loop definition, and faster)
Yours:     EXERCISES=im2col python -m pytest tests/test_exercises.py
Profile:   make profile (cProfile of one CNN epoch: where does the time go?)
Reference: exercises/reference.py, section 6. The loop definition: autograd/windows.py.
"""

from __future__ import annotations

import numpy as np

from . import reference
from .switch import exercise, not_written


@exercise(reference=reference.im2col)
def im2col(
    x: np.ndarray, kernel_h: int, kernel_w: int, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """(N, C, H, W) -> (N*out_h*out_w, C*kernel_h*kernel_w), with no Python loop over pixels.

    Must equal autograd/windows.py `im2col_loops` exactly (same row and column
    order). Start from that loop version, time it (`make profile`), then remove
    the loops: `np.lib.stride_tricks.sliding_window_view`, fancy indexing with
    precomputed index arrays, or a loop over the kernel_h*kernel_w offsets only.
    Then compare them with `make profile`: they differ by 4x.
    """
    # ---- YOUR CODE: replace the line below ----
    raise not_written("im2col", "tests/test_exercises.py")
