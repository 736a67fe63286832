"""Optimizers (SGD with momentum, Adam, AdamW) and a cosine learning-rate schedule.

Parameter groups work as in PyTorch: pass a list of dicts such as
[{"params": weights, "weight_decay": 1e-4}, {"params": norms_and_biases, "weight_decay": 0}].
The update rules themselves are exercise 4 (exercises/optimizers.py).
"""

from __future__ import annotations

import math

import numpy as np

from . import exercises
from .core.errors import ConfigError
from .nn import Module, Parameter


class Optimizer:
    """Holds parameter groups (each with its own hyper-parameters) and per-parameter state."""

    def __init__(self, params, defaults: dict):
        params = list(params)
        groups = params if params and isinstance(params[0], dict) else [{"params": params}]
        self.param_groups = [
            {**defaults, **group, "params": list(group["params"])} for group in groups
        ]
        self.state: dict[int, dict] = {}

    def zero_grad(self) -> None:
        for group in self.param_groups:
            for param in group["params"]:
                param.grad = None

    def step(self) -> None:
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    self.update(param, param.grad, group, self.state.setdefault(id(param), {}))

    def update(self, param: Parameter, grad: np.ndarray, group: dict, state: dict) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with (optionally Nesterov) momentum and L2 weight decay."""

    def __init__(
        self,
        params,
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        super().__init__(
            params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)
        )

    def update(self, param, grad, group, state):
        if "velocity" not in state:
            state["velocity"] = np.zeros_like(param.data)
        exercises.sgd_momentum_step(
            param.data,
            grad,
            state["velocity"],
            group["lr"],
            group["momentum"],
            group["weight_decay"],
            group["nesterov"],
        )


class AdamW(Optimizer):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""

    decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ):
        super().__init__(
            params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)
        )

    def update(self, param, grad, group, state):
        if not state:
            state.update(
                step=0, exp_avg=np.zeros_like(param.data), exp_avg_sq=np.zeros_like(param.data)
            )
        state["step"] += 1
        decay = group["weight_decay"]
        if not self.decoupled and decay:  # Adam: L2 decay goes through the moments
            grad, decay = grad + decay * param.data, 0.0
        beta1, beta2 = group["betas"]
        exercises.adamw_step(
            param.data,
            grad,
            state["exp_avg"],
            state["exp_avg_sq"],
            state["step"],
            group["lr"],
            beta1,
            beta2,
            group["eps"],
            decay,
        )


class Adam(AdamW):
    """Adam (Kingma & Ba, 2015); weight_decay is an L2 term added to the gradient."""

    decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr, betas, eps, weight_decay)


def cosine_lr(
    step: int,
    base_lr: float,
    total_steps: int,
    warmup_steps: int = 0,
    min_lr: float = 0.0,
    decay: bool = True,
) -> float:
    """Learning rate after `step` steps: linear warm-up, then a half cosine to min_lr (or, with
    decay=False, the base rate from then on)."""
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    if not decay:
        return base_lr
    span = max(1, total_steps - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / span)
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))


class CosineSchedule:
    """Linear warm-up for `warmup_steps`, then cosine decay from each group's base lr to
    min_lr at `total_steps` (decay=False: constant after the warm-up). Call step() once per
    optimizer step, after it."""

    def __init__(
        self,
        optimizer: Optimizer,
        total_steps: int,
        warmup_steps: int = 0,
        min_lr: float = 0.0,
        decay: bool = True,
    ):
        self.optimizer, self.total_steps = optimizer, total_steps
        self.warmup_steps, self.min_lr, self.decay = warmup_steps, min_lr, decay
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.step_count = 0
        self._apply()

    def lr_at(self, step: int, base_lr: float) -> float:
        """The learning rate after `step` optimizer steps."""
        return cosine_lr(
            step, base_lr, self.total_steps, self.warmup_steps, self.min_lr, self.decay
        )

    def step(self) -> None:
        self.step_count += 1
        self._apply()

    def _apply(self) -> None:
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = self.lr_at(self.step_count, base_lr)


def decay_groups(model: Module, weight_decay: float) -> list[dict]:
    """Weight decay on weight matrices and kernels only, not on biases or norm scales
    (decaying those only fights the normalisation)."""
    decay, no_decay = [], []
    for _, param in model.named_parameters():
        (decay if param.ndim >= 2 else no_decay).append(param)
    return [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]


def build_optimizer(cfg: dict, model: Module) -> Optimizer:
    """The optimizer of the config's ``optimizer:`` section: name (sgd, adam or adamw), lr,
    weight_decay, momentum and nesterov (sgd)."""
    settings = cfg["optimizer"]
    groups = decay_groups(model, settings["weight_decay"])
    name, lr = settings["name"], settings["lr"]
    if name == "sgd":
        nesterov = settings.get("nesterov", False)
        return SGD(groups, lr=lr, momentum=settings["momentum"], nesterov=nesterov)
    if name == "adam":
        return Adam(groups, lr=lr)
    if name == "adamw":
        return AdamW(groups, lr=lr)
    raise ConfigError(f"optimizer.name must be sgd, adam or adamw, not {name!r}")


def schedule_plan(cfg: dict, steps_per_epoch: int) -> tuple[int, int, bool]:
    """(total steps, warm-up steps, decay) of the config's ``scheduler:`` section: name cosine
    (warm-up, then cosine decay to 0) or constant (warm-up, then the base rate)."""
    settings = cfg["scheduler"]
    name = str(settings.get("name", "cosine")).lower()
    if name not in ("cosine", "constant", "none"):
        raise ConfigError(f"scheduler.name must be cosine or constant, not {name!r}")
    warmup = int(float(settings.get("warmup_epochs", 0)) * steps_per_epoch)
    return int(cfg["epochs"]) * steps_per_epoch, warmup, name == "cosine"


def build_schedule(cfg: dict, optimizer: Optimizer, steps_per_epoch: int) -> CosineSchedule:
    """The NumPy engine's learning-rate schedule for the config (see schedule_plan)."""
    total, warmup, decay = schedule_plan(cfg, steps_per_epoch)
    return CosineSchedule(optimizer, total, warmup, decay=decay)
