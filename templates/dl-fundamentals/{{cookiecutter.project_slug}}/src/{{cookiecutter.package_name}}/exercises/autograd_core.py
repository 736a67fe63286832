"""Exercise 1, autograd core: the order of the backward pass, and unbroadcast.

Tests:     tests/test_exercises.py -k "topological_order or unbroadcast"
Yours:     EXERCISES=topological_order,unbroadcast python -m pytest tests/test_exercises.py
Reference: exercises/reference.py, section 1 (the engine runs it until you switch).
"""

from __future__ import annotations

import numpy as np

from . import reference
from .switch import exercise, not_written


@exercise(reference=reference.topological_order)
def topological_order(root) -> list:
    """Every tensor `root` depends on (root included), each listed after all of its parents.

    A tensor's inputs are `tensor._parents`. Tensor.backward() runs each tensor's
    `_backward` in the reverse of this order, so a tensor's gradient is complete
    before it is passed on. Visit each tensor once even when it is used twice
    (compare with id()), and do not recurse: a 10 000-op chain must work.
    """
    # ---- YOUR CODE: replace the line below ----
    raise not_written("topological_order", "tests/test_exercises.py")


@exercise(reference=reference.unbroadcast)
def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` down to `shape`: the backward pass of NumPy broadcasting.

    If `a` of shape (3, 1) was added to `b` of shape (2, 3, 4), the output and
    its gradient have shape (2, 3, 4); a's gradient sums the leading axis away
    and the stretched axis back to size 1: shape (3, 1).
    """
    # ---- YOUR CODE: replace the line below ----
    raise not_written("unbroadcast", "tests/test_exercises.py")
