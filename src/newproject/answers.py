"""Answers: defaults + answers file + --set + prompts -> one validated dict of plain strings.

A user's answer is data. It is never rendered as a template: only the template
author's own defaults (such as the slug derived from the project name) are.
What a valid answer is, and why, is written down in docs/templates.md
("Answers: validation and escaping").
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
from .errors import InvalidAnswerError, shown

# Renders a template author's default, given the answers so far.
DefaultRenderer = Callable[[str, Mapping[str, str]], str]
# Asks the user one question, given the suggested default and the check an answer
# must pass (it raises InvalidAnswerError); returns the checked answer.
Asker = Callable[[Question, str, Callable[[str], str]], str]

MAX_ANSWER_LENGTH = 5000
MAX_ANSWERS_FILE_BYTES = 64 * 1024  # eight short answers need a few hundred bytes
RESERVED_NAMES_FILE = "reserved_names.json"  # in the gap's `templates` (shared) folder
# Free text that lands in titles, metadata and the git identity.
TEXT_QUESTIONS = ("project_name", "description", "author_name")

_PEP508_NAME = re.compile(r"[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")
_PACKAGE_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# E-mail: an RFC 5322 dot-atom local part that does not start with "'" (git strips it)
# or "-" (it would read as an option), "@", and a domain of two or more labels whose last
# has at least two characters (CFF 1.2.0's pattern). Letters may be non-ASCII (RFC 6531).
_EMAIL_LOCAL = re.compile(r"[\w!#$%&*+/=?^`{|}~](?:[\w!#$%&'*+/=?^`{|}~-]|\.(?!\.))*(?<!\.)")
_DOMAIN_LABEL = re.compile(r"[^\W_](?:[^\W_]|-)*(?<!-)")
_MAX_EMAIL_LENGTH = 254
# Zero-width joiner and non-joiner: the only format characters a name may hold, as
# Persian, Indic scripts and emoji sequences need them to be spelt right.
_ALLOWED_FORMAT = frozenset("\u200c\u200d")
# Characters git drops from an identity ("<", ">" around the e-mail) or refuses alone.
_GIT_ANGLE = frozenset("<>")


def parse_set_options(items: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings from `--set` into a dict."""
    answers = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidAnswerError(f"--set expects KEY=VALUE, got {shown(item)}")
        answers[key.strip()] = value
    return answers


def load_answers_file(path: Path) -> dict[str, str]:
    """Answers from a YAML or JSON mapping of names to scalars, each taken as written.

    YAML scalars stay text (`3.10` is "3.10", `no` is "no"); JSON numbers keep
    their digits. UTF-8 and, with a byte-order mark, UTF-16 and UTF-32 are read.
    """
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
        return {}
    if not isinstance(data, dict):
        raise InvalidAnswerError(
            f"answers file {shown(path)} must hold a mapping of names to values"
        )
    answers = {}
    for key, value in data.items():
        if not isinstance(value, str):
            raise InvalidAnswerError(
                f"answers file {shown(path)}: {shown(key)} must be a string or number"
            )
        answers[str(key)] = value
    return answers


