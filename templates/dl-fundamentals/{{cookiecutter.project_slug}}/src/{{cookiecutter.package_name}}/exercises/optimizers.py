"""Exercise 4, optimizers: one step of SGD with momentum and one step of AdamW.

Tests:     tests/test_exercises.py -k "sgd_momentum_step or adamw_step" (against torch.optim)
Yours:     EXERCISES=sgd_momentum_step,adamw_step python -m pytest tests/test_exercises.py
Reference: exercises/reference.py, section 4. The optimizer classes: optim.py.
"""

from __future__ import annotations

import numpy as np

from . import reference
from .switch import exercise, not_written


@exercise(reference=reference.sgd_momentum_step)
def sgd_momentum_step(
    param: np.ndarray,
    grad: np.ndarray,
    velocity: np.ndarray,
    lr: float,
    momentum: float,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> None:
    """Update `param` and `velocity` IN PLACE (use `-=`, `*=`; return nothing).

    PyTorch's convention: g = grad + weight_decay * param; velocity = momentum *
    velocity + g; param -= lr * velocity (Nesterov: lr * (g + momentum * velocity)).
    """
    # ---- YOUR CODE: replace the line below ----
    raise not_written("sgd_momentum_step", "tests/test_exercises.py")


@exercise(reference=reference.adamw_step)
def adamw_step(
    param: np.ndarray,
    grad: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    step: int,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
) -> None:
    """Update `param`, `exp_avg` and `exp_avg_sq` IN PLACE; `step` counts from 1.

    Decoupled weight decay (Loshchilov & Hutter) shrinks param by lr * weight_decay
    before the Adam update; both moment estimates need bias correction.
    (Plain Adam with L2 decay is this function with the decay folded into grad.)
    """
    # ---- YOUR CODE: replace the line below ----
    raise not_written("adamw_step", "tests/test_exercises.py")
