"""The study path's checks: one group of tests per exercise function.

By default they check the references; `EXERCISES=mine` (or a comma-separated
list of exercise names) runs them on your code. Each test compares against an
independent answer: a loop definition, a composition of simpler engine ops,
finite differences, a known value or PyTorch (skipped when it is absent).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import exercises
from {{ cookiecutter.package_name }}.autograd import Tensor
from {{ cookiecutter.package_name }}.autograd import functional as F
from {{ cookiecutter.package_name }}.autograd.windows import im2col_loops
from {{ cookiecutter.package_name }}.gradcheck import gradcheck

try:
    import torch
except ImportError:
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

R = np.random.default_rng(11)


# ------------------------------------------------------------ 1. autograd core


def test_topological_order_lists_parents_first_once_each():
    a = Tensor(np.ones(2), requires_grad=True)
    b = a * 2.0
    c = a + b  # a is reached twice: directly and through b
    d = c * c
    order = exercises.topological_order(d)
    assert len(order) == len({id(t) for t in order}), "a tensor is listed twice"
    position = {id(t): i for i, t in enumerate(order)}
    assert {id(a), id(b), id(c), id(d)} <= position.keys()
    assert order[-1] is d
    for tensor in order:
        for parent in tensor._parents:
            assert position[id(parent)] < position[id(tensor)]


def test_topological_order_handles_deep_graphs_without_recursion():
    x = Tensor(np.ones(1), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    assert len(exercises.topological_order(y)) >= 10_001
    y.sum().backward()
    assert x.grad[0] == 1.0


def test_topological_order_gives_correct_gradients_for_shared_subgraphs():
    a = Tensor(np.array([3.0]), requires_grad=True)
    b = a * a  # b = a^2
    (b * b + b).sum().backward()  # d/da (a^4 + a^2) = 4a^3 + 2a
    assert a.grad[0] == pytest.approx(4 * 27 + 6)


@pytest.mark.parametrize(
    ("grad_shape", "shape"),
    [
        ((2, 3, 4), (2, 3, 4)),
        ((2, 3, 4), (3, 1)),
        ((2, 3, 4), (4,)),
        ((2, 3, 4), ()),
        ((5, 1, 4), (1, 1, 4)),
        ((2, 3), (2, 1)),
    ],
)
def test_unbroadcast_sums_what_broadcasting_copied(grad_shape, shape):
    grad = R.standard_normal(grad_shape)
    # Independent answer: the gradient of sum(broadcast_to(a, grad_shape) * grad) w.r.t. a,
    # one element of `a` at a time.
    expected = np.zeros(shape)
    for index in np.ndindex(shape):
        bump = np.zeros(shape)
        bump[index] = 1.0
        expected[index] = (np.broadcast_to(bump, grad_shape) * grad).sum()
    result = exercises.unbroadcast(grad, shape)
    assert result.shape == shape
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------- 2. conv backward


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (1, 1), (2, 1)])
def test_conv2d_backward_matches_finite_differences(stride, padding):
    x, w, b = R.standard_normal((2, 2, 5, 5)), R.standard_normal((3, 2, 3, 3)), R.standard_normal(3)
    gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding), [x, w, b])


@needs_torch
def test_conv2d_backward_matches_torch():
    x, w = R.standard_normal((4, 3, 8, 8)), R.standard_normal((5, 3, 3, 3))
    grad_out = R.standard_normal((4, 5, 8, 8))
    cols = im2col_loops(x, 3, 3, 1, 1)
    grad_x, grad_w, grad_b = exercises.conv2d_backward(grad_out, cols, w, x.shape, 1, 1)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tb = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.conv2d(tx, tw, tb, padding=1).backward(torch.from_numpy(grad_out))
    np.testing.assert_allclose(grad_x, tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad_w, tw.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad_b, tb.grad.numpy(), rtol=1e-10, atol=1e-10)


# -------------------------------------------------- 3. normalisation layers


def _normalize_by_composition(x, gamma, beta, axes, shape):
    """Normalisation written with primitive engine ops only: autograd derives its backward."""
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    return centred * (var + 1e-5) ** -0.5 * gamma.reshape(shape) + beta.reshape(shape)


def _compare_with_composition(fused, axes, shape, x, gamma, beta):
    projection = R.standard_normal(x.shape)
    grads = []
    for build in (fused, lambda x, g, b: _normalize_by_composition(x, g, b, axes, shape)):
        tensors = [Tensor(v.copy(), requires_grad=True) for v in (x, gamma, beta)]
        (build(*tensors) * Tensor(projection)).sum().backward()
        grads.append([t.grad for t in tensors])
    for ours, composed in zip(*grads, strict=True):
        np.testing.assert_allclose(ours, composed, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 5)])
def test_batch_norm_backward_matches_autograd_of_the_formula(shape):
    x = R.standard_normal(shape) * 3 + 1
    gamma, beta = R.standard_normal(3), R.standard_normal(3)
    axes = (0,) + tuple(range(2, len(shape)))
    per_channel = (1, 3) + (1,) * (len(shape) - 2)

    def fused(x, g, b):
        return F.batch_norm(x, g, b, np.zeros(3), np.ones(3), training=True)

    _compare_with_composition(fused, axes, per_channel, x, gamma, beta)


def test_batch_norm_backward_matches_finite_differences():
    def fused(x, g, b):
        return F.batch_norm(x, g, b, np.zeros(2), np.ones(2), training=True)

    gradcheck(fused, [R.standard_normal((3, 2, 2, 2)), R.standard_normal(2), R.standard_normal(2)])


def test_layer_norm_backward_matches_autograd_of_the_formula():
    x = R.standard_normal((2, 4, 6)) * 2 - 1
    gamma, beta = R.standard_normal(6), R.standard_normal(6)
    _compare_with_composition(F.layer_norm, (2,), (6,), x, gamma, beta)


def test_layer_norm_backward_matches_finite_differences():
    gradcheck(F.layer_norm, [R.standard_normal((3, 5)), R.standard_normal(5), R.standard_normal(5)])


# ------------------------------------------------------------ 4. optimizers


def test_sgd_momentum_step_known_answer():
    param, velocity = np.array([1.0, -2.0]), np.zeros(2)
    grad = np.array([0.5, 1.0])
    exercises.sgd_momentum_step(param, grad, velocity, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(param, [0.95, -2.1])  # first step: plain gradient descent
    exercises.sgd_momentum_step(param, grad, velocity, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(velocity, [0.95, 1.9])  # 0.9 * g + g
    np.testing.assert_allclose(param, [0.95 - 0.095, -2.1 - 0.19])


def test_adamw_step_known_answer():
    """After bias correction the first Adam step is lr * g / (|g| + eps): about lr * sign(g)."""
    param, grad = np.array([1.0, -1.0, 2.0]), np.array([0.3, -4.0, 1e-3])
    m, v = np.zeros(3), np.zeros(3)
    lr, decay, eps = 0.01, 0.1, 1e-8
    exercises.adamw_step(param, grad, m, v, 1, lr, 0.9, 0.999, eps, decay)
    expected = np.array([1.0, -1.0, 2.0]) * (1 - lr * decay) - lr * grad / (np.abs(grad) + eps)
    np.testing.assert_allclose(param, expected, rtol=1e-7)
    np.testing.assert_allclose(m, 0.1 * grad)
    np.testing.assert_allclose(v, 0.001 * grad**2)


@needs_torch
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_step_matches_torch(nesterov):
    _match_torch_optimizer(
        lambda param, grad, state: exercises.sgd_momentum_step(
            param, grad, state.setdefault("v", np.zeros_like(param)), 0.05, 0.9, 1e-2, nesterov
        ),
        lambda params: torch.optim.SGD(
            params, lr=0.05, momentum=0.9, weight_decay=1e-2, nesterov=nesterov
        ),
    )


@needs_torch
def test_adamw_step_matches_torch():
    def ours(param, grad, state):
        state["t"] = state.get("t", 0) + 1
        m = state.setdefault("m", np.zeros_like(param))
        v = state.setdefault("v", np.zeros_like(param))
        exercises.adamw_step(param, grad, m, v, state["t"], 0.01, 0.9, 0.99, 1e-8, 0.05)

    _match_torch_optimizer(
        ours, lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.9, 0.99), weight_decay=0.05)
    )


def _match_torch_optimizer(ours, make_theirs, steps=6):
    param = R.standard_normal(5)
    torch_param = torch.tensor(param.copy(), requires_grad=True)
    theirs, state = make_theirs([torch_param]), {}
    for _ in range(steps):
        grad = R.standard_normal(5)
        ours(param, grad, state)
        torch_param.grad = torch.from_numpy(grad.copy())
        theirs.step()
        np.testing.assert_allclose(param, torch_param.detach().numpy(), rtol=1e-12, atol=1e-14)


# ------------------------------------------------------- 5. attention block


@pytest.mark.parametrize("causal", [False, True])
def test_scaled_dot_product_attention_forward_known_formula(causal):
    q, k, v = (R.standard_normal((2, 4, 3)) for _ in range(3))
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(3)
    if causal:
        scores = np.where(np.triu(np.ones((4, 4), bool), 1), -np.inf, scores)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    expected = weights / weights.sum(-1, keepdims=True) @ v
    out = exercises.scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), causal=causal)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("causal", [False, True])
def test_scaled_dot_product_attention_gradients_match_torch(causal):
    q, k, v = (R.standard_normal((2, 2, 5, 4)) for _ in range(3))
    grad_out = R.standard_normal((2, 2, 5, 4))
    ours = [Tensor(a, requires_grad=True) for a in (q, k, v)]
    exercises.scaled_dot_product_attention(*ours, causal=causal).backward(grad_out)
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    torch.nn.functional.scaled_dot_product_attention(*theirs, is_causal=causal).backward(
        torch.from_numpy(grad_out)
    )
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-9, atol=1e-12)


# ------------------------------------------------------ 6. performance pass


@pytest.mark.parametrize(
    ("kernel", "stride", "padding"), [(3, 1, 1), (3, 2, 0), (2, 2, 0), (1, 1, 0)]
)
def test_im2col_equals_the_loop_definition(kernel, stride, padding):
    x = R.standard_normal((2, 3, 7, 6))
    np.testing.assert_array_equal(
        exercises.im2col(x, kernel, kernel, stride, padding),
        im2col_loops(x, kernel, kernel, stride, padding),
    )


def python_lines_run(function, *args) -> int:
    """How many Python lines run inside `function` and what it calls (NumPy's C code runs none)."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        function(*args)
    finally:
        sys.settrace(None)
    return count


def test_im2col_is_vectorised():
    """No Python loop over images or windows: a count of executed lines, not a timing.

    64 images of 8x8 with a 3x3 kernel have 4,096 windows; the loop version runs at least one
    line per window, a vectorised one a few lines per kernel offset. `make profile` times both.
    """
    x = R.standard_normal((64, 3, 8, 8)).astype(np.float32)
    assert python_lines_run(im2col_loops, x, 3, 3, 1, 1) > 4096  # the count sees loops
    assert python_lines_run(exercises.im2col, x, 3, 3, 1, 1) < 4096 // 8


# ------------------------------------------------------------- the switch


def test_switch_runs_the_reference_unless_told_otherwise(monkeypatch):
    from {{ cookiecutter.package_name }}.exercises.switch import ENV_VAR, exercise

    def demo(x):
        return "mine"

    dispatch = exercise(reference=lambda x: "reference")(demo)
    for value, expected in [
        ("", "reference"),
        ("reference", "reference"),
        ("mine", "mine"),
        ("all", "mine"),
        ("other,demo", "mine"),
        ("other", "reference"),
    ]:
        monkeypatch.setenv(ENV_VAR, value)
        assert dispatch(1) == expected, value
    monkeypatch.delenv(ENV_VAR)
    assert dispatch(1) == "reference"
