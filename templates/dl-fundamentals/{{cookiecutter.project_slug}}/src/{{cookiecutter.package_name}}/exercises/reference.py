"""Reference solutions of the exercises: the engine runs these until you switch.

Read one only after your own attempt passes (or fails for a day): the tests
tell you whether yours is right, this file shows one clean way to do it.
Sections follow the study path in the README.
"""

from __future__ import annotations

import numpy as np

from ..autograd.windows import col2im

# ----------------------------------------------------------- 1. autograd core


def topological_order(root) -> list:
    """Every tensor `root` depends on (root included), each listed after all its parents."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:  # iterative depth-first search: deep graphs must not hit the recursion limit
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        stack.extend((parent, False) for parent in node._parents if id(parent) not in visited)
    return order


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` down to `shape`, undoing NumPy broadcasting in the backward pass."""
    if grad.shape == tuple(shape):
        return grad
    leading = grad.ndim - len(shape)
    if leading > 0:  # dimensions broadcasting added in front
        grad = grad.sum(axis=tuple(range(leading)))
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:  # size-1 dimensions broadcasting stretched
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


# ---------------------------------------------------------- 2. conv backward


def conv2d_backward(grad_out, cols, weight, x_shape, stride, padding):
    """Gradients of conv2d's input, weight and bias from the output gradient and im2col cache."""
    filters = weight.shape[0]
    kernel_h, kernel_w = weight.shape[2:]
    grad_rows = grad_out.transpose(0, 2, 3, 1).reshape(-1, filters)  # one row per output pixel
    grad_weight = (grad_rows.T @ cols).reshape(weight.shape)
    grad_bias = grad_rows.sum(axis=0)
    grad_cols = grad_rows @ weight.reshape(filters, -1)
    grad_x = col2im(grad_cols, x_shape, kernel_h, kernel_w, stride, padding)
    return grad_x, grad_weight, grad_bias


# -------------------------------------------------- 3. normalisation layers


def _normalize_backward(grad_x_hat, x_hat, inv_std, axes):
    # x_hat = (x - mean) * inv_std with mean and std over `axes`; the two mean terms are
    # what the batch statistics contribute to the gradient.
    mean_grad = grad_x_hat.mean(axis=axes, keepdims=True)
    mean_grad_x_hat = (grad_x_hat * x_hat).mean(axis=axes, keepdims=True)
    return inv_std * (grad_x_hat - mean_grad - x_hat * mean_grad_x_hat)


def batch_norm_backward(grad_out, x_hat, inv_std, gamma):
    """Gradients of batch norm (training mode) w.r.t. x, gamma and beta."""
    axes = (0,) + tuple(range(2, grad_out.ndim))
    per_channel = [1] * grad_out.ndim
    per_channel[1] = -1
    grad_gamma = (grad_out * x_hat).sum(axis=axes)
    grad_beta = grad_out.sum(axis=axes)
    grad_x = _normalize_backward(grad_out * gamma.reshape(per_channel), x_hat, inv_std, axes)
    return grad_x, grad_gamma, grad_beta


def layer_norm_backward(grad_out, x_hat, inv_std, gamma):
    """Gradients of layer norm w.r.t. x, gamma and beta (normalised over gamma's dims)."""
    axes = tuple(range(grad_out.ndim - gamma.ndim, grad_out.ndim))
    leading = tuple(range(grad_out.ndim - gamma.ndim))
    grad_gamma = (grad_out * x_hat).sum(axis=leading)
    grad_beta = grad_out.sum(axis=leading)
    grad_x = _normalize_backward(grad_out * gamma, x_hat, inv_std, axes)
    return grad_x, grad_gamma, grad_beta


# ------------------------------------------------------------ 4. optimizers


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    """One SGD step in place (PyTorch's convention: velocity accumulates raw gradients)."""
    if weight_decay:
        grad = grad + weight_decay * param
    velocity *= momentum
    velocity += grad
    update = grad + momentum * velocity if nesterov else velocity
    param -= lr * update


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay):
    """One AdamW step in place: decoupled weight decay, then the bias-corrected Adam update."""
    param *= 1.0 - lr * weight_decay
    exp_avg *= beta1
    exp_avg += (1.0 - beta1) * grad
    exp_avg_sq *= beta2
    exp_avg_sq += (1.0 - beta2) * grad * grad
    bias_correction1 = 1.0 - beta1**step
    bias_correction2 = 1.0 - beta2**step
    denom = np.sqrt(exp_avg_sq) / np.sqrt(bias_correction2) + eps
    param -= (lr / bias_correction1) * exp_avg / denom


# ------------------------------------------------------- 5. attention block


def scaled_dot_product_attention(q, k, v, causal=False):
    """softmax(q k^T / sqrt(d)) v over the last two dims of Tensors (..., T, d)."""
    from ..autograd import Tensor, functional

    scores = (q @ k.swapaxes(-1, -2)) * (1.0 / np.sqrt(q.shape[-1]))
    if causal:  # token t may only look at tokens <= t
        t_q, t_k = scores.shape[-2:]
        future = np.triu(np.ones((t_q, t_k), dtype=bool), k=1)
        scores = scores + Tensor(np.where(future, -np.inf, 0.0).astype(scores.dtype))
    return functional.softmax(scores, axis=-1) @ v


# ------------------------------------------------------ 6. performance pass


def im2col(x, kernel_h, kernel_w, stride=1, padding=0):
    """(N, C, H, W) -> (N*out_h*out_w, C*kernel_h*kernel_w) without a loop over pixels."""
    n, c, h, w = x.shape
    out_h = (h + 2 * padding - kernel_h) // stride + 1
    out_w = (w + 2 * padding - kernel_w) // stride + 1
    if padding:
        x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    channels_last = x.transpose(0, 2, 3, 1)
    cols = np.empty((n, out_h, out_w, c, kernel_h, kernel_w), dtype=x.dtype)
    # One strided slice per kernel offset (kernel_h*kernel_w copies of a whole batch):
    # measured 4x faster than a transposed sliding_window_view for 16 channels.
    for i in range(kernel_h):
        for j in range(kernel_w):
            cols[..., i, j] = channels_last[
                :, i : i + stride * out_h : stride, j : j + stride * out_w : stride
            ]
    return cols.reshape(n * out_h * out_w, c * kernel_h * kernel_w)
