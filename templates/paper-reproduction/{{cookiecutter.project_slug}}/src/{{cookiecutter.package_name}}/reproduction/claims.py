"""Claim files as objects: a claim, its experiment arms (expanded over sweeps) and its rule.

A claim file (claims/<id>.yaml, schema in schema.py) says what a paper claims, where, what it
reports, which metric tests it, which experiments (arms) produce that metric, over how many
seeds, and which rule turns the numbers into a verdict. Everything a file refers to is checked
when it loads (the rule's arms exist, a trend's arm is swept, the configs exist), so a mistake
is reported before anything trains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import ConfigError
from .schema import ClaimFileError, read_claim_file, validate

CLAIMS_DIR = Path("claims")
DEFAULT_CONFIG = "configs/quick.yaml"
SWEEP_LABEL = "{arm}[{key}={value}]"


@dataclass(frozen=True)
class Point:
    """One setting of an arm: a sweep value, or the arm itself when it is not swept."""

    arm: str
    label: str
    settings: dict[str, Any]  # dotted key -> value, applied over the base config
    x: Any = None  # the swept value (None: no sweep)


@dataclass
class Claim:
    """A validated claim file."""

    id: str
    path: Path
    data: dict
    node: yaml.Node | None = field(default=None, repr=False)

    # ---- what the file says ------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.data["claim"]

    @property
    def paper(self) -> dict:
        return self.data["paper"]

    @property
    def source(self) -> dict:
        return self.data["source"]

    @property
    def reported(self) -> dict:
        return self.data["reported"]

    @property
    def metric(self) -> dict:
        return {"checkpoint": "best", **self.data["metric"]}

    @property
    def rule(self) -> dict:
        return self.data["rule"]

    @property
    def seeds(self) -> int:
        return int(self.data["seeds"])

    @property
    def config(self) -> str:
        return self.data.get("config", DEFAULT_CONFIG)

    @property
    def deviations(self) -> list[dict]:
        return list(self.data.get("deviations") or [])

    @property
    def citation(self) -> str:
        paper = self.paper
        return f'{paper["authors"]} ({paper["year"]}), "{paper["title"]}", {paper["venue"]}'

    @property
    def metric_label(self) -> str:
        metric = self.metric
        return metric.get("label") or f"{metric['split']} {metric['name']}"

    # ---- experiments -------------------------------------------------------------------------
    def points(self, arm: str) -> list[Point]:
        """The settings an arm trains: one per sweep value (one when it is not swept)."""
        spec = self.data["experiments"][arm]
        settings = dict(spec.get("set") or {})
        sweep = spec.get("sweep")
        if not sweep:
            return [Point(arm, arm, settings)]
        return [
            Point(
                arm,
                SWEEP_LABEL.format(arm=arm, key=sweep["key"], value=value),
                {**settings, sweep["key"]: value},
                value,
            )
            for value in sweep["values"]
        ]

    @property
    def arms(self) -> list[str]:
        """The arms the rule reads, in the rule's order."""
        rule = self.rule
        if rule["name"] == "difference":
            return [rule["baseline"], rule["treatment"]]
        return [self.rule_arm]

    @property
    def rule_arm(self) -> str:
        """The one arm a tolerance or trend rule reads (the only arm, when it names none)."""
        return self.rule.get("arm") or next(iter(self.data["experiments"]))

    def all_points(self) -> list[Point]:
        return [point for arm in self.arms for point in self.points(arm)]

    def error(self, field: list, problem: str) -> ClaimFileError:
        return ClaimFileError.at(self.path, self.node, field, problem)


def check_references(claim: Claim) -> None:
    """What the schema cannot say: the rule's arms exist and fit the rule; configs exist."""
    experiments = claim.data["experiments"]
    rule = claim.rule
    if rule["name"] == "difference":
        for role in ("baseline", "treatment"):
            if rule[role] not in experiments:
                raise claim.error(
                    ["rule", role],
                    f"names the arm {rule[role]!r}, which is not among the experiments "
                    f"({', '.join(experiments)})",
                )
            if experiments[rule[role]].get("sweep"):
                raise claim.error(
                    ["experiments", rule[role], "sweep"],
                    "a difference compares two single settings; sweep with a trend rule, or "
                    "name one sweep value per arm",
                )
        if rule["baseline"] == rule["treatment"]:
            raise claim.error(["rule", "treatment"], "must differ from the baseline")
    else:
        arm = claim.rule_arm
        if arm not in experiments:
            raise claim.error(
                ["rule", "arm"], f"{arm!r} is not among the experiments ({', '.join(experiments)})"
            )
        if "arm" not in rule and len(experiments) > 1:
            raise claim.error(["rule"], "name the arm it reads (rule.arm): there are several")
        swept = bool(experiments[arm].get("sweep"))
        if rule["name"] == "trend" and not swept:
            raise claim.error(["experiments", arm], "a trend rule needs a sweep in this arm")
        if rule["name"] == "tolerance":
            if swept:
                raise claim.error(["experiments", arm, "sweep"], "a tolerance reads one setting")
            if claim.reported.get("value") is None:
                raise claim.error(
                    ["reported", "value"], "a tolerance rule compares with the paper's value"
                )
            partial = rule.get("partial_tolerance")
            if partial is not None and partial <= rule["tolerance"]:
                raise claim.error(
                    ["rule", "partial_tolerance"], "must be larger than rule.tolerance"
                )
    if not Path(claim.config).is_file():
        raise claim.error(["config"], f"config file {claim.config} does not exist")


def load_claim(path: str | Path) -> Claim:
    """Read, validate and check one claim file."""
    path = Path(path)
    data, node = read_claim_file(path)
    validate(data, path, node)
    claim = Claim(path.stem, path, data, node)
    check_references(claim)
    return claim


def load_claims(selected: list[str] | None = None, folder: str | Path = CLAIMS_DIR) -> list[Claim]:
    """Every claim file in `folder` (sorted), or the ones named by id or path."""
    folder = Path(folder)
    if selected:
        paths = []
        for item in selected:
            path = Path(item)
            if path.suffix not in (".yaml", ".yml"):
                path = folder / f"{item}.yaml"
            if not path.is_file():
                known = ", ".join(p.stem for p in sorted(folder.glob("*.yaml"))) or "none"
                raise ConfigError(f"no claim {item!r} (claims in {folder}: {known})")
            paths.append(path)
    else:
        paths = sorted(folder.glob("*.yaml"))
        if not paths:
            raise ConfigError(f"no claim files in {folder}/ (make new-claim ID=... writes one)")
    return [load_claim(path) for path in paths]
