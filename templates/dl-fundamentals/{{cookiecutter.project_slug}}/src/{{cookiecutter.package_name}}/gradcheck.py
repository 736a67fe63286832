"""Numerical gradient checking: autograd against central finite differences.

For an operation f and inputs x_i, backpropagate a random projection of the
output, L = sum(f(x) * R), and compare dL/dx_i with
(L(x + eps e_j) - L(x - eps e_j)) / (2 eps) for every element j. The random R
makes every output element count, so a wrong Jacobian cannot hide.
Run in float64: in float32 the rounding error of the differences swamps them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .autograd import Tensor, no_grad


def numerical_gradient(loss: Callable[[], float], array: np.ndarray, eps: float) -> np.ndarray:
    """Central differences of `loss()` with respect to every element of `array` (in place,
    restored afterwards)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        plus = loss()
        array[index] = original - eps
        minus = loss()
        array[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[np.ndarray],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    seed: int = 0,
) -> list[np.ndarray]:
    """Assert that autograd's gradients of fn(*inputs) match finite differences.

    fn takes Tensors and returns a Tensor; inputs are converted to float64.
    Returns the analytic gradients. Raises AssertionError naming the input and
    the largest mismatch.
    """
    arrays = [np.array(x, dtype=np.float64) for x in inputs]
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors)
    projection = np.random.default_rng(seed).standard_normal(out.shape)
    (out * Tensor(projection)).sum().backward()

    def loss() -> float:
        with no_grad():
            return float((fn(*[Tensor(a) for a in arrays]).data * projection).sum())

    analytic = []
    for position, tensor in enumerate(tensors):
        got = tensor.grad if tensor.grad is not None else np.zeros_like(tensor.data)
        expected = numerical_gradient(loss, arrays[position], eps)
        error = np.abs(got - expected)
        if not np.all(error <= atol + rtol * np.abs(expected)):
            worst = np.unravel_index(np.argmax(error), error.shape)
            raise AssertionError(
                f"gradient of input {position} (shape {tensor.shape}) is wrong: at {worst} "
                f"autograd gives {got[worst]:.8g}, finite differences {expected[worst]:.8g} "
                f"(max abs error {error.max():.3g})"
            )
        analytic.append(got)
    return analytic
