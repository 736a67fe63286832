"""Answers are resolved in order, validated before anything is written, never rendered."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from conftest import TEMPLATES
from hypothesis import given, settings
from hypothesis import strategies as st
from test_filters import hostile_text

from newproject import answers as answers_module
from newproject.answers import (
    MAX_ANSWERS_FILE_BYTES,
    check_answer,
    is_email,
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
        ("package_name", "json", "would shadow 'json' (a standard-library module)"),
        ("package_name", "torch", "would shadow 'torch' (a dependency of every gap"),
        ("package_name", "2fast", "not a valid Python package name"),
        ("package_name", "my-pkg", "not a valid Python package name"),
        ("project_slug", "-bad-", "not a valid distribution name"),
        ("project_slug", "a/b", "not a valid distribution name"),
        ("author_email", "nobody", "not an e-mail address"),
        ("license", "GPL", "license must be one of MIT, Apache-2.0, BSD-3-Clause (any case)"),
        ("python_version", "3.9", "must be one of 3.10, 3.11, 3.12, 3.13"),
        ("description", "bell\x07", "control or line-break character U+0007"),
        ("description", "x" * 5001, "the limit is 5000"),
    ],
)
def test_invalid_answers_get_one_clear_line(gap, key, value, message):
    with pytest.raises(InvalidAnswerError, match=re.escape(message)) as error:
        resolve(gap, **{key: value})
    assert str(error.value).isprintable()  # one line: no newline, no invisible character


# A final newline used to pass every name check (`$` matches before it).
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("package_name", "fuzz\n"),
        ("project_slug", "fuzz\n"),
        ("author_email", "a@b.co\n"),
        ("package_name", "fuzz\r"),
        ("project_slug", "fuzz\u2028"),
    ],
)
def test_trailing_line_breaks_fail_every_name_check(gap, key, value):
    with pytest.raises(InvalidAnswerError) as error:
        resolve(gap, **{key: value})
    message = str(error.value)
    assert message.isprintable()
    assert repr(value) in message  # the value is shown with its escapes


@pytest.mark.parametrize(
    ("key", "value"),
    [("package_name", "fuzz\n"), ("project_slug", "fuzz\n"), ("author_email", "a@b.co\n")],
)
def test_name_patterns_match_the_whole_answer(key, value):
    # Behind the character check, each pattern alone refuses the final newline too.
    with pytest.raises(InvalidAnswerError, match=re.escape(repr(value))):
        answers_module._check_name(key, value, {})


@pytest.mark.parametrize("key", ["project_name", "description", "author_name"])
@pytest.mark.parametrize("value", ["", " ", "   ", "\t", "\u3000", "\u2028", "\u00a0\u2003"])
def test_blank_text_is_refused(gap, key, value):
    with pytest.raises(InvalidAnswerError) as error:
        resolve(gap, **{key: value})
    assert str(error.value).isprintable()


@pytest.mark.parametrize("key", ["project_name", "description"])
@pytest.mark.parametrize(
    "value", ["\u200d", "\u200c\u200d", "\u3164", "\u2800\u2800", "\u115f", "\uffa0"]
)
def test_text_that_draws_nothing_is_refused(gap, key, value):
    """Joiners and fillers alone pass the whitespace check but would render `# ` again."""
    with pytest.raises(InvalidAnswerError, match="no visible character") as error:
        resolve(gap, **{key: value})
    assert str(error.value).isprintable()


@pytest.mark.parametrize("key", ["project_name", "description", "author_name"])
@pytest.mark.parametrize("value", [" Lab", "Lab ", "Lab\u3000"])
def test_surrounding_whitespace_is_refused(gap, key, value):
    with pytest.raises(InvalidAnswerError, match="starts or ends with whitespace"):
        resolve(gap, **{key: value})


REFUSED_EMAILS = [
    "a@b.c",  # CFF 1.2.0 needs two characters after the last dot
    "--upload-pack=x@y.z",
    "--upload-pack=x@y.zz",  # an option, not an address
    "😀@😀.😀",
    "😀@😀.😀😀",
    "a@b.co\n",
    "a b@c.de",
    "<a@b.co>",
    "'a@b.co",  # git strips the leading quote
    ".a@b.co",
    "a.@b.co",
    "a..b@c.de",
    "a@b@c.de",
    "a@-b.co",
    "a@b-.co",
    "a@b..co",
    "a@localhost",
    "a@b.12",
    "@b.co",
    "a@",
    "x" * 65 + "@b.co",
    "-x@example.org",
]
ACCEPTED_EMAILS = [
    "you@example.com",
    "ada@example.org",
    "o'brien@example.ie",
    "first.last+tag@sub.example.co.uk",
    "a_b@x-y.io",
    "用户@例子.广告",
    "user@xn--p1ai.xn--p1ai",
    "*star~{x}@example.org",
]


@pytest.mark.parametrize("value", REFUSED_EMAILS)
def test_refused_emails(gap, value):
    with pytest.raises(InvalidAnswerError, match="^author_email ") as error:
        resolve(gap, author_email=value)
    assert str(error.value).isprintable()


@pytest.mark.parametrize("value", ACCEPTED_EMAILS)
def test_accepted_emails_are_valid_for_cff_and_git(gap, value):
    assert resolve(gap, author_email=value)["author_email"] == value
    cff_email = r"^[\S]+@[\S]+\.[\S]{2,}$"  # CFF 1.2.0's schema, definitions.email
    assert re.fullmatch(cff_email, value)
    assert git_ident("Ada", value) == f"Ada <{value}>"


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.emails(), hostile_text))
def test_every_accepted_email_is_valid_for_cff_and_git(value):
    if not is_email(value):
        return
    assert re.fullmatch(r"^[\S]+@[\S]+\.[\S]{2,}$", value)
    assert git_ident("Ada", value) == f"Ada <{value}>"


def git_ident(name: str, email: str) -> str | None:
    """How git writes this author, or None when git refuses it."""
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    result = subprocess.run(
        ["git", "var", "GIT_AUTHOR_IDENT"], env=env, capture_output=True, text=True
    )
    return result.stdout.rsplit(" ", 2)[0] if result.returncode == 0 else None


@pytest.mark.parametrize(
    "value", ["...", ",", '"', "\\", "'\"'", ". , ;", "😀", "<>", "Ada <a@b.co>"]
)
def test_author_names_git_would_refuse_or_mangle(gap, value):
    with pytest.raises(InvalidAnswerError, match="author_name") as error:
        resolve(gap, author_name=value)
    assert str(error.value).isprintable()


@settings(max_examples=150, deadline=None)
@given(hostile_text)
def test_every_accepted_author_name_is_one_git_takes(text):
    question = next(
        q for q in get_gap("dl-fundamentals", TEMPLATES).questions if q.name == "author_name"
    )
    try:
        check_answer(question, text)
    except InvalidAnswerError as error:
        assert str(error).isprintable()
        return
    assert git_ident(text, "you@example.com") is not None, text


@pytest.mark.parametrize("key", ["project_name", "description", "author_name"])
@pytest.mark.parametrize(
    "char", ["\u202e", "\u202a", "\u2066", "\u200b", "\ufeff", "\u200e", "\u2060", "\u00ad"]
)
def test_bidi_and_zero_width_characters_are_refused_and_shown_escaped(gap, key, char):
    with pytest.raises(
        InvalidAnswerError, match=f"invisible character U\\+{ord(char):04X}"
    ) as error:
        resolve(gap, **{key: f"Lab{char}txt"})
    assert repr(f"Lab{char}txt") in str(error.value)
    assert char not in str(error.value)


@pytest.mark.parametrize("value", ["می\u200cخواهم", "👨\u200d👩\u200d👧", "Zoë Ångström", "用户"])
def test_joiners_that_scripts_and_emoji_need_are_kept(gap, value):
    assert resolve(gap, project_name=value, project_slug="lab")["project_name"] == value


@pytest.mark.parametrize(
    "name",
    [
        "test",  # a stdlib package sys.stdlib_module_names leaves out
        "cookiecutter",
        "newproject",
        "tests",
        "conftest",
        "setuptools",
        "pip",
        "threadpoolctl",  # a dependency of dl-fundamentals only
        "sklearn",  # scikit-learn's import name, found by the import scan
        "onnxruntime",
        "ruff",  # run with python -m by the Makefile
        "sitecustomize",
        "test_readers",  # a test module another test imports
        # Installed by the dependencies' own dependencies (scripts/dependency_imports.json):
        "typing_extensions",  # torch imports it first thing
        "sympy",
        "jinja2",
        "packaging",
    ],
)
def test_names_that_would_shadow_an_import_are_reserved(gap, name):
    with pytest.raises(InvalidAnswerError, match=f"package_name '{name}' would shadow '{name}'"):
        resolve(gap, package_name=name)


def test_a_reserved_name_derived_from_the_project_name_says_where_it_came_from(gap):
    with pytest.raises(InvalidAnswerError) as error:
        resolve(gap, project_name="Cookiecutter")
    assert "would shadow 'cookiecutter'" in str(error.value)
    assert "--set package_name=" in str(error.value)


def test_license_is_case_insensitive_and_normalised(gap):
    assert resolve(gap, license="apache-2.0")["license"] == "Apache-2.0"
    assert resolve(gap, license="mit")["license"] == "MIT"
    assert resolve(gap, license="bsd-3-clause")["license"] == "BSD-3-Clause"


def test_python_versions_in_order_with_311_the_default(gap):
    question = next(q for q in gap.questions if q.name == "python_version")
    assert question.choices == ("3.10", "3.11", "3.12", "3.13")
    assert question.default == "3.11"
    assert resolve(gap)["python_version"] == "3.11"
    assert resolve(gap, python_version="3.10")["python_version"] == "3.10"


def test_an_underivable_slug_is_reported(gap):
    with pytest.raises(
        InvalidAnswerError, match="project_slug '' is not a valid.*--set project_slug"
    ):
        resolve(gap, project_name="😀😀")


def test_unknown_keys_are_rejected_with_the_known_ones(gap):
    with pytest.raises(InvalidAnswerError, match="unknown question.*colour.*Known: author_email"):
        resolve(gap, colour="red")
    with pytest.raises(InvalidAnswerError) as error:
        resolve(gap, **{"a\nb": "red"})
    assert "'a\\nb'" in str(error.value)


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


def test_answers_file_scalars_are_taken_as_written(tmp_path):
    # PyYAML's safe loader would read 3.10 as 3.1, NO as False and 0x10 as 16.
    (tmp_path / "a.yaml").write_text("python_version: 3.10\nproject_name: NO\nauthor_name: 0x10\n")
    assert load_answers_file(tmp_path / "a.yaml") == {
        "python_version": "3.10",
        "project_name": "NO",
        "author_name": "0x10",
    }
    (tmp_path / "a.json").write_text('{"python_version": 3.10, "project_name": 1e3}')
    assert load_answers_file(tmp_path / "a.json") == {
        "python_version": "3.10",
        "project_name": "1e3",
    }


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_answers_file_with_a_byte_order_mark_is_read(tmp_path, encoding):
    path = tmp_path / "a.yaml"
    path.write_bytes("project_name: Läb ✓\n".encode(encoding))
    assert load_answers_file(path) == {"project_name": "Läb ✓"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("project_name: Lab\n".encode("utf-16-le"), "binary, or UTF-16/32 without a byte-order"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"project_name: \xc3\x28\n", "is not UTF-8 text (byte 0xc3 at offset 14)"),
        (b"a: " + b"x" * MAX_ANSWERS_FILE_BYTES, "is larger than"),
        (b"[" * 5000, "does not parse"),
    ],
)
def test_unreadable_answers_files_are_one_line(tmp_path, content, message):
    path = tmp_path / "answers.yaml"
    path.write_bytes(content)
    with pytest.raises(InvalidAnswerError, match=re.escape(message)) as error:
        load_answers_file(path)
    assert str(error.value).isprintable()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.yaml", "- a\n- b\n", "must hold a mapping"),
        ("bad.yaml", "a: [\n", "does not parse"),
        ("bad.json", "{", "does not parse"),
        ("nested.yaml", "a: {b: 1}\n", "'a' must be a string or number"),
        ("bool.json", '{"a": true}', "'a' must be a string or number"),
        ("nan.json", '{"a": NaN}', "does not parse"),
        ("tagged.yaml", "a: !!python/object:os.system x\n", ""),
    ],
)
def test_bad_answers_files(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    if not message:  # a tag is only text: nothing is constructed, the value stays a string
        assert load_answers_file(tmp_path / name) == {"a": "x"}
        return
    with pytest.raises(InvalidAnswerError, match=message) as error:
        load_answers_file(tmp_path / name)
    assert str(error.value).isprintable()


def test_missing_answers_file(tmp_path):
    with pytest.raises(InvalidAnswerError, match="cannot read answers file .*No such file"):
        load_answers_file(tmp_path / "missing.yaml")
    with pytest.raises(InvalidAnswerError, match="cannot read answers file .*Is a directory"):
        load_answers_file(tmp_path)
