"""A small reverse-mode autograd engine on NumPy: Tensor plus the ops a CNN needs."""

from . import functional
from .tensor import ShapeError, Tensor, as_tensor, no_grad

__all__ = ["ShapeError", "Tensor", "as_tensor", "functional", "no_grad"]
