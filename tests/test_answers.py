"""Answers are resolved in order, validated before anything is written, never rendered."""

from __future__ import annotations

import json
import re

import pytest
from conftest import TEMPLATES

from newproject.answers import (
    load_answers_file,
    parse_set_options,
    resolve_answers,
)
from newproject.catalog import get_gap
from newproject.errors import InvalidAnswerError
from newproject.render import TemplateEnvironment


@pytest.fixture(scope="module")
def gap():
    return get_gap("dl-fundamentals", TEMPLATES)


def resolve(gap, **supplied):
    return resolve_answers(gap, supplied, TemplateEnvironment(gap).render_default)


def test_defaults_derive_slug_and_package_from_the_name(gap):
    answers = resolve(gap, project_name="Point Clouds, Fast!")
    assert answers["project_slug"] == "point-clouds-fast"
    assert answers["package_name"] == "point_clouds_fast"
    assert answers["license"] == "MIT"


def test_supplied_values_are_data_not_templates(gap):
    answers = resolve(gap, description="{{ 7*7 }}", project_name="{{ cookiecutter.license }}")
    assert answers["description"] == "{{ 7*7 }}"
    assert answers["project_name"] == "{{ cookiecutter.license }}"
    assert answers["project_slug"] == "cookiecutter-license"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("package_name", "class", "is a Python keyword"),
        ("package_name", "json", "would shadow the standard library module 'json'"),
        ("package_name", "torch", "would shadow the dependency 'torch'"),
        ("package_name", "2fast", "not a valid Python package name"),
        ("package_name", "my-pkg", "not a valid Python package name"),
        ("project_slug", "-bad-", "not a valid distribution name"),
        ("project_slug", "a/b", "not a valid distribution name"),
        ("author_email", "nobody", "not an e-mail address"),
        ("license", "GPL", "must be one of MIT, Apache-2.0, BSD-3-Clause"),
        ("description", "bell\x07", "control character U+0007"),
        ("description", "x" * 5001, "the limit is 5000"),
    ],
)
def test_invalid_answers_get_one_clear_line(gap, key, value, message):
    with pytest.raises(InvalidAnswerError, match=re.escape(message)) as error:
        resolve(gap, **{key: value})
    assert "\n" not in str(error.value)


def test_an_underivable_slug_is_reported(gap):
    with pytest.raises(InvalidAnswerError, match="project_slug '' is not a valid"):
        resolve(gap, project_name="😀😀")


def test_unknown_keys_are_rejected_with_the_known_ones(gap):
    with pytest.raises(InvalidAnswerError, match="unknown question.*colour.*Known: author_email"):
        resolve(gap, colour="red")


def test_prompted_answers_pass_through_the_same_check(gap):
    seen = {}

    def ask(question, default, check):
        seen[question.name] = default
        return check("Ada" if question.name == "author_name" else default)

    render_default = TemplateEnvironment(gap).render_default
    answers = resolve_answers(gap, {"project_name": "Lab"}, render_default, ask)
    assert answers["author_name"] == "Ada"
    assert "project_name" not in seen  # supplied answers are not asked again
    assert seen["project_slug"] == "lab"


def test_set_options_split_on_the_first_equals_sign():
    assert parse_set_options(["a=b=c", "empty="]) == {"a": "b=c", "empty": ""}
    with pytest.raises(InvalidAnswerError, match="KEY=VALUE"):
        parse_set_options(["novalue"])


def test_answers_files_in_yaml_and_json(tmp_path):
    (tmp_path / "a.yaml").write_text("project_name: Lab\npython_version: 3.12\n")
    (tmp_path / "a.json").write_text(json.dumps({"author_name": "Ada"}))
    from_yaml = load_answers_file(tmp_path / "a.yaml")
    assert from_yaml == {"project_name": "Lab", "python_version": "3.12"}
    assert load_answers_file(tmp_path / "a.json") == {"author_name": "Ada"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.yaml", "- a\n- b\n", "must hold a mapping"),
        ("bad.yaml", "a: [\n", "does not parse"),
        ("bad.json", "{", "does not parse"),
        ("nested.yaml", "a: {b: 1}\n", "'a' must be a string or number"),
    ],
)
def test_bad_answers_files(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    with pytest.raises(InvalidAnswerError, match=message):
        load_answers_file(tmp_path / name)


def test_missing_answers_file(tmp_path):
    with pytest.raises(InvalidAnswerError, match="cannot read answers file"):
        load_answers_file(tmp_path / "missing.yaml")
