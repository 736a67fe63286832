"""Answers: defaults + answers file + --set + prompts -> one validated dict of plain strings.

A user's answer is data. It is never rendered as a template: only the template
author's own defaults (such as the slug derived from the project name) are.
What a valid answer is, and why, is written down in docs/templates.md
("Answers: validation and escaping").
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from .catalog import Gap, Question
from .errors import InvalidAnswerError, UnreadableAnswersFileError, shown
from .shared import answer_rules

# Renders a template author's default, given the answers so far.
DefaultRenderer = Callable[[str, Mapping[str, str]], str]
# Asks the user one question, given the suggested default and the check an answer
# must pass (it raises InvalidAnswerError); returns the checked answer.
Asker = Callable[[Question, str, Callable[[str], str]], str]

MAX_ANSWERS_FILE_BYTES = 64 * 1024  # eight short answers need a few hundred bytes


def parse_set_options(items: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings from `--set` into a dict."""
    answers = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidAnswerError(f"--set expects KEY=VALUE, got {shown(item)}")
        answers[key.strip()] = value
    return answers


class AnswersFile(NamedTuple):
    """What an answers file holds: the answers, and when it is a project's record
    (`.newproject.json`), the project's gap and creation time."""

    answers: dict[str, str]
    gap: str | None = None
    created: str | None = None


def load_answers_file(path: Path) -> dict[str, str]:
    """Answers from a YAML or JSON mapping of names to scalars, each taken as written.

    YAML scalars stay text (`3.10` is "3.10", `no` is "no"); JSON numbers keep
    their digits. UTF-8 and, with a byte-order mark, UTF-16 and UTF-32 are read.
    A project's `.newproject.json` gives the answers it records.
    """
    return read_answers_file(path).answers


def read_answers_file(path: Path) -> AnswersFile:
    """`load_answers_file`, keeping the gap and creation time of a project's record."""
    text = _read_text(path)
    import yaml  # only here: list/info/--help stay fast

    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text, parse_int=str, parse_float=str, parse_constant=_no_constant)
        else:
            # The base loaders build only str, list and dict; libyaml's also caps nesting.
            data = yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    except (ValueError, yaml.YAMLError, RecursionError) as error:
        raise InvalidAnswerError(
            f"answers file {shown(path)} does not parse: {_parse_problem(error)}"
        ) from None
    if data is None or data == "":
        return AnswersFile({})
    if not isinstance(data, dict):
        raise InvalidAnswerError(
            f"answers file {shown(path)} must hold a mapping of names to values"
        )
    record = is_record(data)
    answers = {}
    for key, value in (data["answers"] if record else data).items():
        if not isinstance(value, str):
            raise InvalidAnswerError(
                f"answers file {shown(path)}: {shown(key)} must be a string or number"
            )
        answers[str(key)] = value
    if not record:
        return AnswersFile(answers)
    gap, created = data.get("gap"), data.get("created")
    return AnswersFile(
        answers,
        gap if isinstance(gap, str) else None,
        created if isinstance(created, str) else None,
    )


def is_record(data: object) -> bool:
    """Whether parsed JSON is a project's `.newproject.json` (answers nested under "answers")."""
    return (
        isinstance(data, dict)
        and data.get("generator") == "newproject"
        and isinstance(data.get("answers"), dict)
    )


def _read_text(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_ANSWERS_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UnreadableAnswersFileError(
            f"cannot read answers file {shown(path)}: {reason}"
        ) from None
    if len(raw) > MAX_ANSWERS_FILE_BYTES:
        raise InvalidAnswerError(
            f"answers file {shown(path)} is larger than {MAX_ANSWERS_FILE_BYTES} bytes"
        )
    encoding = _encoding_by_bom(raw)
    if encoding is None:
        encoding = "utf-8"
        if b"\x00" in raw:
            raise UnreadableAnswersFileError(
                f"answers file {shown(path)} is binary, or UTF-16/32 without a byte-order "
                "mark; save it as UTF-8"
            )
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableAnswersFileError(
            f"answers file {shown(path)} is not {encoding.upper().replace('-SIG', '')} text "
            f"(byte 0x{raw[error.start]:02x} at offset {error.start}); save it as UTF-8"
        ) from None


_BYTE_ORDER_MARKS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
)


