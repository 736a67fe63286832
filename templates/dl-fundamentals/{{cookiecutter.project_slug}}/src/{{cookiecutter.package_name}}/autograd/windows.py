"""Sliding windows for convolution and pooling: output sizes, col2im, and a loop im2col.

`im2col` turns every (kernel_h x kernel_w) window of an image batch into one row
of a matrix, so that a convolution becomes one matrix product. The vectorised
`im2col` is exercise 6 (`exercises/performance.py`); `im2col_loops` below is
the plain definition it is checked against, and `col2im` is its adjoint (it
adds every row back onto the pixels it came from), used by the backward passes.
"""

from __future__ import annotations

import numpy as np

from .tensor import ShapeError


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Number of window positions along one spatial dimension."""
    return (size + 2 * padding - kernel) // stride + 1


def check_window(x_shape: tuple[int, ...], kernel_h: int, kernel_w: int, padding: int, op: str):
    """Raise a ShapeError unless an (N, C, H, W) input fits at least one window."""
    if len(x_shape) != 4:
        raise ShapeError(f"{op} expects input of shape (N, C, H, W), got {x_shape}")
    height, width = x_shape[2] + 2 * padding, x_shape[3] + 2 * padding
    if height < kernel_h or width < kernel_w:
        raise ShapeError(
            f"{op}: padded input {x_shape[2:]} (+{padding} padding) is smaller than the "
            f"kernel ({kernel_h}, {kernel_w})"
        )


def im2col_loops(x: np.ndarray, kernel_h: int, kernel_w: int, stride: int = 1, padding: int = 0):
    """(N, C, H, W) -> (N*out_h*out_w, C*kernel_h*kernel_w), with explicit Python loops.

    Row (n, i, j) in row-major order holds the window whose top-left corner is at
    (i*stride, j*stride) of the padded image n, flattened as (C, kernel_h, kernel_w).
    Slow on purpose: it is the definition the fast versions are tested against.
    """
    n, c, h, w = x.shape
    out_h = conv_output_size(h, kernel_h, stride, padding)
    out_w = conv_output_size(w, kernel_w, stride, padding)
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = np.empty((n, out_h, out_w, c * kernel_h * kernel_w), dtype=x.dtype)
    for image in range(n):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * stride, j * stride
                window = padded[image, :, top : top + kernel_h, left : left + kernel_w]
                cols[image, i, j] = window.reshape(-1)
    return cols.reshape(n * out_h * out_w, -1)


def col2im(
    cols: np.ndarray,
    x_shape: tuple[int, ...],
    kernel_h: int,
    kernel_w: int,
    stride: int = 1,
    padding: int = 0,
) -> np.ndarray:
    """Adjoint of im2col: add each row's values back onto the pixels it was read from."""
    n, c, h, w = x_shape
    out_h = conv_output_size(h, kernel_h, stride, padding)
    out_w = conv_output_size(w, kernel_w, stride, padding)
    # (N, out_h, out_w, C, kh, kw) -> (N, C, kh, kw, out_h, out_w)
    cols = cols.reshape(n, out_h, out_w, c, kernel_h, kernel_w).transpose(0, 3, 4, 5, 1, 2)
    padded = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=cols.dtype)
    # One strided slice per kernel offset: kernel_h*kernel_w vectorised additions.
    for i in range(kernel_h):
        for j in range(kernel_w):
            padded[:, :, i : i + stride * out_h : stride, j : j + stride * out_w : stride] += cols[
                :, :, i, j
            ]
    return padded[:, :, padding : padding + h, padding : padding + w]
