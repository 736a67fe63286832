"""Scaffold a claim file:

    python -m {{ cookiecutter.package_name }}.new_claim ID [--rule difference|tolerance|trend]

Writes claims/ID.yaml: every field of the schema, with TODO markers where the paper's words and
numbers go, and a working default experiment behind them (so `make reproduce CLAIM=ID` runs at
once and you replace one piece at a time). --schema rewrites claims/schema.json instead.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .core.errors import ConfigError, ProjectError, run_main
from .reproduction.claims import load_claim
from .reproduction.schema import CLAIM_ID, CLAIM_SCHEMA

HEADER = "# yaml-language-server: $schema=schema.json\n"
COMMON = """\
claim: >-
  TODO: the claim in one sentence, in your words.
paper:
  title: "TODO: the paper's title"
  authors: "TODO: First Author, Second Author"
  year: 2024
  venue: "TODO: e.g. NeurIPS 2024"
  url: https://arxiv.org/abs/TODO
source:
  location: "TODO: Section 4.2, Table 3 (row, column)"
  quote: >-
    TODO: the sentence or table cell the claim comes from, verbatim.
"""
RULES = {
    "difference": """\
reported:
  value: null     # the paper's effect in our metric's units; null: `text` says what it gives
  spread: null
  text: "TODO: what the paper reports, e.g. +2.1 points top-1 accuracy (Table 3)"
metric:
  name: accuracy        # a key of the task's metrics: accuracy, error, loss, macro_f1, ...
  label: test accuracy
  split: test           # train | val | test
  checkpoint: best      # best (by validation) | last
  direction: higher     # is a higher value better?
experiments:
  baseline:
    description: "TODO: the paper's baseline"
    set: {model.name: mlp, model.depth: 3}
  method:
    description: "TODO: the paper's method (models/my_model.py)"
    set:
      model: {name: my_model, channels: 32}   # a mapping replaces the whole section
seeds: 3
rule:
  name: difference
  baseline: baseline
  treatment: method
  min_effect: 0.0       # the smallest effect the paper claims (0: any effect in its direction)
  paired: true          # seed k of both arms shares data and batch order
""",
    "tolerance": """\
reported:
  value: 0.95           # TODO: the paper's number, in our metric's units
  spread: null          # TODO: its spread if the paper gives one
  spread_kind: null     # std | sem | ci95 | range
  text: "TODO: e.g. 95.0% test accuracy (Table 2, row X)"
metric:
  name: accuracy
  label: test accuracy
  split: test
  checkpoint: best
  direction: higher
experiments:
  method:
    description: "TODO: the paper's setting"
    set: {model.name: mlp, model.depth: 3}
seeds: 3
rule:
  name: tolerance
  arm: method
  tolerance: 0.02       # TODO: how close counts as the same result, and why
""",
    "trend": """\
reported:
  value: null
  text: "TODO: what the paper shows, e.g. accuracy rises with width (Figure 3)"
metric:
  name: accuracy
  label: test accuracy
  split: test
  checkpoint: best
  direction: higher
experiments:
  sweep_width:
    description: "TODO: the paper's sweep"
    set: {model.name: mlp, model.depth: 2}
    sweep: {key: model.width, values: [16, 64, 256]}
seeds: 3
rule:
  name: trend
  arm: sweep_width
  direction: increasing
  log_x: true           # slope against log10 of the swept value
""",
}
TAIL = """\
deviations:
  - aspect: "TODO: data, model, training, metric, ..."
    paper: "TODO: what the paper did"
    ours: "TODO: what this project does"
    why: "TODO: why (compute, missing detail, ...)"
hyperparameter_search: "TODO: none, or what you searched and on which split"
"""


def scaffold(
    claim_id: str, rule: str = "difference", folder: str | Path = "claims", force: bool = False
) -> Path:
    """Write claims/<claim_id>.yaml and check that it loads; returns its path."""
    if not CLAIM_ID.match(claim_id):
        raise ConfigError(
            f"claim id {claim_id!r}: use lower-case letters, digits, '-' and '_' "
            "(e.g. smith2024-wider-is-better)"
        )
    if rule not in RULES:
        raise ConfigError(f"rule {rule!r}: choose {', '.join(RULES)}")
    path = Path(folder) / f"{claim_id}.yaml"
    if path.exists() and not force:
        raise ProjectError(f"{path} exists; pick another id, or pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + COMMON + RULES[rule] + TAIL, encoding="utf-8")
    load_claim(path)  # the scaffold itself must be a valid claim
    return path


def write_schema(folder: str | Path = "claims") -> Path:
    path = Path(folder) / "schema.json"
    path.write_text(json.dumps(CLAIM_SCHEMA, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.new_claim", description="Scaffold a claim file."
    )
    parser.add_argument("id", nargs="?", help="the claim's id: claims/<id>.yaml")
    parser.add_argument("--rule", default="difference", choices=sorted(RULES))
    parser.add_argument("--claims-dir", default="claims")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.add_argument("--schema", action="store_true", help="rewrite claims/schema.json")
    args = parser.parse_args(argv)
    if args.schema:
        path = write_schema(args.claims_dir)
        print(f"written: {path}")
        return path
    if not args.id:
        raise ConfigError("name the claim: make new-claim ID=smith2024-my-claim")
    path = scaffold(args.id, args.rule, args.claims_dir, args.force)
    print(f"written: {path}; fill in the TODOs, then: make reproduce CLAIM={args.id}")
    return path


if __name__ == "__main__":
    run_main(main)
