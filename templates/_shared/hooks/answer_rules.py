"""What a valid answer is: the one copy of the rules newproject and stock cookiecutter share.

newproject imports this file from its own templates folder; the shared `pre_gen_project`
hook runs it under stock cookiecutter, where newproject need not be installed. So it uses
the standard library only and knows nothing of newproject. The reasons behind each rule
are in docs/templates.md ("Answers: questions, validation and escaping").
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

MAX_ANSWER_LENGTH = 5000
RESERVED_NAMES_FILE = "reserved_names.json"  # in the shared templates folder
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


class AnswerError(ValueError):
    """An answer that cannot be used; the message is one line of visible text."""


def shown(value: object) -> str:
    """`value` quoted with every invisible or line-breaking character escaped."""
    return repr(str(value))


def reserved_names(shared_folder: Path) -> dict[str, str]:
    """Package name -> why a package of that name would break a generated project.

    The standard library of the running Python (and `test`, which
    `sys.stdlib_module_names` leaves out), then the names scripts/sync_templates.py
    derived from the templates' dependencies and imports (`reserved_names.json` in
    `shared_folder`; a templates folder of one's own may lack it).
    """
    # Python 3.10+ lists its standard library; an older one (stock cookiecutter may run
    # there) only refuses the names below.
    stdlib = getattr(sys, "stdlib_module_names", ())
    names = dict.fromkeys(stdlib, "a standard-library module")
    names["test"] = "the standard library's test package"
    try:
        data = json.loads((shared_folder / RESERVED_NAMES_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return names
    for name, why in data.get("names", {}).items():
        names.setdefault(name, why)
    return names


def check_value(
    name: str,
    value: object,
    *,
    choices: Sequence[str] = (),
    reserved: Mapping[str, str] | None = None,
) -> str:
    """`value` as the answer to question `name` (a choice in its canonical spelling), or
    AnswerError saying why not, in one line."""
    value = str(value)
    if choices:
        value = _check_choice(name, value, choices)
    _check_characters(name, value)
    if name in TEXT_QUESTIONS:
        _check_text(name, value)
    check_name(name, value, reserved or {})
    return value


def _check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    for choice in choices:
        if value.casefold() == str(choice).casefold():
            return str(choice)
    raise AnswerError(
        f"{name} must be one of {', '.join(map(str, choices))} (any case); got {shown(value)}"
    )


def _check_characters(name: str, value: str) -> None:
    """One line of visible text: no control, line-breaking, invisible or bidi characters."""
    if len(value) > MAX_ANSWER_LENGTH:
        raise AnswerError(
            f"{name} is {len(value)} characters long; the limit is {MAX_ANSWER_LENGTH}"
        )
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Zl", "Zp"):
            raise AnswerError(
                f"{name} contains the control or line-break character U+{ord(char):04X} "
                f"in {shown(value)}; an answer is one line of text"
            )
        if category == "Cf" and char not in _ALLOWED_FORMAT:
            raise AnswerError(
                f"{name} contains the invisible character U+{ord(char):04X} "
                f"({unicodedata.name(char, 'format character')}) in {shown(value)}; "
                "it could hide or reorder text"
            )


# Letters that draw nothing: the Hangul fillers (Unicode's default-ignorable code points that are
# not format characters) and the blank braille pattern. A name of only these, or of the joiners
# allowed above, would render as an empty README heading.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _is_visible(char: str) -> bool:
    return not (char.isspace() or unicodedata.category(char) == "Cf" or char in _BLANK_LETTERS)


def _check_text(name: str, value: str) -> None:
    """A name, description or author: visible text without surrounding whitespace."""
    if not value.strip():
        raise AnswerError(f"{name} is empty or only whitespace: {shown(value)}")
    if not any(_is_visible(char) for char in value):
        raise AnswerError(f"{name} shows nothing: {shown(value)} holds no visible character")
    if value != value.strip():
        raise AnswerError(f"{name} starts or ends with whitespace: {shown(value)}")
    if name == "author_name":
        if not any(unicodedata.category(char)[0] in "LN" for char in value):
            raise AnswerError(
                f"author_name {shown(value)} holds no letter or digit (git refuses such names)"
            )
        if _GIT_ANGLE & set(value):
            raise AnswerError(
                f"author_name {shown(value)} contains '<' or '>' "
                "(git writes them around the e-mail and drops them from names)"
            )


def check_name(name: str, value: str, reserved: Mapping[str, str]) -> None:
    """The package name, distribution name and e-mail are usable as such."""
    if name == "package_name":
        if not _PACKAGE_NAME.fullmatch(value):
            raise AnswerError(
                f"package_name {shown(value)} is not a valid Python package name "
                "(lowercase letters, digits and underscores, not starting with a digit)"
            )
        soft = getattr(keyword, "issoftkeyword", lambda _: False)  # Python 3.9+
        if keyword.iskeyword(value) or soft(value):
            raise AnswerError(f"package_name {shown(value)} is a Python keyword")
        if value in reserved:
            raise AnswerError(
                f"package_name {shown(value)} would shadow {shown(value)} ({reserved[value]})"
            )
    elif name == "project_slug" and not _PEP508_NAME.fullmatch(value):
        raise AnswerError(
            f"project_slug {shown(value)} is not a valid distribution name (PEP 508: letters, "
            "digits, '.', '-', '_', starting and ending with a letter or digit)"
        )
    elif name == "author_email" and not is_email(value):
        raise AnswerError(
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


def question_choices(questions: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    """Question -> its choices, from a gap's cookiecutter.json: a list (the first its
    default) or a string listed in the private `_choices` (see docs/templates.md)."""
    listed = questions.get("_choices", {})
    choices = {}
    for name, raw in questions.items():
        if name.startswith("_"):
            continue
        if isinstance(raw, list):
            choices[name] = tuple(str(choice) for choice in raw)
        elif isinstance(listed, dict) and name in listed:
            choices[name] = tuple(str(choice) for choice in listed[name])
    return choices


def check_context(
    questions: Mapping[str, object], answers: Mapping[str, object], shared_folder: Path
) -> None:
    """Every answer a render is about to use, as stock cookiecutter hands them to its
    `pre_gen_project` hook: AnswerError for the first that newproject would refuse.

    `questions` is the gap's cookiecutter.json. Stock cookiecutter cannot correct an
    answer, so a choice must already be spelt as listed.
    """
    reserved = reserved_names(shared_folder)
    choices = question_choices(questions)
    for name in questions:
        if name.startswith("_") or name not in answers:
            continue
        value = str(answers[name])
        canonical = check_value(name, value, choices=choices.get(name, ()), reserved=reserved)
        if canonical != value:
            raise AnswerError(f"{name} must be written {shown(canonical)}; got {shown(value)}")
