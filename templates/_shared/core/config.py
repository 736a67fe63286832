"""Configs: a YAML file over defaults, `dotted.key=value` overrides on top.

Every project reads the same vocabulary (docs/templates.md in newproject lists it):
``run_name``, ``runs_dir``, ``seed``, ``device``, ``epochs``, ``batch_size``,
``eval_batch_size``, ``optimizer.{name,lr,weight_decay,momentum}``,
``scheduler.{name,warmup_epochs}``, ``data.{name,root,seed}`` and ``model.name``; a project
adds its own sections beside them.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

# The keys every project reads, with their defaults. `seed` seeds the model and the training
# order; `data.seed` seeds the dataset (its generation and its splits), so a seed ablation
# trains on the same data.
CONTRACT_DEFAULTS: dict[str, Any] = {
    "run_name": None,  # default: the config file's stem; the run folder is runs_dir/run_name
    "runs_dir": "runs",
    "seed": 0,
    "device": "auto",  # auto | cpu | cuda | cuda:N
    "epochs": 10,
    "batch_size": 32,
    "eval_batch_size": None,  # default: batch_size
    "optimizer": {"name": "adamw", "lr": 1.0e-3, "weight_decay": 0.0, "momentum": 0.9},
    "scheduler": {"name": "cosine", "warmup_epochs": 0},
    "data": {"name": None, "root": None, "seed": 0},
    "model": {"name": None},
}


# Keys that only change how fast a run goes, not what it computes: they may differ on resume,
# and runs that differ only in them (and in seed and name) are repeats of one experiment.
RUNTIME_KEYS = ("device", "threads", "num_workers", "progress", "log_every", "compile")


class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads `1e-3` as a float (YAML 1.1 wants `1.0e-3`)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?\d[\d_]*(?:\.[\d_]*)?[eE][-+]?\d+$"),
    list("-+0123456789"),
)


def parse_value(text: str) -> Any:
    """Type a command-line value like YAML: `3` int, `1e-3` float, `true` bool, `[1,2]` list."""
    if not text.strip():
        return ""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise ConfigError(f"value {text!r} does not parse as YAML: {_first_line(error)}") from None


def read_yaml(path: str | Path) -> dict:
    """Read a YAML mapping (an empty file is an empty mapping)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=_Loader)
    except OSError as error:
        raise ConfigError(f"cannot read config {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} does not parse as YAML: {_first_line(error)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def write_yaml(data: Mapping, path: str | Path) -> None:
    """Write a config as readable YAML (keys in their original order)."""
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(dict(data), f, sort_keys=False, default_flow_style=None, allow_unicode=True)


def merge(base: Mapping, update: Mapping) -> dict:
    """Deep merge: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def flatten(cfg: Mapping, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"a.b": 1}."""
    flat = {}
    for key, value in cfg.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def override_keys(overrides: Iterable[str]) -> set[str]:
    """The dotted keys that `key=value` overrides set (without a leading +)."""
    return {item.split("=", 1)[0].strip().lstrip("+") for item in overrides}


def apply_overrides(cfg: Mapping, overrides: Iterable[str]) -> dict:
    """Apply `a.b=value` overrides; `+a.b=value` may add a key that does not exist yet.

    An unknown key is an error naming the closest known keys, so a typo never passes silently."""
    cfg = copy.deepcopy(dict(cfg))
    known = list(flatten(cfg))
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override {item!r} is not of the form key=value")
        key, text = item.split("=", 1)
        key = key.strip()
        may_add = key.startswith("+")
        key = key.lstrip("+")
        parts = key.split(".")
        if not all(parts):
            raise ConfigError(f"override {item!r}: {key!r} is not a dotted key")
        node = cfg
        for i, part in enumerate(parts[:-1]):
            if not isinstance(node.get(part), dict):
                if part in node and node[part] is not None:
                    section = ".".join(parts[: i + 1])
                    raise ConfigError(f"{section} is not a section; cannot set {key}")
                if part not in node and not may_add:
                    raise ConfigError(_unknown(key, known))
                node[part] = {}
            node = node[part]
        if parts[-1] not in node and not may_add:
            raise ConfigError(_unknown(key, known))
        node[parts[-1]] = parse_value(text)
    return cfg


def _unknown(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown config key {key!r}{hint} (prefix with + to add a new key)"


def load_config(
    path: str | Path | None,
    overrides: Iterable[str] = (),
    defaults: Mapping[str, Any] = CONTRACT_DEFAULTS,
) -> dict:
    """`defaults`, then the YAML file at `path`, then the overrides; fills run_name and
    eval_batch_size when the config leaves them empty."""
    cfg = copy.deepcopy(dict(defaults))
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


def run_dir_of(cfg: Mapping) -> Path:
    """The run folder of a config: runs_dir/run_name."""
    return Path(cfg["runs_dir"]) / str(cfg["run_name"])


def diff_configs(old: Mapping, new: Mapping) -> list[tuple[str, Any, Any]]:
    """(key, old value, new value) for every dotted key that differs; missing = None."""
    a, b = flatten(old), flatten(new)
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
