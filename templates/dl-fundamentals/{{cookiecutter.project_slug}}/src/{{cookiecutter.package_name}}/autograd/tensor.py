"""Tensor: a NumPy array that remembers how it was made, for reverse-mode differentiation.

Every operation returns a new Tensor that keeps its parents and a `_backward`
closure turning the gradient of the output into gradients of the inputs (one
local step of the chain rule). `Tensor.backward()` runs those closures from the
output back to the leaves, in reverse topological order.

Two steps of that machinery are exercises (see `exercises/autograd_core.py`):
the topological order and `unbroadcast`; the engine calls them through
`exercises`, which runs the reference until you switch to your version.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

import numpy as np

_grad_enabled = True


class ShapeError(ValueError):
    """Raised when operand shapes do not fit; the message names both shapes."""


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block operations build no graph (evaluation, optimizer updates)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def _exercises():
    # Imported on use: exercise code may import the engine at module level.
    from .. import exercises

    return exercises


class Tensor:
    """An n-dimensional array with an optional gradient (`.grad`, same shape as `.data`)."""

    __array_priority__ = 100  # numpy_array * tensor calls Tensor.__rmul__

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = np.asarray(data, dtype=dtype)
        if requires_grad and not np.issubdtype(self.data.dtype, np.floating):
            raise TypeError(f"only floating tensors can require a gradient, got {self.data.dtype}")
        self.requires_grad = requires_grad
        self.grad: np.ndarray | None = None
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Callable[[np.ndarray], None] | None = None

    # ----------------------------------------------------------------- basics
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def numpy(self) -> np.ndarray:
        """The values, without the graph."""
        return self.data

    def item(self) -> float:
        return float(self.data.item())

    def detach(self) -> Tensor:
        """Same values, cut from the graph."""
        return Tensor(self.data)

    def __repr__(self) -> str:
        flag = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor(shape={self.shape}, dtype={self.dtype}{flag})"

    def __len__(self) -> int:
        return len(self.data)

    # --------------------------------------------------------------- autograd
    def accumulate_grad(self, grad: np.ndarray) -> None:
        """Add a gradient contribution (a tensor used twice receives two)."""
        if not self.requires_grad:
            return
        if grad.shape != self.shape:
            raise ShapeError(f"gradient of shape {grad.shape} for a tensor of shape {self.shape}")
        # `+` instead of `+=`: the incoming array may be a view shared with other tensors.
        self.grad = grad if self.grad is None else self.grad + grad

    def backward(self, grad: np.ndarray | None = None) -> None:
        """Fill `.grad` of every tensor this one depends on with d(self)/d(tensor)."""
        if grad is None:
            if self.size != 1:
                raise ShapeError(
                    f"backward() without a gradient needs a scalar, got shape {self.shape}"
                )
            grad = np.ones_like(self.data)
        grad = np.asarray(grad, dtype=self.dtype)
        if grad.shape != self.shape:
            raise ShapeError(f"backward(): gradient {grad.shape} for output {self.shape}")
        order = _exercises().topological_order(self)
        self.grad = grad if self.grad is None else self.grad + grad
        for node in reversed(order):
            if node._backward is not None and node.grad is not None:
                node._backward(node.grad)

    def zero_grad(self) -> None:
        self.grad = None

    # ------------------------------------------------------------- operations
    def __add__(self, other) -> Tensor:
        other = as_tensor(other, like=self)
        _broadcast_shape("add", self.shape, other.shape)
        unbroadcast = _exercises().unbroadcast

        def backward(grad):
            self.accumulate_grad(unbroadcast(grad, self.shape))
            other.accumulate_grad(unbroadcast(grad, other.shape))

        return _make(self.data + other.data, (self, other), backward)

    __radd__ = __add__

    def __neg__(self) -> Tensor:
        return _make(-self.data, (self,), lambda grad: self.accumulate_grad(-grad))

    def __sub__(self, other) -> Tensor:
        return self + (-as_tensor(other, like=self))

    def __rsub__(self, other) -> Tensor:
        return as_tensor(other, like=self) + (-self)

    def __mul__(self, other) -> Tensor:
        other = as_tensor(other, like=self)
        _broadcast_shape("mul", self.shape, other.shape)
        unbroadcast = _exercises().unbroadcast

        def backward(grad):
            self.accumulate_grad(unbroadcast(grad * other.data, self.shape))
            other.accumulate_grad(unbroadcast(grad * self.data, other.shape))

        return _make(self.data * other.data, (self, other), backward)

    __rmul__ = __mul__

    def __truediv__(self, other) -> Tensor:
        other = as_tensor(other, like=self)
        _broadcast_shape("div", self.shape, other.shape)
        unbroadcast = _exercises().unbroadcast

        def backward(grad):
            self.accumulate_grad(unbroadcast(grad / other.data, self.shape))
            other.accumulate_grad(
                unbroadcast(-grad * self.data / (other.data * other.data), other.shape)
            )

        return _make(self.data / other.data, (self, other), backward)

    def __rtruediv__(self, other) -> Tensor:
        return as_tensor(other, like=self) / self

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, Tensor):
            raise TypeError("only a constant (Python number) exponent is supported")

        def backward(grad):
            self.accumulate_grad(grad * exponent * self.data ** (exponent - 1))

        return _make(self.data**exponent, (self,), backward)

    def __matmul__(self, other) -> Tensor:
        other = as_tensor(other, like=self)
        if self.ndim < 2 or other.ndim < 2:
            raise ShapeError(
                f"matmul needs at least 2-D operands, got {self.shape} @ {other.shape}"
            )
        if self.shape[-1] != other.shape[-2]:
            raise ShapeError(
                f"matmul: inner dimensions differ: {self.shape} @ {other.shape} "
                f"({self.shape[-1]} != {other.shape[-2]})"
            )
        _broadcast_shape("matmul (batch dimensions)", self.shape[:-2], other.shape[:-2])
        unbroadcast = _exercises().unbroadcast

        def backward(grad):
            if self.requires_grad:
                self.accumulate_grad(
                    unbroadcast(grad @ np.swapaxes(other.data, -1, -2), self.shape)
                )
            if other.requires_grad:
                other.accumulate_grad(
                    unbroadcast(np.swapaxes(self.data, -1, -2) @ grad, other.shape)
                )

        return _make(self.data @ other.data, (self, other), backward)

    def __rmatmul__(self, other) -> Tensor:
        return as_tensor(other, like=self) @ self

    def reshape(self, *shape) -> Tensor:
        """Same values, new shape (one dimension may be -1)."""
        if len(shape) == 1 and isinstance(shape[0], Sequence):
            shape = tuple(shape[0])
        try:
            data = self.data.reshape(shape)
        except ValueError:
            raise ShapeError(
                f"cannot reshape {self.shape} ({self.size} values) into {shape}"
            ) from None
        return _make(data, (self,), lambda grad: self.accumulate_grad(grad.reshape(self.shape)))

    def __getitem__(self, index) -> Tensor:
        """NumPy indexing (slices, integers, index arrays); repeated indices add up."""
        if isinstance(index, Tensor):
            index = index.data

        def backward(grad):
            full = np.zeros_like(self.data)
            np.add.at(full, index, grad)
            self.accumulate_grad(full)

        return _make(self.data[index], (self,), backward)

    def flatten(self, start_dim: int = 1) -> Tensor:
        """Merge the dimensions from `start_dim` on (default: keep the batch dimension)."""
        return self.reshape(*self.shape[:start_dim], -1)

    def transpose(self, *axes) -> Tensor:
        """Permute dimensions like `np.transpose` (no axes: reverse them)."""
        if len(axes) == 1 and isinstance(axes[0], Sequence):
            axes = tuple(axes[0])
        axes = tuple(axes) if axes else tuple(reversed(range(self.ndim)))
        if sorted(a % self.ndim for a in axes) != list(range(self.ndim)):
            raise ShapeError(
                f"transpose: axes {axes} do not permute a tensor of shape {self.shape}"
            )
        inverse = np.argsort([a % self.ndim for a in axes])

        def backward(grad):
            self.accumulate_grad(grad.transpose(inverse))

        return _make(self.data.transpose(axes), (self,), backward)

    @property
    def T(self) -> Tensor:  # noqa: N802 - NumPy's name
        return self.transpose()

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self.transpose(axes)

    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        """Sum over `axis` (an int, a tuple, or None for all)."""
        axes = _normalize_axes(axis, self.ndim)

        def backward(grad):
            if not keepdims:
                grad = np.expand_dims(grad, axes)
            self.accumulate_grad(np.broadcast_to(grad, self.shape))

        return _make(self.data.sum(axis=axes, keepdims=keepdims), (self,), backward)

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        """Mean over `axis` (an int, a tuple, or None for all)."""
        axes = _normalize_axes(axis, self.ndim)
        count = int(np.prod([self.shape[a] for a in axes]))
        return self.sum(axis=axes, keepdims=keepdims) * (1.0 / count)

    def exp(self) -> Tensor:
        out_data = np.exp(self.data)
        return _make(out_data, (self,), lambda grad: self.accumulate_grad(grad * out_data))

    def log(self) -> Tensor:
        return _make(
            np.log(self.data), (self,), lambda grad: self.accumulate_grad(grad / self.data)
        )


def as_tensor(value, like: Tensor | None = None) -> Tensor:
    """`value` as a Tensor; Python numbers take the dtype of `like` (no silent float64)."""
    if isinstance(value, Tensor):
        return value
    if like is not None and np.isscalar(value):
        return Tensor(np.asarray(value, dtype=like.dtype))
    return Tensor(value)


def _make(data: np.ndarray, parents: tuple[Tensor, ...], backward) -> Tensor:
    """The result of an operation; it joins the graph only when a parent needs a gradient."""
    out = Tensor(data)
    if _grad_enabled and any(parent.requires_grad for parent in parents):
        out.requires_grad = True
        out._parents = parents
        out._backward = backward
    return out


def _broadcast_shape(op: str, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise ShapeError(f"{op}: shapes {a} and {b} cannot be broadcast together") from None


def _normalize_axes(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
    return tuple(sorted(a % ndim for a in axes))
