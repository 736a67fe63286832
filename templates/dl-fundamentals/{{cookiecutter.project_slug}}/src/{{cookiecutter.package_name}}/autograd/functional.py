"""Neural-network operations on Tensors, each with a hand-written backward pass.

Activations (ReLU, GELU), softmax and a numerically stable softmax
cross-entropy, conv2d through im2col, max-pooling, batch and layer norm, and
dropout. Where a backward pass is an exercise, the op calls it through
`exercises` (the reference runs until you switch to your version).
"""

from __future__ import annotations

import numpy as np

from .tensor import ShapeError, Tensor, _exercises, _make, as_tensor
from .windows import check_window, col2im, conv_output_size

_SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))
_GELU_CUBIC = 0.044715


def relu(x: Tensor) -> Tensor:
    """max(x, 0); the gradient at exactly 0 is taken as 0 (as in PyTorch)."""
    positive = x.data > 0
    return _make(x.data * positive, (x,), lambda grad: x.accumulate_grad(grad * positive))


def gelu(x: Tensor) -> Tensor:
    """GELU with the tanh approximation (PyTorch's `approximate="tanh"`, GPT-2's choice)."""
    inner = _SQRT_2_OVER_PI * (x.data + _GELU_CUBIC * x.data**3)
    tanh = np.tanh(inner)
    out = 0.5 * x.data * (1.0 + tanh)

    def backward(grad):
        d_inner = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_CUBIC * x.data**2)
        local = 0.5 * (1.0 + tanh) + 0.5 * x.data * (1.0 - tanh**2) * d_inner
        x.accumulate_grad(grad * local)

    return _make(out, (x,), backward)


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`, shifted by the max so exp never overflows."""
    shifted = x.data - x.data.max(axis=axis, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / exp.sum(axis=axis, keepdims=True)

    def backward(grad):
        # Jacobian-vector product of softmax: s * (g - <g, s>).
        x.accumulate_grad(probs * (grad - (grad * probs).sum(axis=axis, keepdims=True)))

    return _make(probs, (x,), backward)


def cross_entropy(logits: Tensor, labels) -> Tensor:
    """Mean of -log softmax(logits)[label] over the batch.

    logits: (N, C) scores; labels: (N,) integer classes in [0, C). Computed
    from log-sum-exp of shifted logits, so large scores neither overflow nor
    lose precision; the gradient is (softmax - one_hot) / N.
    """
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if logits.ndim != 2:
        raise ShapeError(f"cross_entropy expects logits of shape (N, C), got {logits.shape}")
    if labels.shape != logits.shape[:1]:
        raise ShapeError(
            f"cross_entropy: logits {logits.shape} need labels of shape "
            f"({logits.shape[0]},), got {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"cross_entropy: labels must be integers, got {labels.dtype}")
    n, num_classes = logits.shape
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"cross_entropy: labels must lie in [0, {num_classes}), got {labels}")
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    log_sum_exp = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_sum_exp
    rows = np.arange(n)
    loss = -log_probs[rows, labels].mean()

    def backward(grad):
        d_logits = np.exp(log_probs)
        d_logits[rows, labels] -= 1.0
        logits.accumulate_grad(d_logits * (grad / n))

    return _make(np.asarray(loss, dtype=logits.dtype), (logits,), backward)


def conv2d(
    x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int = 1, padding: int = 0
):
    """2-D convolution (cross-correlation, as in every framework) through im2col.

    x: (N, C, H, W); weight: (F, C, kh, kw); bias: (F,) or None.
    Returns (N, F, out_h, out_w). The forward pass is one matrix product
    cols @ weight_matrix.T; the backward pass is exercise 2.
    """
    if weight.ndim != 4:
        raise ShapeError(f"conv2d expects weight of shape (F, C, kh, kw), got {weight.shape}")
    filters, channels, kernel_h, kernel_w = weight.shape
    check_window(x.shape, kernel_h, kernel_w, padding, "conv2d")
    if x.shape[1] != channels:
        raise ShapeError(
            f"conv2d: input {x.shape} has {x.shape[1]} channels but weight {weight.shape} "
            f"expects {channels}"
        )
    if bias is not None and bias.shape != (filters,):
        raise ShapeError(f"conv2d: bias {bias.shape} does not match weight {weight.shape}")
    n, _, h, w = x.shape
    out_h = conv_output_size(h, kernel_h, stride, padding)
    out_w = conv_output_size(w, kernel_w, stride, padding)
    exercises = _exercises()
    cols = exercises.im2col(x.data, kernel_h, kernel_w, stride, padding)
    out = cols @ weight.data.reshape(filters, -1).T
    if bias is not None:
        out += bias.data
    out = out.reshape(n, out_h, out_w, filters).transpose(0, 3, 1, 2)
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(grad):
        grad_x, grad_w, grad_b = exercises.conv2d_backward(
            grad, cols, weight.data, x.shape, stride, padding
        )
        x.accumulate_grad(grad_x)
        weight.accumulate_grad(grad_w)
        if bias is not None:
            bias.accumulate_grad(grad_b)

    return _make(out, parents, backward)


def max_pool2d(x: Tensor, kernel_size: int = 2, stride: int | None = None) -> Tensor:
    """Maximum over each kernel_size x kernel_size window; the gradient goes to the
    first maximum of each window (the same tie rule as PyTorch)."""
    stride = kernel_size if stride is None else stride
    check_window(x.shape, kernel_size, kernel_size, 0, "max_pool2d")
    n, c, h, w = x.shape
    out_h = conv_output_size(h, kernel_size, stride, 0)
    out_w = conv_output_size(w, kernel_size, stride, 0)
    # Pool every channel as its own image: one column per window element.
    single_channel = (n * c, 1, h, w)
    cols = _exercises().im2col(x.data.reshape(single_channel), kernel_size, kernel_size, stride, 0)
    winners = cols.argmax(axis=1)
    rows = np.arange(cols.shape[0])
    out = cols[rows, winners].reshape(n, c, out_h, out_w)

    def backward(grad):
        grad_cols = np.zeros_like(cols)
        grad_cols[rows, winners] = grad.reshape(-1)
        grad_x = col2im(grad_cols, single_channel, kernel_size, kernel_size, stride, 0)
        x.accumulate_grad(grad_x.reshape(x.shape))

    return _make(out, (x,), backward)


def batch_norm(
    x: Tensor,
    gamma: Tensor,
    beta: Tensor,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over every axis but the channel axis 1: (N, C) or (N, C, H, W).

    Training: normalise with the batch's mean and (biased) variance and update
    the running statistics in place (unbiased variance, as PyTorch does).
    Evaluation: normalise with the running statistics.
    """
    if x.ndim not in (2, 4):
        raise ShapeError(f"batch_norm expects (N, C) or (N, C, H, W), got {x.shape}")
    channels = gamma.shape[0]
    if x.shape[1] != channels:
        raise ShapeError(
            f"batch_norm: input {x.shape} has {x.shape[1]} channels, parameters {gamma.shape} "
            f"expect {channels}"
        )
    axes = (0,) + tuple(range(2, x.ndim))
    per_channel = [1] * x.ndim
    per_channel[1] = channels
    if training:
        count = x.size // channels
        if count < 2:
            raise ShapeError(f"batch_norm needs more than one value per channel, got {x.shape}")
        mean = x.data.mean(axis=axes, keepdims=True)
        var = x.data.var(axis=axes, keepdims=True)
        running_mean *= 1 - momentum
        running_mean += momentum * mean.reshape(-1)
        running_var *= 1 - momentum
        running_var += momentum * var.reshape(-1) * (count / (count - 1))
    else:
        mean = running_mean.reshape(per_channel)
        var = running_var.reshape(per_channel)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x.data - mean) * inv_std
    out = x_hat * gamma.data.reshape(per_channel) + beta.data.reshape(per_channel)

    def backward(grad):
        if training:
            grad_x, grad_gamma, grad_beta = _exercises().batch_norm_backward(
                grad, x_hat, inv_std, gamma.data
            )
        else:  # fixed statistics: an affine map per channel
            grad_x = grad * (gamma.data.reshape(per_channel) * inv_std)
            grad_gamma = (grad * x_hat).sum(axis=axes)
            grad_beta = grad.sum(axis=axes)
        x.accumulate_grad(grad_x.astype(x.dtype, copy=False))
        gamma.accumulate_grad(grad_gamma.astype(gamma.dtype, copy=False))
        beta.accumulate_grad(grad_beta.astype(beta.dtype, copy=False))

    return _make(out.astype(x.dtype, copy=False), (x, gamma, beta), backward)


def layer_norm(x: Tensor, gamma: Tensor, beta: Tensor, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last gamma.ndim dimensions (no running statistics)."""
    trailing = gamma.shape
    if x.shape[x.ndim - len(trailing) :] != trailing or x.ndim <= len(trailing):
        raise ShapeError(
            f"layer_norm: input {x.shape} must end with the normalised shape {trailing}"
        )
    axes = tuple(range(x.ndim - len(trailing), x.ndim))
    mean = x.data.mean(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.data.var(axis=axes, keepdims=True) + eps)
    x_hat = (x.data - mean) * inv_std
    out = x_hat * gamma.data + beta.data

    def backward(grad):
        grad_x, grad_gamma, grad_beta = _exercises().layer_norm_backward(
            grad, x_hat, inv_std, gamma.data
        )
        x.accumulate_grad(grad_x)
        gamma.accumulate_grad(grad_gamma)
        beta.accumulate_grad(grad_beta)

    return _make(out, (x, gamma, beta), backward)


def dropout(x: Tensor, p: float, training: bool, rng: np.random.Generator) -> Tensor:
    """Zero each value with probability p and scale the rest by 1/(1-p) (inverted dropout),
    so evaluation needs no rescaling. Identity when not training or p == 0."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must lie in [0, 1), got {p}")
    if not training or p == 0.0:
        return x
    keep = (rng.random(x.shape) >= p).astype(x.dtype) / np.asarray(1.0 - p, dtype=x.dtype)
    return x * as_tensor(keep)
