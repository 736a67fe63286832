"""Configs: a YAML file, engine defaults under it, `dotted.key=value` overrides on top."""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

# Every key the engine reads, with its default; a project's YAML adds its own sections.
DEFAULTS: dict[str, Any] = {
    "run_name": None,  # default: the config file's stem
    "runs_dir": "runs",
    "seed": 0,
    "device": "auto",  # auto | cpu | cuda | cuda:N
    "epochs": 10,
    "batch_size": 32,
    "eval_batch_size": None,  # default: batch_size
    "optimizer": {"name": "adamw", "lr": 1.0e-3, "weight_decay": 0.0, "momentum": 0.9},
    "scheduler": {"name": "cosine", "warmup_epochs": 0},
    "grad_clip": 0.0,  # max gradient norm; 0 = off
    "amp": "auto",  # auto (bf16 on CUDA, off on CPU) | bf16 | fp16 | off
    "compile": False,
    "threads": "auto",  # auto = measured (1 vs 2 threads) | int
    "num_workers": "auto",  # loader workers for datasets that stream; auto | int
    "loader": "auto",  # auto (device-resident for TensorDatasets) | device | stream
    "keep_last": 2,  # epoch checkpoints kept besides last.pt and best.pt
    "save_every_steps": 0,  # also refresh last.pt every N steps inside an epoch; 0 = off
    "log_every": 50,  # steps between reads of the loss (each read synchronises the GPU)
    "deterministic": False,
    "progress": "auto",  # auto (bar on a terminal, plain lines otherwise) | bar | plain | off
}


class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads `1e-3` as a float (YAML 1.1 wants `1.0e-3`)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?\d[\d_]*(?:\.[\d_]*)?[eE][-+]?\d+$"),
    list("-+0123456789"),
)


def parse_value(text: str) -> Any:
    """Type a command-line value like YAML: `3` int, `1e-3` float, `true` bool, `[1,2]` list."""
    return yaml.load(text, Loader=_Loader) if text.strip() else ""


def read_yaml(path: str | Path) -> dict:
    """Read a YAML mapping (empty file = empty dict)."""
    with open(path, encoding="utf-8") as f:
        data = yaml.load(f, Loader=_Loader)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def write_yaml(data: dict, path: str | Path) -> None:
    """Write a config as readable YAML (keys in their original order)."""
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, sort_keys=False, default_flow_style=None)


def merge(base: dict, update: dict) -> dict:
    """Deep merge: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def flatten(cfg: dict, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"a.b": 1}."""
    flat = {}
    for key, value in cfg.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def apply_overrides(cfg: dict, overrides: Iterable[str]) -> dict:
    """Apply `a.b=value` overrides; `+a.b=value` may add a key that does not exist yet.

    An unknown key is an error (with the closest known keys), so a typo never passes silently."""
    cfg = copy.deepcopy(cfg)
    known = list(flatten(cfg))
    for item in overrides:
        if "=" not in item:
            raise ValueError(f"override {item!r} is not of the form key=value")
        key, text = item.split("=", 1)
        key = key.strip()
        may_add = key.startswith("+")
        key = key.lstrip("+")
        parts = key.split(".")
        node = cfg
        for i, part in enumerate(parts[:-1]):
            if not isinstance(node.get(part), dict):
                if not may_add and part not in node:
                    raise KeyError(_unknown(key, known))
                if part in node and not isinstance(node[part], dict):
                    raise KeyError(f"{'.'.join(parts[: i + 1])} is not a section; cannot set {key}")
                node[part] = {}
            node = node[part]
        if parts[-1] not in node and not may_add:
            raise KeyError(_unknown(key, known))
        node[parts[-1]] = parse_value(text)
    return cfg


def _unknown(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown config key {key!r}{hint} (prefix with + to add a new key)"


def load_config(path: str | Path | None, overrides: Iterable[str] = ()) -> dict:
    """Engine defaults, then the YAML file at `path`, then the overrides."""
    cfg = copy.deepcopy(DEFAULTS)
    if path is not None:
        cfg = merge(cfg, read_yaml(path))
        if cfg.get("run_name") is None:
            cfg["run_name"] = Path(path).stem
    if cfg.get("run_name") is None:
        cfg["run_name"] = "run"
    cfg = apply_overrides(cfg, overrides)
    if cfg.get("eval_batch_size") is None:
        cfg["eval_batch_size"] = cfg["batch_size"]
    return cfg


def diff_configs(old: dict, new: dict) -> list[tuple[str, Any, Any]]:
    """(key, old value, new value) for every dotted key that differs; missing = None."""
    a, b = flatten(old), flatten(new)
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
