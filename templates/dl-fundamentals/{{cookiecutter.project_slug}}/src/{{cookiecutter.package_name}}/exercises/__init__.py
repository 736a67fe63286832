"""The study path: six exercises, each a function the engine calls.

Every function here runs the reference in `reference.py` until the EXERCISES
environment variable selects yours (see `switch.py`);
`python -m {{ cookiecutter.package_name }}.exercises`
shows which ones you have written.
"""

from .attention import scaled_dot_product_attention
from .autograd_core import topological_order, unbroadcast
from .conv_backward import conv2d_backward
from .normalization import batch_norm_backward, layer_norm_backward
from .optimizers import adamw_step, sgd_momentum_step
from .performance import im2col

# In study-path order: (milestone, exercise function).
EXERCISES = [
    ("1. autograd core", topological_order),
    ("1. autograd core", unbroadcast),
    ("2. conv backward", conv2d_backward),
    ("3. normalisation layers", batch_norm_backward),
    ("3. normalisation layers", layer_norm_backward),
    ("4. optimizers", sgd_momentum_step),
    ("4. optimizers", adamw_step),
    ("5. attention block", scaled_dot_product_attention),
    ("6. performance pass", im2col),
]

__all__ = [
    "EXERCISES",
    "adamw_step",
    "batch_norm_backward",
    "conv2d_backward",
    "im2col",
    "layer_norm_backward",
    "scaled_dot_product_attention",
    "sgd_momentum_step",
    "topological_order",
    "unbroadcast",
]
