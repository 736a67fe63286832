"""Answers: defaults + answers file + --set + prompts -> one validated dict of plain strings.

A user's answer is data. It is never rendered as a template: only the template
author's own defaults (such as the slug derived from the project name) are.
"""

from __future__ import annotations

import functools
import json
import keyword
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path

from .catalog import Gap, Question
from .errors import InvalidAnswerError

# Renders a template author's default, given the answers so far.
DefaultRenderer = Callable[[str, Mapping[str, str]], str]
# Asks the user one question, given the suggested default and the check an answer
# must pass (it raises InvalidAnswerError); returns the checked answer.
Asker = Callable[[Question, str, Callable[[str], str]], str]

MAX_ANSWER_LENGTH = 5000
_PEP508_NAME = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
_PACKAGE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Import names a generated project already depends on: a package by that name would shadow them.
_RESERVED_PACKAGES = frozenset(
    {
        "torch",
        "numpy",
        "sklearn",
        "matplotlib",
        "yaml",
        "tqdm",
        "onnx",
        "onnxruntime",
        "torchmetrics",
        "pytest",
        "newproject",
        "cookiecutter",
        "setuptools",
        "tests",
    }
)


def parse_set_options(items: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings from `--set` into a dict."""
    answers = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidAnswerError(f"--set expects KEY=VALUE, got '{item}'")
        answers[key.strip()] = value
    return answers


def load_answers_file(path: Path) -> dict[str, str]:
    """Answers from a YAML or JSON mapping of names to scalar values."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidAnswerError(f"cannot read answers file {path}: {error.strerror}") from None
    import yaml  # only here: list/info/--help stay fast

    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:  # JSONDecodeError is a ValueError
        first_line = (str(error).splitlines() or [type(error).__name__])[0]
        raise InvalidAnswerError(f"answers file {path} does not parse: {first_line}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidAnswerError(f"answers file {path} must hold a mapping of names to values")
    answers = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidAnswerError(f"answers file {path}: '{key}' must be a string or number")
        answers[str(key)] = str(value)
    return answers


def resolve_answers(
    gap: Gap,
    supplied: Mapping[str, str],
    render_default: DefaultRenderer,
    ask: Asker | None = None,
) -> dict[str, str]:
    """Every question of `gap` answered: supplied values win, then the prompt, then the default.

    `ask` is None in `--no-input` mode. Raises InvalidAnswerError for unknown keys
    and invalid values, before anything is written.
    """
    questions = gap.questions
    known = {question.name for question in questions}
    unknown = sorted(set(supplied) - known)
    if unknown:
        raise InvalidAnswerError(
            f"unknown question(s) for {gap.id}: {', '.join(unknown)}. "
            f"Known: {', '.join(sorted(known))}"
        )
    answers: dict[str, str] = {}
    for question in questions:
        check = functools.partial(check_answer, question)
        if question.name in supplied:
            answers[question.name] = check(supplied[question.name])
            continue
        default = (
            question.default if question.choices else render_default(question.default, answers)
        )
        answers[question.name] = ask(question, default, check) if ask else check(default)
    return answers


def check_answer(question: Question, value: str) -> str:
    """`value` if it is a valid answer to `question`, else InvalidAnswerError."""
    value = _check_text(question, str(value))
    _check_name(question.name, value)
    return value


def _check_name(name: str, value: str) -> None:
    """The package name, distribution name and e-mail are usable as such."""
    if name == "package_name":
        if not _PACKAGE_NAME.match(value):
            raise InvalidAnswerError(
                f"package_name '{value}' is not a valid Python package name "
                "(lowercase letters, digits and underscores, not starting with a digit)"
            )
        if keyword.iskeyword(value) or keyword.issoftkeyword(value):
            raise InvalidAnswerError(f"package_name '{value}' is a Python keyword")
        if value in sys.stdlib_module_names:
            raise InvalidAnswerError(
                f"package_name '{value}' would shadow the standard library module '{value}'"
            )
        if value in _RESERVED_PACKAGES:
            raise InvalidAnswerError(
                f"package_name '{value}' would shadow the dependency '{value}'"
            )
    elif name == "project_slug" and not _PEP508_NAME.match(value):
        raise InvalidAnswerError(
            f"project_slug '{value}' is not a valid distribution name (PEP 508: letters, digits, "
            "'.', '-', '_', starting and ending with a letter or digit)"
        )
    elif name == "author_email" and not _EMAIL.match(value):
        raise InvalidAnswerError(f"author_email '{value}' is not an e-mail address")


def _check_text(question: Question, value: str) -> str:
    if question.choices and value not in question.choices:
        raise InvalidAnswerError(
            f"{question.name} must be one of {', '.join(question.choices)}; got '{value}'"
        )
    if len(value) > MAX_ANSWER_LENGTH:
        raise InvalidAnswerError(
            f"{question.name} is {len(value)} characters long; the limit is {MAX_ANSWER_LENGTH}"
        )
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and char not in "\t\n\r"):
            raise InvalidAnswerError(
                f"{question.name} contains the control character U+{ord(char):04X}"
            )
    return value
