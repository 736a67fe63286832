"""The schema of a claim file (claims/*.yaml), and validation whose errors name the file, the
line and the field.

The schema is JSON Schema (draft 7), so editors can check claim files as you type: the shipped
claims/schema.json is ``json.dumps(CLAIM_SCHEMA)`` (``python -m PACKAGE.new_claim --schema``
rewrites it), and each claim file starts with ``# yaml-language-server: $schema=schema.json``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

from ..core.errors import ConfigError

NUMBER = {"type": "number"}
TEXT = {"type": "string", "minLength": 1}
INTERVAL = {"enum": ["t", "bootstrap"]}
CONFIDENCE = {"type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 1}
ARM_NAME = {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"}

RULES: dict[str, dict] = {
    "difference": {
        "description": "treatment - baseline in the metric's direction, over seeds",
        "required": ["name", "baseline", "treatment"],
        "properties": {
            "name": {"const": "difference"},
            "baseline": ARM_NAME,
            "treatment": ARM_NAME,
            "min_effect": {"type": "number", "minimum": 0},
            "paired": {"type": "boolean"},
            "interval": INTERVAL,
            "confidence": CONFIDENCE,
        },
    },
    "tolerance": {
        "description": "our mean lies within `tolerance` of the paper's value",
        "required": ["name", "tolerance"],
        "properties": {
            "name": {"const": "tolerance"},
            "arm": ARM_NAME,
            "tolerance": {"type": "number", "exclusiveMinimum": 0},
            "partial_tolerance": {"type": "number", "exclusiveMinimum": 0},
            "interval": INTERVAL,
            "confidence": CONFIDENCE,
        },
    },
    "trend": {
        "description": "the metric rises (or falls) along a swept setting, seed by seed",
        "required": ["name", "arm", "direction"],
        "properties": {
            "name": {"const": "trend"},
            "arm": ARM_NAME,
            "direction": {"enum": ["increasing", "decreasing"]},
            "log_x": {"type": "boolean"},
            "interval": INTERVAL,
            "confidence": CONFIDENCE,
        },
    },
}

CLAIM_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "A claim of a paper, and how this project tests it",
    "type": "object",
    "required": [
        "claim",
        "paper",
        "source",
        "reported",
        "metric",
        "experiments",
        "seeds",
        "rule",
    ],  # fmt: skip
    "additionalProperties": False,
    "properties": {
        "claim": {**TEXT, "description": "the claim in one sentence, in your words"},
        "paper": {
            "type": "object",
            "required": ["title", "authors", "year", "venue"],
            "additionalProperties": False,
            "properties": {
                "title": TEXT,
                "authors": TEXT,
                "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
                "venue": TEXT,
                "url": TEXT,
                "doi": TEXT,
            },
        },
        "source": {
            "type": "object",
            "required": ["location", "quote"],
            "additionalProperties": False,
            "properties": {
                "location": {**TEXT, "description": "section, figure or table (and cell)"},
                "quote": {**TEXT, "description": "the sentence or table cell, verbatim"},
            },
        },
        "reported": {
            "type": "object",
            "required": ["value", "text"],
            "additionalProperties": False,
            "properties": {
                "value": {
                    "type": ["number", "null"],
                    "description": "in our metric's units; null when the paper gives none "
                    "that is comparable (then `text` says what it gives)",
                },
                "spread": {"type": ["number", "null"], "minimum": 0},
                "spread_kind": {"enum": ["std", "sem", "ci95", "range", None]},
                "text": TEXT,
            },
        },
        "metric": {
            "type": "object",
            "required": ["name", "split", "direction"],
            "additionalProperties": False,
            "properties": {
                "name": TEXT,
                "label": TEXT,
                "split": {"enum": ["train", "val", "test"]},
                "checkpoint": {"enum": ["best", "last"]},
                "direction": {"enum": ["higher", "lower"]},
                "diverged": {
                    "type": "number",
                    "description": "the value a run scores when its training diverges",
                },
            },
        },
        "config": {**TEXT, "description": "base config (default configs/quick.yaml)"},
        "experiments": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": ARM_NAME,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "description": TEXT,
                    "set": {"type": "object", "description": "config keys: dotted.key: value"},
                    "sweep": {
                        "type": "object",
                        "required": ["key", "values"],
                        "additionalProperties": False,
                        "properties": {
                            "key": TEXT,
                            "values": {"type": "array", "minItems": 2},
                        },
                    },
                },
            },
        },
        "seeds": {"type": "integer", "minimum": 1},
        "rule": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"enum": sorted(RULES)}},
            "allOf": [
                {
                    "if": {"properties": {"name": {"const": name}}},
                    "then": {**rule, "additionalProperties": False},
                }
                for name, rule in RULES.items()
            ],
        },
        "deviations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["aspect", "paper", "ours"],
                "additionalProperties": False,
                "properties": {"aspect": TEXT, "paper": TEXT, "ours": TEXT, "why": TEXT},
            },
        },
        "hyperparameter_search": TEXT,
        "notes": TEXT,
    },
}

CLAIM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def field_name(path: list) -> str:
    """["rule", "tolerance"] -> "rule.tolerance"; list items as [i]."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def line_of(node: yaml.Node | None, path: list) -> int | None:
    """The 1-based line of the field at `path` (its key's line; the nearest existing parent's
    when the field itself is missing)."""
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


class ClaimFileError(ConfigError):
    """A claim file that does not hold a valid claim: file:line: field: problem."""

    @classmethod
    def at(cls, path: str | Path, node: yaml.Node | None, field: list, problem: str):
        line = line_of(node, field)
        where = f"{path}:{line}" if line else str(path)
        return cls(f"{where}: {field_name(field)}: {problem}")


def read_claim_file(path: str | Path) -> tuple[dict, yaml.Node | None]:
    """The claim file's content and its YAML node tree (for line numbers)."""
    path = Path(path)
    if not CLAIM_ID.match(path.stem):
        raise ClaimFileError(
            f"{path}: the file name is the claim's id and must be lower-case letters, digits, "
            "'-' and '_' (e.g. zhang2017-random-labels.yaml)"
        )
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except OSError as error:
        raise ClaimFileError(f"{path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ClaimFileError(f"{where}: not valid YAML ({problem})") from None
    if not isinstance(data, dict):
        raise ClaimFileError(f"{path}: expected a mapping of claim fields at the top level")
    return data, node


def validate(data: dict, path: str | Path, node: yaml.Node | None = None) -> None:
    """Raise ClaimFileError for the first schema violation (by position in the file), saying
    how many more there are."""
    errors = list(Draft7Validator(CLAIM_SCHEMA).iter_errors(data))
    if not errors:
        return
    errors.sort(key=lambda e: (line_of(node, list(e.absolute_path)) or 0, list(e.absolute_path)))
    first = errors[0]
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    raise ClaimFileError.at(
        path, node, list(first.absolute_path), _message(first) + (more if len(errors) > 1 else "")
    )


def _message(error) -> str:
    if error.validator == "additionalProperties":
        known = sorted((error.schema.get("properties") or {}).keys())
        return f"{error.message} (allowed: {', '.join(known)})"
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing")
    return error.message
