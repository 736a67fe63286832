"""CITATION.cff validation against the official Citation File Format 1.2.0 JSON schema.

`citation_schema_1.2.0.json` is the schema published by the CFF project
(https://citation-file-format.github.io/1.2.0/schema.json, CC-BY-4.0), as cffconvert ships it;
jsonschema validates against it, the way `cffconvert --validate` does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SCHEMA = Path(__file__).with_name("citation_schema_1.2.0.json")


@cache
def _schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def _loader():
    import yaml

    class CffLoader(yaml.SafeLoader):
        """YAML as CFF reads it: timestamps stay strings, so `date-released: 2024-01-31`
        meets the schema's string pattern (cffconvert does the same)."""

    CffLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
    return CffLoader


def citation_problems(text: str) -> list[str]:
    """What is wrong with a CITATION.cff's text ([] when it is valid CFF 1.2.0)."""
    import jsonschema
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return [f"is not valid YAML{where}: {getattr(error, 'problem', None) or error}"]
    if not isinstance(data, dict):
        return ["is not a YAML mapping of CFF keys"]
    version = data.get("cff-version")
    if str(version) != "1.2.0":
        return [f"cff-version is {version!r}; this check knows CFF 1.2.0"]
    validator = jsonschema.Draft7Validator(_schema(), format_checker=jsonschema.FormatChecker())
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(part) for part in error.absolute_path) or "top level"
        problems.append(f"{where}: {_short(error)}")
    return problems


def _short(error) -> str:
    """jsonschema's message, without the dump of a long instance."""
    message = error.message
    return message if len(message) <= 160 else message[:157] + "..."