def _encoding_by_bom(raw: bytes) -> str | None:
    return next((encoding for bom, encoding in _BYTE_ORDER_MARKS if raw.startswith(bom)), None)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _parse_problem(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return (str(error).splitlines() or [type(error).__name__])[0]


def reserved_names(gap: Gap) -> dict[str, str]:
    """Package name -> why a package of that name would break a project of `gap`.

    The standard library of the running Python (and `test`, which
    `sys.stdlib_module_names` leaves out), then the names scripts/sync_templates.py
    derived from the templates' dependencies and imports.
    """
    return answer_rules().reserved_names(gap.path / "templates")


def resolve_answers(
    gap: Gap,
    supplied: Mapping[str, str],
    render_default: DefaultRenderer,
    ask: Asker | None = None,
    defaults: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every question of `gap` answered: supplied values win, then the prompt, then the default.

    `ask` is None in `--no-input` mode. `defaults` replace the template's own defaults
    (the author from git's config) where they pass the question's check; one that fails
    is dropped without a word, and the template's default stands. Raises
    InvalidAnswerError for unknown keys and invalid values, before anything is written.
    """
    questions = gap.questions
    known = {question.name for question in questions}
    unknown = sorted(set(supplied) - known)
    if unknown:
        raise InvalidAnswerError(
            f"unknown question(s) for {gap.id}: {', '.join(map(shown, unknown))}. "
            f"Known: {', '.join(sorted(known))}"
        )
    reserved = reserved_names(gap)
    answers: dict[str, str] = {}
    for question in questions:
        check = functools.partial(check_answer, question, reserved=reserved)
        if question.name in supplied:
            answers[question.name] = check(supplied[question.name])
            continue
        default = _usable_default(question, defaults, check)
        if default is None and question.choices:
            default = question.default
        elif default is None:
            default = render_default(question.default, answers)
        if ask:
            answers[question.name] = ask(question, default, check)
            continue
        try:
            answers[question.name] = check(default)
        except InvalidAnswerError as error:
            if default == question.default:
                raise
            raise InvalidAnswerError(
                f"{error}; it was derived from the answers above: "
                f"give one with --set {question.name}=..."
            ) from None
    return answers


def _usable_default(
    question: Question, defaults: Mapping[str, str] | None, check: Callable[[str], str]
) -> str | None:
    """The caller's default for `question` when it passes the check, else None."""
    if not defaults or question.name not in defaults:
        return None
    try:
        return check(defaults[question.name])
    except InvalidAnswerError:
        return None


def check_answer(question: Question, value: str, reserved: Mapping[str, str] | None = None) -> str:
    """`value` as the answer to `question` (a choice in its canonical spelling), or
    InvalidAnswerError saying why not, in one line.

    The rules are the shared ones stock cookiecutter's hook runs (see newproject.shared).
    """
    rules = answer_rules()
    try:
        return rules.check_value(
            question.name, value, choices=question.choices, reserved=reserved or {}
        )
    except rules.AnswerError as error:
        raise InvalidAnswerError(str(error)) from None


def _check_name(name: str, value: str, reserved: Mapping[str, str]) -> None:
    """The name checks alone (package, distribution name, e-mail), behind the others."""
    rules = answer_rules()
    try:
        rules.check_name(name, value, reserved)
    except rules.AnswerError as error:
        raise InvalidAnswerError(str(error)) from None


def is_email(value: str) -> bool:
    """An address CFF 1.2.0 and git both take as it is (see docs/templates.md)."""
    return answer_rules().is_email(value)
