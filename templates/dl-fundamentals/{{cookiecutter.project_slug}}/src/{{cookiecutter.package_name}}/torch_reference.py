"""The same models written in PyTorch: the yardstick for accuracy, speed and gradients.

Layer names match the models in models/, so `copy_weights` starts both engines
from the same weights. Each twin is registered under its NumPy model's name and
takes the same options. PyTorch is optional at runtime: train.py and evaluate.py
skip this part when it is missing. The NumPy engine never imports this file.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .core.errors import ConfigError
from .core.registry import Registry
from .models import IMAGE_SIZE, NUM_CLASSES

TWINS = Registry("PyTorch twin")  # model name -> its PyTorch twin; all defined in this file


@TWINS.register("mlp")
class TorchMLP(nn.Module):
    def __init__(self, hidden: tuple[int, ...] = (128, 64), dropout: float = 0.1):
        super().__init__()
        layers, width = [], IMAGE_SIZE * IMAGE_SIZE
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, NUM_CLASSES))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x.reshape(len(x), -1))


@TWINS.register("cnn")
class TorchCNN(nn.Module):
    def __init__(self, channels: tuple[int, ...] = (16, 32), dropout: float = 0.1):
        super().__init__()
        layers, in_channels, size = [], 1, IMAGE_SIZE
        for out_channels in channels:
            layers += [
                nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(),
                nn.MaxPool2d(2),
            ]
            in_channels, size = out_channels, size // 2
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(in_channels * size * size, NUM_CLASSES)
        )

    def forward(self, x):
        return self.classifier(self.features(x.reshape(len(x), 1, IMAGE_SIZE, IMAGE_SIZE)))


class TorchSelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        n, t, dim = x.shape
        qkv = self.qkv(x).reshape(n, t, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
        mixed = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
        return self.proj(mixed.transpose(1, 2).reshape(n, t, dim))


class TorchTransformerBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: int = 2):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = TorchSelfAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(
            nn.Linear(dim, mlp_ratio * dim),
            nn.GELU(approximate="tanh"),
            nn.Linear(mlp_ratio * dim, dim),
        )

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


@TWINS.register("attention")
class TorchAttentionClassifier(nn.Module):
    def __init__(self, dim: int = 32, heads: int = 4, depth: int = 1):
        super().__init__()
        self.embed = nn.Linear(IMAGE_SIZE, dim)
        self.position = nn.Parameter(torch.zeros(IMAGE_SIZE, dim))
        self.blocks = nn.Sequential(*[TorchTransformerBlock(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, NUM_CLASSES)

    def forward(self, x):
        tokens = self.embed(x.reshape(len(x), IMAGE_SIZE, IMAGE_SIZE)) + self.position
        return self.head(self.norm(self.blocks(tokens)).mean(dim=1))


def has_twin(cfg: dict) -> bool:
    """True when the config's model has a PyTorch twin here."""
    return cfg["model"]["name"] in TWINS


def build_torch_model(cfg: dict) -> nn.Module:
    """The PyTorch twin of models.build_model(cfg) (weights: see copy_weights)."""
    return TWINS.build(cfg["model"])


def copy_weights(torch_model: nn.Module, state: dict[str, np.ndarray]) -> None:
    """Load a NumPy model's state_dict() into its twin (only BatchNorm's step counter,
    which the NumPy engine does not keep, may be missing)."""
    tensors = {name: torch.from_numpy(np.array(value)) for name, value in state.items()}
    result = torch_model.load_state_dict(tensors, strict=False)
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        raise KeyError(f"twin mismatch: missing {missing}, unexpected {result.unexpected_keys}")