def _read_text(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_ANSWERS_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InvalidAnswerError(f"cannot read answers file {shown(path)}: {reason}") from None
    if len(raw) > MAX_ANSWERS_FILE_BYTES:
        raise InvalidAnswerError(
            f"answers file {shown(path)} is larger than {MAX_ANSWERS_FILE_BYTES} bytes"
        )
    encoding = _encoding_by_bom(raw)
    if encoding is None:
        encoding = "utf-8"
        if b"\x00" in raw:
            raise InvalidAnswerError(
                f"answers file {shown(path)} is binary, or UTF-16/32 without a byte-order "
                "mark; save it as UTF-8"
            )
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise InvalidAnswerError(
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
    names = dict.fromkeys(sys.stdlib_module_names, "a standard-library module")
    names["test"] = "the standard library's test package"
    try:
        data = json.loads((gap.path / "templates" / RESERVED_NAMES_FILE).read_text("utf-8"))
    except (OSError, ValueError):  # a templates folder of one's own may lack the file
        return names
    for name, why in data.get("names", {}).items():
        names.setdefault(name, why)
    return names


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
        if question.choices:
            default = question.default
        else:
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


def check_answer(question: Question, value: str, reserved: Mapping[str, str] | None = None) -> str:
    """`value` as the answer to `question` (a choice in its canonical spelling), or
    InvalidAnswerError saying why not, in one line."""
    value = str(value)
    if question.choices:
        value = _check_choice(question, value)
    _check_characters(question.name, value)
    if question.name in TEXT_QUESTIONS:
        _check_text(question.name, value)
    _check_name(question.name, value, reserved or {})
    return value


def _check_choice(question: Question, value: str) -> str:
    for choice in question.choices:
        if value.casefold() == choice.casefold():
            return choice
    raise InvalidAnswerError(
        f"{question.name} must be one of {', '.join(question.choices)} (any case); "
        f"got {shown(value)}"
    )


def _check_characters(name: str, value: str) -> None:
    """One line of visible text: no control, line-breaking, invisible or bidi characters."""
    if len(value) > MAX_ANSWER_LENGTH:
        raise InvalidAnswerError(
            f"{name} is {len(value)} characters long; the limit is {MAX_ANSWER_LENGTH}"
        )
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Zl", "Zp"):
            raise InvalidAnswerError(
                f"{name} contains the control or line-break character U+{ord(char):04X} "
                f"in {shown(value)}; an answer is one line of text"
            )
        if category == "Cf" and char not in _ALLOWED_FORMAT:
            raise InvalidAnswerError(
                f"{name} contains the invisible character U+{ord(char):04X} "
                f"({unicodedata.name(char, 'format character')}) in {shown(value)}; "
                "it could hide or reorder text"
            )


def _check_text(name: str, value: str) -> None:
    """A name, description or author: visible text without surrounding whitespace."""
    if not value.strip():
        raise InvalidAnswerError(f"{name} is empty or only whitespace: {shown(value)}")
    if value != value.strip():
        raise InvalidAnswerError(f"{name} starts or ends with whitespace: {shown(value)}")
    if name == "author_name":
        if not any(unicodedata.category(char)[0] in "LN" for char in value):
            raise InvalidAnswerError(
                f"author_name {shown(value)} holds no letter or digit (git refuses such names)"
            )
        if _GIT_ANGLE & set(value):
            raise InvalidAnswerError(
                f"author_name {shown(value)} contains '<' or '>' "
                "(git writes them around the e-mail and drops them from names)"
            )


def _check_name(name: str, value: str, reserved: Mapping[str, str]) -> None:
    """The package name, distribution name and e-mail are usable as such."""
    if name == "package_name":
        if not _PACKAGE_NAME.fullmatch(value):
            raise InvalidAnswerError(
                f"package_name {shown(value)} is not a valid Python package name "
                "(lowercase letters, digits and underscores, not starting with a digit)"
            )
        if keyword.iskeyword(value) or keyword.issoftkeyword(value):
            raise InvalidAnswerError(f"package_name {shown(value)} is a Python keyword")
        if value in reserved:
            raise InvalidAnswerError(
                f"package_name {shown(value)} would shadow {shown(value)} ({reserved[value]})"
            )
    elif name == "project_slug" and not _PEP508_NAME.fullmatch(value):
        raise InvalidAnswerError(
            f"project_slug {shown(value)} is not a valid distribution name (PEP 508: letters, "
            "digits, '.', '-', '_', starting and ending with a letter or digit)"
        )
    elif name == "author_email" and not is_email(value):
        raise InvalidAnswerError(
            f"author_email {shown(value)} is not an e-mail address (name@example.org)"
        )


def is_email(value: str) -> bool:
    """An address CFF 1.2.0 and git both take as it is (see docs/templates.md)."""
    local, at, domain = value.rpartition("@")
    if not at or len(value) > _MAX_EMAIL_LENGTH or len(local) > 64:
        return False
    labels = domain.split(".")
    return bool(
        _EMAIL_LOCAL.fullmatch(local)
        and len(labels) >= 2
        and all(len(label) <= 63 and _DOMAIN_LABEL.fullmatch(label) for label in labels)
        and len(labels[-1]) >= 2
        and not labels[-1].isdigit()
    )
