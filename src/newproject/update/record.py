"""A project's `.newproject.json`: the gap, the answers and the template it came from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from ..errors import NewprojectError, UsageError, shown

RECORD = ".newproject.json"


class Record(NamedTuple):
    """What `.newproject.json` says (see templates/_shared/hooks/template_identity.py)."""

    gap: str
    answers: dict[str, str]
    template_hash: str
    commit: str | None
    version: str | None
    created: str | None

    def describe(self) -> str:
        """The template in a few words: gap, short hash, version, commit."""
        parts = [f"{self.gap} {short(self.template_hash)}"]
        if self.version:
            parts.append(f"newproject {self.version}")
        if self.commit:
            parts.append(f"commit {self.commit[:10]}")
        return ", ".join(parts)


def short(template_hash: str) -> str:
    """`sha256:` and the first 12 hex digits."""
    kind, _, digest = template_hash.partition(":")
    return f"{kind}:{digest[:12]}"


def parse_record(text: str, where: str) -> Record:
    """The record in `text`; NewprojectError naming `where` when it is not a usable one."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise NewprojectError(f"{where} is not valid JSON: {error}") from None
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict) or data.get("generator") != "newproject":
        raise NewprojectError(f"{where} is not a newproject record (no gap and answers)")
    template = data.get("template")
    if not isinstance(template, dict) or not isinstance(template.get("hash"), str):
        raise NewprojectError(
            f"{where} records no template identity (rendered by an older newproject, or by "
            "cookiecutter without its hooks), so the template it came from is unknown"
        )
    if not isinstance(data.get("gap"), str) or not all(
        isinstance(value, str) for value in answers.values()
    ):
        raise NewprojectError(f"{where} holds a gap or answers that are not text")

    def text_or_none(value: object) -> str | None:
        return value if isinstance(value, str) else None

    return Record(
        gap=data["gap"],
        answers={str(key): value for key, value in answers.items()},
        template_hash=template["hash"],
        commit=text_or_none(template.get("commit")),
        version=text_or_none(data.get("newproject_version")),
        created=text_or_none(data.get("created")),
    )


def read_record(project: Path) -> Record:
    """The record of the project in `project`, or a one-line error saying what is wrong."""
    path = project / RECORD
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"{shown(project)} is not a project made by newproject (it has no {RECORD})"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise NewprojectError(f"cannot read {shown(path)}: {error}") from None
    return parse_record(text, shown(path))
