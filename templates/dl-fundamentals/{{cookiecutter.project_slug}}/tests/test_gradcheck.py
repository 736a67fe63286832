"""Every operation of the engine against central finite differences (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.autograd import functional as F
from {{ cookiecutter.package_name }}.exercises import scaled_dot_product_attention
from {{ cookiecutter.package_name }}.gradcheck import gradcheck

R = np.random.default_rng(42)


def normal(*shape):
    return R.standard_normal(shape)


def away_from_zero(*shape):
    """Values with |x| >= 0.2: no finite difference straddles ReLU's kink."""
    x = R.uniform(0.2, 1.5, shape)
    return x * R.choice([-1.0, 1.0], shape)


def distinct(*shape):
    """A shuffled grid of values 0.1 apart: no ties inside a pooling window."""
    return R.permutation(np.arange(np.prod(shape)) * 0.1).reshape(shape)


def batch_norm_train(x, gamma, beta):
    channels = gamma.shape[0]
    return F.batch_norm(x, gamma, beta, np.zeros(channels), np.ones(channels), training=True)


def batch_norm_eval(x, gamma, beta):
    channels = gamma.shape[0]
    mean, var = np.linspace(-0.5, 0.5, channels), np.linspace(0.5, 2.0, channels)
    return F.batch_norm(x, gamma, beta, mean, var, training=False)


# Constant operands (drawn once: a function under check must be deterministic).
W32, W243 = normal(3, 2), normal(2, 4, 3)

# (name, function of Tensors, inputs): one case or more per operation.
CASES = [
    ("add_broadcast", lambda a, b: a + b, [normal(2, 3, 4), normal(3, 1)]),
    ("sub_broadcast", lambda a, b: a - b, [normal(3, 4), normal(4)]),
    ("neg", lambda a: -a, [normal(3, 2)]),
    ("mul_broadcast", lambda a, b: a * b, [normal(2, 3, 4), normal(1, 4)]),
    ("mul_same_tensor", lambda a: a * a, [normal(3, 3)]),
    ("div", lambda a, b: a / b, [normal(3, 4), away_from_zero(3, 4)]),
    ("pow", lambda a: a**3, [normal(5)]),
    ("matmul", lambda a, b: a @ b, [normal(3, 4), normal(4, 5)]),
    ("matmul_batched_broadcast", lambda a, b: a @ b, [normal(2, 3, 4), normal(4, 2)]),
    ("reshape", lambda a: a.reshape(4, 6) * np.arange(24).reshape(4, 6), [normal(2, 3, 4)]),
    ("transpose", lambda a: a.transpose(2, 0, 1) @ W32, [normal(2, 3, 4)]),
    ("swapaxes", lambda a: a.swapaxes(-1, -2) * W243, [normal(2, 3, 4)]),
    ("getitem_slice", lambda a: a[1:, ::2], [normal(3, 4)]),
    ("getitem_repeated_index", lambda a: a[np.array([0, 2, 0])], [normal(3, 2)]),
    ("sum_all", lambda a: a.sum(), [normal(3, 4)]),
    ("sum_axis", lambda a: a.sum(axis=1), [normal(2, 3, 4)]),
    ("sum_keepdims", lambda a: a.sum(axis=(0, 2), keepdims=True), [normal(2, 3, 4)]),
    ("mean_axis", lambda a: a.mean(axis=-1), [normal(2, 3, 4)]),
    ("exp", lambda a: a.exp(), [normal(3, 4)]),
    ("log", lambda a: a.log(), [R.uniform(0.5, 2.0, (3, 4))]),
    ("relu", F.relu, [away_from_zero(4, 5)]),
    ("gelu", F.gelu, [normal(4, 5) * 2]),
    ("softmax", lambda a: F.softmax(a, axis=-1), [normal(3, 5)]),
    ("softmax_axis0", lambda a: F.softmax(a, axis=0), [normal(3, 5)]),
    ("cross_entropy", lambda a: F.cross_entropy(a, np.array([0, 3, 1, 3])), [normal(4, 5)]),
    (
        "conv2d_padding",
        lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1),
        [normal(2, 2, 5, 5), normal(3, 2, 3, 3), normal(3)],
    ),
    (
        "conv2d_stride",
        lambda x, w: F.conv2d(x, w, None, stride=2, padding=0),
        [normal(2, 3, 6, 6), normal(2, 3, 2, 2)],
    ),
    ("max_pool2d", lambda x: F.max_pool2d(x, 2), [distinct(2, 2, 4, 4)]),
    ("max_pool2d_overlapping", lambda x: F.max_pool2d(x, 3, stride=1), [distinct(1, 2, 4, 5)]),
    ("batch_norm_train_2d", batch_norm_train, [normal(6, 3), normal(3), normal(3)]),
    ("batch_norm_train_4d", batch_norm_train, [normal(3, 2, 3, 3), normal(2), normal(2)]),
    ("batch_norm_eval", batch_norm_eval, [normal(3, 2, 2, 2), normal(2), normal(2)]),
    ("layer_norm", lambda x, g, b: F.layer_norm(x, g, b), [normal(2, 3, 5), normal(5), normal(5)]),
    ("dropout", lambda x: F.dropout(x, 0.4, True, np.random.default_rng(0)), [normal(4, 5)]),
    (
        "attention",
        lambda q, k, v: scaled_dot_product_attention(q, k, v),
        [normal(2, 3, 4), normal(2, 5, 4), normal(2, 5, 3)],
    ),
    (
        "attention_causal",
        lambda q, k, v: scaled_dot_product_attention(q, k, v, causal=True),
        [normal(1, 4, 3), normal(1, 4, 3), normal(1, 4, 2)],
    ),
]


@pytest.mark.parametrize(("name", "fn", "inputs"), CASES, ids=[case[0] for case in CASES])
def test_gradient_matches_finite_differences(name, fn, inputs):
    grads = gradcheck(fn, inputs)
    assert all(np.isfinite(g).all() for g in grads)


def test_gradcheck_catches_a_wrong_gradient():
    """The checker itself must fail on a wrong backward pass (here: d/dx x^2 := x)."""
    from {{ cookiecutter.package_name }}.autograd.tensor import _make

    def wrong_square(x):
        return _make(x.data**2, (x,), lambda grad: x.accumulate_grad(grad * x.data))

    with pytest.raises(AssertionError, match="gradient of input 0"):
        gradcheck(wrong_square, [normal(3)])


def test_every_operation_has_a_gradient_check():
    """New operations must come with a case above: this lists the engine's differentiable API."""
    import inspect

    from {{ cookiecutter.package_name }}.autograd import Tensor

    functions = {
        name
        for name, member in inspect.getmembers(F, inspect.isfunction)
        if member.__module__ == F.__name__ and not name.startswith("_")
    }
    methods = {"add", "sub", "neg", "mul", "div", "pow", "matmul", "reshape", "transpose"}
    methods |= {"swapaxes", "getitem", "sum", "mean", "exp", "log"}
    assert all(hasattr(Tensor, f"__{m}__") or hasattr(Tensor, m) for m in methods - {"div"})
    covered = {case[0] for case in CASES}
    for name in functions | methods:
        assert any(case.startswith(name) for case in covered), f"no gradient check for {name}"
