"""Jinja filters that write a user's answer as data into each file format.

Loaded by stock cookiecutter through ``_extensions`` in every gap's
``cookiecutter.json`` (the gap's ``templates`` folder points here), and by
newproject through the same mechanism, so both faces escape identically.
"""

from __future__ import annotations

import json
import re

from jinja2.ext import Extension

# Characters that must not appear raw inside a TOML basic string.
_TOML_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_TOML_CONTROL = re.compile(r'["\\\x00-\x1f\x7f]')

# YAML (1.1, as PyYAML reads it) only allows these characters unescaped, and
# treats NEL, LS and PS as line breaks even inside a double-quoted scalar.
_YAML_UNSAFE = re.compile(
    "[^\x09\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)

# Characters that start emphasis, code, links, HTML, entities, headings, tables,
# strikethrough or (on GitHub) math anywhere in a line.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>#|~&$])")
# Text that starts a list, a rule or a setext underline only at the start of a line.
_MARKDOWN_LINE_START = re.compile(r"^([-+=]|\d+(?=[.)]))")


def toml_str(value: object) -> str:
    """A TOML basic string (with quotes) holding ``value`` exactly."""

    def escape(match: re.Match[str]) -> str:
        char = match.group(0)
        return _TOML_ESCAPES.get(char, f"\\u{ord(char):04x}")

    return '"' + _TOML_CONTROL.sub(escape, str(value)) + '"'


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar holding ``value`` exactly."""
    text = json.dumps(str(value), ensure_ascii=False)[1:-1]
    return '"' + _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + '"'


def json_str(value: object) -> str:
    """A JSON string literal (with quotes) holding ``value`` exactly."""
    return json.dumps(str(value), ensure_ascii=False)


def py_str(value: object) -> str:
    """A Python string literal holding ``value`` exactly, quoted as ruff format would.

    Double quotes unless the text holds more double than single quotes, so that
    `ruff format --check` accepts the generated file as it is.
    """
    text = str(value)
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = []
    for char in text:
        if char in ("\\", quote):
            body.append("\\" + char)
        elif char.isprintable():
            body.append(char)
        else:
            body.append(repr(char)[1:-1])  # \n, \t, \x85, \u2028 ...
    return quote + "".join(body) + quote


def md_text(value: object) -> str:
    """``value`` as inline Markdown text on one line, escaped only where Markdown would act.

    Whitespace runs (newlines included) become one space, as a Markdown viewer shows them.
    """
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", " ".join(str(value).split()))
    start = _MARKDOWN_LINE_START.match(escaped)
    if start is None:
        return escaped
    if start.group(1).isdigit():  # "1." or "1)" opens an ordered list
        end = start.end()
        return escaped[:end] + "\\" + escaped[end:]
    return "\\" + escaped


FILTERS = {
    "toml_str": toml_str,
    "yaml_str": yaml_str,
    "json_str": json_str,
    "py_str": py_str,
    "md_text": md_text,
}


class EscapeFilters(Extension):
    """Registers the escaping filters on a Jinja environment."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters.update(FILTERS)