def torch_optimizer(cfg: dict, model: nn.Module) -> torch.optim.Optimizer:
    """torch.optim's version of optim.build_optimizer(cfg, ...) (same groups, same rules)."""
    settings = cfg["optimizer"]
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    groups = [
        {"params": decay, "weight_decay": settings["weight_decay"]},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    name, lr = settings["name"], settings["lr"]
    if name == "sgd":
        nesterov = settings.get("nesterov", False)
        return torch.optim.SGD(groups, lr=lr, momentum=settings["momentum"], nesterov=nesterov)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr)
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr)
    raise ConfigError(f"optimizer.name must be sgd, adam or adamw, not {name!r}")


def pick_device(name: str) -> torch.device:
    """ "auto": the GPU when there is one, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def train_torch(cfg: dict, data, orders: list[np.ndarray], init_state: dict, progress) -> dict:
    """Train the twin from the NumPy model's initial weights on the same batches, with the
    same optimizer and schedule. Returns the fitted model, history, validation logits and
    timings."""
    from .data import batches
    from .optim import cosine_lr, schedule_plan

    torch.manual_seed(cfg["seed"])  # dropout masks
    torch.set_num_threads(cfg["threads"])
    device = pick_device(cfg["device"])
    model = build_torch_model(cfg)
    copy_weights(model, init_state)
    model.to(device)
    optimizer = torch_optimizer(cfg, model)
    steps_per_epoch = len(batches(orders[0], cfg["batch_size"]))
    total_steps, warmup_steps, decay = schedule_plan(cfg, steps_per_epoch)
    base_lr = cfg["optimizer"]["lr"]
    x_train = torch.from_numpy(data.x_train).to(device)
    y_train = torch.from_numpy(data.y_train).to(device)
    x_val = torch.from_numpy(data.x_val).to(device)
    history = {"epoch": [], "train_loss": [], "val_accuracy": []}
    step, train_seconds = 0, 0.0
    for epoch in progress(range(cfg["epochs"]), desc=f"torch {cfg['model']['name']}"):
        start = _now(device)
        model.train()
        losses = []
        for index in batches(orders[epoch], cfg["batch_size"]):
            for group in optimizer.param_groups:
                group["lr"] = cosine_lr(step, base_lr, total_steps, warmup_steps, decay=decay)
            index = torch.from_numpy(index).to(device)
            loss = nn.functional.cross_entropy(model(x_train[index]), y_train[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(loss.detach())
            step += 1
        train_seconds += _now(device) - start
        logits = predict(model, x_val)
        history["epoch"].append(epoch + 1)
        history["train_loss"].append(float(torch.stack(losses).mean()))
        history["val_accuracy"].append(float((logits.argmax(1) == data.y_val).mean()))
    return {
        "model": model,
        "history": history,
        "train_seconds": train_seconds,
        "logits": predict(model, x_val),
        "device": str(device),
        "inference_ms_per_sample": _inference_ms(model, x_val, device),
    }


def state_arrays(model: nn.Module) -> dict[str, np.ndarray]:
    """The twin's weights as NumPy arrays, named like the NumPy model's (for model npz files)."""
    return {name: value.detach().cpu().numpy() for name, value in model.state_dict().items()}


def load_twin(cfg: dict, state: dict[str, np.ndarray], device: str = "auto") -> nn.Module:
    """The trained twin of a run, from the arrays state_arrays saved."""
    model = build_torch_model(cfg)
    copy_weights(model, state)
    return model.to(pick_device(device)).eval()


def predict(model: nn.Module, x: torch.Tensor) -> np.ndarray:
    """Logits in evaluation mode, as a NumPy array."""
    model.eval()
    with torch.no_grad():
        return model(x).float().cpu().numpy()


def _now(device: torch.device) -> float:
    import time

    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


def _inference_ms(model: nn.Module, x: torch.Tensor, device: torch.device, repeats: int = 5):
    """Best-of-`repeats` milliseconds per sample for a forward pass over x."""
    model.eval()
    best = float("inf")
    with torch.no_grad():
        for _ in range(repeats):
            start = _now(device)
            model(x)
            best = min(best, _now(device) - start)
    return 1000.0 * best / len(x)
