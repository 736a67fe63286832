"""Exercise 5, an attention block: scaled dot-product attention from engine Tensors.

Tests:     tests/test_exercises.py -k scaled_dot_product_attention (against PyTorch)
Yours:     EXERCISES=scaled_dot_product_attention python -m pytest tests/test_exercises.py
Reference: exercises/reference.py, section 5. Used by nn/attention.py (SelfAttention),
           trained by `make train CONFIG=configs/attention.yaml`.
"""

from __future__ import annotations

from . import reference
from .switch import exercise, not_written


@exercise(reference=reference.scaled_dot_product_attention)
def scaled_dot_product_attention(q, k, v, causal: bool = False):
    """softmax(q @ k^T / sqrt(d) [+ causal mask]) @ v, for Tensors of shape (..., T, d).

    Build it from engine operations only (`@`, `.swapaxes`, `*`, `+`,
    `autograd.functional.softmax`): then autograd gives the backward pass for
    free. With causal=True, position t must not attend to positions after t
    (add -inf to those scores before the softmax).
    """
    # ---- YOUR CODE: replace the line below ----
    raise not_written("scaled_dot_product_attention", "tests/test_exercises.py")
