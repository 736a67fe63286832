"""From claims to runs: every (arm setting, seed) becomes one engine run, identified by the
hash of its resolved config, so two claims that need the same experiment share its runs and a
finished run is never trained again.

A run's config is the claim's base config, then the arm's ``set`` keys (a key whose value is a
mapping replaces that whole section, e.g. ``model: {name: my_model}``), then the command line's
key=value overrides, then the seed. The hash leaves out what does not change the result: the
run's name and folder, the runtime keys (device, threads, ...) and the ``reproduce`` section.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.config import RUNTIME_KEYS, apply_overrides, read_yaml
from ..core.errors import ConfigError
from ..engine.config import load_engine_config
from .claims import Claim, Point

NOT_HASHED = ("run_name", "runs_dir", "reproduce", *RUNTIME_KEYS)


def experiment_hash(cfg: dict) -> str:
    """What a run computes apart from its seed (repeats of one experiment share it)."""
    kept = {k: v for k, v in cfg.items() if k not in NOT_HASHED and k != "seed"}
    text = json.dumps(kept, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def config_hash(cfg: dict) -> str:
    """What a run computes, its seed included: the cache key of one run."""
    text = experiment_hash(cfg) + f"/seed={int(cfg['seed'])}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply_settings(cfg: dict, settings: dict[str, Any]) -> dict:
    """`settings` (dotted key -> value) over `cfg`: a mapping replaces a section wholesale; any
    other value must go to a key the config has (a typo is an error naming close keys)."""
    cfg = copy.deepcopy(cfg)
    for key, value in settings.items():
        add = key.startswith("+")
        key = key.lstrip("+")
        if isinstance(value, dict):
            node, parts = cfg, key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = copy.deepcopy(value)
        else:
            cfg = apply_overrides(cfg, [f"{'+' if add else ''}{key}={json.dumps(value)}"])
    return cfg


@dataclass
class Run:
    """One training run a reproduction needs."""

    config: dict
    config_hash: str
    experiment_hash: str
    uses: list[tuple[str, str]] = field(default_factory=list)  # (claim id, point label)
    evaluations: set[tuple[str, str]] = field(default_factory=set)  # (split, checkpoint)

    @property
    def seed(self) -> int:
        return int(self.config["seed"])

    @property
    def name(self) -> str:
        return str(self.config["run_name"])

    @property
    def dir(self) -> Path:
        return Path(self.config["runs_dir"]) / self.name


def run_config(base: dict, point: Point, overrides: list[str], seed: int, claim: Claim) -> dict:
    """The resolved config of one (point, seed); names the run after its experiment hash."""
    try:
        cfg = apply_settings(base, point.settings)
        cfg = apply_overrides(cfg, overrides)
    except ConfigError as error:
        raise claim.error(["experiments", point.arm, "set"], str(error)) from None
    cfg["seed"] = int(seed)
    cfg["run_name"] = f"{experiment_hash(cfg)[:10]}-seed{int(seed)}"
    if cfg.get("eval_batch_size") is None:
        cfg["eval_batch_size"] = cfg["batch_size"]
    return cfg


def seeds_of(claim: Claim, base: dict, override: int | None) -> list[int]:
    """seed, seed+1, ... : the claim's count, unless --seeds or reproduce.seeds says another."""
    count = override or (base.get("reproduce") or {}).get("seeds") or claim.seeds
    return [int(base["seed"]) + offset for offset in range(int(count))]


@dataclass
class Plan:
    """Every run of the selected claims, each once, in the order they are first needed."""

    runs: dict[str, Run] = field(default_factory=dict)  # config hash -> run
    claim_runs: dict[str, dict[str, list[str]]] = field(
        default_factory=dict
    )  # id -> label -> hashes
    seeds: dict[str, list[int]] = field(default_factory=dict)

    def for_claim(self, claim_id: str) -> dict[str, list[Run]]:
        return {
            label: [self.runs[h] for h in hashes]
            for label, hashes in self.claim_runs[claim_id].items()
        }


def base_config(claim: Claim, config: str | None) -> dict:
    path = config or claim.config
    if not Path(path).is_file():
        raise ConfigError(f"config file {path} does not exist")
    read_yaml(path)  # a broken file fails here, naming itself
    return load_engine_config(path)


def make_plan(
    claims: list[Claim],
    config: str | None = None,
    overrides: list[str] = (),
    seeds: int | None = None,
) -> Plan:
    """The runs `claims` need. `config` replaces every claim's base config (e.g. full.yaml);
    `overrides` apply to every run, after the claims' own settings."""
    plan = Plan()
    for claim in claims:
        base = base_config(claim, config)
        plan.seeds[claim.id] = seeds_of(claim, base, seeds)
        labels: dict[str, list[str]] = {}
        for point in claim.all_points():
            for seed in plan.seeds[claim.id]:
                cfg = run_config(base, point, list(overrides), seed, claim)
                key = config_hash(cfg)
                run = plan.runs.setdefault(key, Run(cfg, key, experiment_hash(cfg)))
                run.uses.append((claim.id, point.label))
                run.evaluations.add((claim.metric["split"], claim.metric["checkpoint"]))
                labels.setdefault(point.label, []).append(key)
        plan.claim_runs[claim.id] = labels
    return plan
