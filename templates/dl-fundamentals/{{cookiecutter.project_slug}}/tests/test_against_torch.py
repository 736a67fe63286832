"""The engine against PyTorch: forward values and gradients of every operation, whole
models, optimizer steps, the schedule, and a full training step."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
tF = torch.nn.functional

from {{ cookiecutter.package_name }} import optim  # noqa: E402
from {{ cookiecutter.package_name }}.autograd import Tensor  # noqa: E402
from {{ cookiecutter.package_name }}.autograd import functional as F  # noqa: E402
from {{ cookiecutter.package_name }}.exercises import scaled_dot_product_attention  # noqa: E402
from {{ cookiecutter.package_name }}.models import build_model  # noqa: E402
from {{ cookiecutter.package_name }}.torch_reference import build_torch_model, copy_weights  # noqa: E402
from {{ cookiecutter.package_name }}.train import load_config  # noqa: E402

R = np.random.default_rng(7)
LABELS = np.array([2, 0, 4, 4, 1])


def normal(*shape):
    return R.standard_normal(shape)


def bn_train(ours):
    def run(x, gamma, beta):
        channels = gamma.shape[0]
        mean, var = np.zeros(channels), np.ones(channels)
        if ours:
            return F.batch_norm(x, gamma, beta, mean, var, training=True, momentum=0.1)
        return tF.batch_norm(
            x,
            torch.from_numpy(mean),
            torch.from_numpy(var),
            gamma,
            beta,
            training=True,
            momentum=0.1,
        )

    return run


# (name, ours(Tensors...), theirs(torch tensors...), inputs)
CASES = [
    ("add_broadcast", lambda a, b: a + b, lambda a, b: a + b, [normal(2, 3, 4), normal(3, 1)]),
    ("mul_broadcast", lambda a, b: a * b, lambda a, b: a * b, [normal(2, 3, 4), normal(4)]),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [normal(3, 4), normal(3, 4) + 3]),
    ("matmul_batched", lambda a, b: a @ b, lambda a, b: a @ b, [normal(2, 3, 4), normal(4, 5)]),
    (
        "reshape_transpose",
        lambda a: a.reshape(6, 4).transpose(1, 0),
        lambda a: a.reshape(6, 4).permute(1, 0),
        [normal(2, 3, 4)],
    ),
    (
        "sum_mean",
        lambda a: a.sum(axis=0) + a.mean(axis=(0, 1), keepdims=True),
        lambda a: a.sum(dim=0) + a.mean(dim=(0, 1), keepdim=True),
        [normal(2, 3, 4)],
    ),
    ("exp_log", lambda a: (a.exp() + 1).log(), lambda a: (a.exp() + 1).log(), [normal(3, 4)]),
    ("relu", F.relu, torch.relu, [normal(4, 5)]),
    ("gelu", F.gelu, lambda a: tF.gelu(a, approximate="tanh"), [normal(4, 5) * 3]),
    ("softmax", lambda a: F.softmax(a, axis=1), lambda a: torch.softmax(a, dim=1), [normal(3, 5)]),
    (
        "cross_entropy",
        lambda a: F.cross_entropy(a, LABELS),
        lambda a: tF.cross_entropy(a, torch.from_numpy(LABELS)),
        [normal(5, 6) * 5],
    ),
    (
        "conv2d",
        lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1),
        lambda x, w, b: tF.conv2d(x, w, b, stride=1, padding=1),
        [normal(2, 3, 6, 6), normal(4, 3, 3, 3), normal(4)],
    ),
    (
        "conv2d_strided",
        lambda x, w: F.conv2d(x, w, None, stride=2, padding=1),
        lambda x, w: tF.conv2d(x, w, None, stride=2, padding=1),
        [normal(2, 2, 7, 7), normal(3, 2, 3, 3)],
    ),
    (
        "max_pool2d",
        lambda x: F.max_pool2d(x, 2),
        lambda x: tF.max_pool2d(x, 2),
        [normal(2, 3, 6, 6)],
    ),
    (
        "max_pool2d_relu_ties",
        lambda x: F.max_pool2d(F.relu(x), 2),
        lambda x: tF.max_pool2d(torch.relu(x), 2),
        [normal(2, 3, 4, 4) - 1],
    ),
    (
        "batch_norm_train",
        bn_train(True),
        bn_train(False),
        [normal(4, 3, 5, 5), normal(3), normal(3)],
    ),
    (
        "layer_norm",
        lambda x, g, b: F.layer_norm(x, g, b),
        lambda x, g, b: tF.layer_norm(x, (5,), g, b),
        [normal(2, 3, 5), normal(5), normal(5)],
    ),
    (
        "attention_causal",
        lambda q, k, v: scaled_dot_product_attention(q, k, v, causal=True),
        lambda q, k, v: tF.scaled_dot_product_attention(q, k, v, is_causal=True),
        [normal(2, 2, 4, 3), normal(2, 2, 4, 3), normal(2, 2, 4, 3)],
    ),
]


@pytest.mark.parametrize(("name", "ours", "theirs", "inputs"), CASES, ids=[c[0] for c in CASES])
def test_forward_and_gradients_match_torch(name, ours, theirs, inputs):
    projection = normal(*ours(*[Tensor(x) for x in inputs]).shape)
    our_inputs = [Tensor(x.copy(), requires_grad=True) for x in inputs]
    our_out = ours(*our_inputs)
    (our_out * Tensor(projection)).sum().backward()
    torch_inputs = [torch.tensor(x, requires_grad=True) for x in inputs]
    torch_out = theirs(*torch_inputs)
    (torch_out * torch.from_numpy(projection)).sum().backward()
    np.testing.assert_allclose(our_out.data, torch_out.detach().numpy(), rtol=1e-9, atol=1e-10)
    for ours_in, torch_in in zip(our_inputs, torch_inputs, strict=True):
        np.testing.assert_allclose(ours_in.grad, torch_in.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_batch_norm_running_statistics_and_eval_mode_match_torch():
    x = normal(8, 3, 4, 4)
    ours_mean, ours_var = np.zeros(3), np.ones(3)
    theirs = torch.nn.BatchNorm2d(3).double()
    gamma, beta = Tensor(np.ones(3)), Tensor(np.zeros(3))
    for _ in range(3):
        F.batch_norm(Tensor(x), gamma, beta, ours_mean, ours_var, training=True)
        theirs(torch.from_numpy(x))
    np.testing.assert_allclose(ours_mean, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours_var, theirs.running_var.numpy(), rtol=1e-12)
    theirs.eval()
    ours_out = F.batch_norm(Tensor(x), gamma, beta, ours_mean, ours_var, training=False)
    np.testing.assert_allclose(
        ours_out.data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-10, atol=1e-12
    )


def without_dropout(model: str) -> dict:
    """A config of `model` with dropout off (the attention model has none)."""
    dropout = [] if model == "attention" else ["+model.dropout=0.0"]
    return load_config(None, [f"model.name={model}", *dropout])


@pytest.mark.parametrize("model", ["mlp", "cnn", "attention"])
def test_whole_models_match_their_torch_twins(model):
    cfg = without_dropout(model)
    ours = build_model(cfg)
    theirs = build_torch_model(cfg)
    copy_weights(theirs, ours.state_dict())
    x = normal(16, 64).astype(np.float32)
    labels = R.integers(0, 10, 16)
    loss = F.cross_entropy(ours(Tensor(x)), labels)
    loss.backward()
    torch_loss = tF.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(labels))
    torch_loss.backward()
    assert loss.item() == pytest.approx(torch_loss.item(), rel=1e-5)
    torch_params = dict(theirs.named_parameters())
    for name, param in ours.named_parameters():
        np.testing.assert_allclose(
            param.grad, torch_params[name].grad.numpy(), rtol=2e-3, atol=2e-6, err_msg=name
        )


OPTIMIZERS = [
    (
        "sgd_momentum",
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
    ),
    (
        "sgd_nesterov",
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    ),
    (
        "adam_l2",
        lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1),
    ),
    (
        "adamw",
        lambda p: optim.AdamW(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
    ),
]


@pytest.mark.parametrize(("name", "ours", "theirs"), OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizer_steps_match_torch(name, ours, theirs):
    start = [normal(3, 4), normal(4)]
    our_params = [Tensor(p.copy(), requires_grad=True) for p in start]
    torch_params = [torch.tensor(p, requires_grad=True) for p in start]
    our_opt, torch_opt = ours(our_params), theirs(torch_params)
    for _ in range(5):
        grads = [normal(*p.shape) for p in start]
        for param, grad in zip(our_params, grads, strict=True):
            param.grad = grad
        for param, grad in zip(torch_params, grads, strict=True):
            param.grad = torch.from_numpy(grad)
        our_opt.step()
        torch_opt.step()
        for ours_p, torch_p in zip(our_params, torch_params, strict=True):
            np.testing.assert_allclose(
                ours_p.data, torch_p.detach().numpy(), rtol=1e-12, atol=1e-14
            )


def test_cosine_schedule_matches_torch():
    param = Tensor(np.zeros(1), requires_grad=True)
    ours = optim.CosineSchedule(optim.SGD([param], lr=0.5), total_steps=20, min_lr=0.01)
    torch_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(torch_opt, T_max=20, eta_min=0.01)
    for _ in range(25):
        assert ours.optimizer.param_groups[0]["lr"] == pytest.approx(
            torch_opt.param_groups[0]["lr"], rel=1e-9, abs=1e-12
        )
        ours.step()
        if theirs.last_epoch < 20:  # torch's recursive form cycles back up after T_max
            torch_opt.step()
            theirs.step()
        else:
            torch_opt.param_groups[0]["lr"] = 0.01


def test_training_steps_match_torch():
    """Model, loss, backward, AdamW with parameter groups and the schedule, 5 steps."""
    cfg = without_dropout("cnn")
    ours = build_model(cfg)
    theirs = build_torch_model(cfg)
    copy_weights(theirs, ours.state_dict())
    our_opt = optim.build_optimizer(cfg, ours)
    from {{ cookiecutter.package_name }}.torch_reference import torch_optimizer

    torch_opt = torch_optimizer(cfg, theirs)
    x = normal(32, 64).astype(np.float32)
    labels = R.integers(0, 10, 32)
    for _ in range(5):
        loss = F.cross_entropy(ours(Tensor(x)), labels)
        our_opt.zero_grad()
        loss.backward()
        our_opt.step()
        torch_loss = tF.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(labels))
        torch_opt.zero_grad()
        torch_loss.backward()
        torch_opt.step()
        assert loss.item() == pytest.approx(torch_loss.item(), rel=1e-4)
    torch_state = theirs.state_dict()
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(
            value, torch_state[name].numpy(), rtol=1e-3, atol=1e-5, err_msg=name
        )
