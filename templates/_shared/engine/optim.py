"""Optimizer and per-step learning-rate schedule from the config."""

from __future__ import annotations

import math

import torch

from ..core.errors import ConfigError


def build_optimizer(model: torch.nn.Module, cfg: dict) -> torch.optim.Optimizer:
    """adamw or sgd (with momentum); no weight decay on biases and normalisation weights."""
    opt = cfg["optimizer"]
    name = str(opt.get("name", "adamw")).lower()
    lr = float(opt.get("lr", 1e-3))
    weight_decay = float(opt.get("weight_decay", 0.0))
    decay = [p for p in model.parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.ndim < 2]
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    groups = [g for g in groups if g["params"]]
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr)
    if name == "sgd":
        momentum = float(opt.get("momentum", 0.9))
        return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=momentum > 0)
    raise ConfigError(f"optimizer.name must be adamw or sgd, not {name!r}")


def build_scheduler(
    optimizer: torch.optim.Optimizer, cfg: dict, steps_per_epoch: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up for `warmup_epochs`, then cosine decay to zero (or constant: name=constant,
    also spelt none).

    Stepped once per optimizer step; its state is just the step count, so changing `epochs` on
    resume re-plans the rest of the schedule."""
    sched = cfg.get("scheduler") or {}
    name = str(sched.get("name", "cosine")).lower()
    if name not in ("cosine", "constant", "none"):
        raise ConfigError(f"scheduler.name must be cosine or constant, not {name!r}")
    total = max(1, int(cfg["epochs"]) * steps_per_epoch)
    warmup = int(float(sched.get("warmup_epochs", 0)) * steps_per_epoch)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        if name != "cosine":
            return 1.0
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
