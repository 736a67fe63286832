"""The escaping filters write any answer as data in every format it reaches."""

from __future__ import annotations

import ast
import json
import subprocess
import tomllib
import unicodedata

import pytest
import yaml
from conftest import load_filters, venv_bin
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

filters = load_filters()

HOSTILE = [
    '"',
    "'",
    "\\",
    '\\"',
    "\n",
    "\r\n",
    "\t",
    "a\nb: c",
    "{{ 7*7 }}",
    "{% raw %}",
    "'''",
    '"""',
    "# not a comment",
    "- [x]",
    "*emph* _u_ `code`",
    "<b>&amp;</b>",
    "😀",
    "é",
    "\u2028",
    "\u3000",
    "\ufeff",
    "null",
    "true",
    "1e3",
    "~",
    "key: value",
]
# Every character a filter may meet: newproject refuses control characters in answers,
# stock cookiecutter passes them through, so the filters must hold them too.
answer_chars = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t\r")
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE) | st.text(answer_chars, max_size=8), max_size=12).map(
        "".join
    ),
    st.text(answer_chars, max_size=300),
)


def test_known_answers():
    assert filters.toml_str('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert filters.toml_str("😀") == '"😀"'  # tojson would write a surrogate pair TOML rejects
    assert filters.json_str('a"b') == '"a\\"b"'
    assert filters.py_str('say "hi"') == "'say \"hi\"'"
    assert filters.py_str("it's") == '"it\'s"'
    assert filters.yaml_str("a\u2028b") == '"a\\u2028b"'
    assert yaml.safe_load(filters.yaml_str("a\x85b")) == "a\x85b"  # NEL folds when left raw
    assert filters.md_text("# *x*\n[y](z)") == "\\# \\*x\\* \\[y\\](z)"
    assert filters.md_text("1. a, b: c") == "1\\. a, b: c"
    assert filters.md_text("- item") == "\\- item"


# Each format: its filter, and how a document holding the literal gives the value back.
ROUND_TRIPS = {
    "toml": (filters.toml_str, lambda literal: tomllib.loads(f"value = {literal}")["value"]),
    "yaml": (filters.yaml_str, lambda literal: yaml.safe_load(f"value: {literal}\n")["value"]),
    "json": (filters.json_str, lambda literal: json.loads(f'{{"value": {literal}}}')["value"]),
    "python": (filters.py_str, ast.literal_eval),
}


@pytest.mark.parametrize("file_format", ROUND_TRIPS)
@settings(max_examples=300, deadline=None)
@given(text=hostile_text)
def test_round_trip(file_format, text):
    escape, read_back = ROUND_TRIPS[file_format]
    assert read_back(escape(text)) == text


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_markdown_shows_the_text(text):
    tokens = MarkdownIt("commonmark").parse(filters.md_text(text))
    expected = " ".join(text.split())
    if not expected:
        assert tokens == []
        return
    # One plain paragraph: no heading, list, rule, quote, code block, HTML or table.
    assert [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    children = tokens[1].children
    assert {child.type for child in children} == {"text"}
    assert "".join(child.content for child in children) == expected


@settings(max_examples=40, deadline=None)
@given(hostile_text)
def test_python_literal_is_already_ruff_formatted(text):
    # Quotes and escapes must be ruff's own; line length is about.py's business (fmt: off).
    source = f"VALUE = {filters.py_str(text)}\n"
    width = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in source)
    assume(width < 300)
    result = subprocess.run(
        [
            venv_bin("ruff"),
            "format",
            "--check",
            "--isolated",
            "--line-length",
            "320",
            "--stdin-filename",
            "x.py",
            "-",
        ],
        input=source,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
