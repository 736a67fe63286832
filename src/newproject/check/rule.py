"""The form of a rule: an id, a family, a level, a one-line check, a next step and a doc link.

The shape follows sp-repo-review (scientific-python/cookie): each rule is a small class named
by its id, in a family, whose docstring is the one line it checks; `requires` names rules that
must pass first (otherwise it is skipped, saying which). A rule's `check` returns a `Verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

if TYPE_CHECKING:
    from .project import Project

Status = Literal["pass", "fail", "skip"]
Level = Literal["error", "warning"]

DOC_PATH = "docs/check.md"  # in newproject's repository; `newproject check --explain ID` prints it


@dataclass(frozen=True)
class Verdict:
    """What a rule found: `detail` says why, `next_step` what to do (failures only)."""

    status: Status
    detail: str
    next_step: str | None = None


@dataclass(frozen=True)
class Result:
    """A rule's verdict, with the rule's own fields, ready for text or JSON output."""

    id: str
    family: str
    level: Level
    title: str
    status: Status
    detail: str
    next_step: str | None
    doc: str

    def as_dict(self) -> dict:
        """Plain data for `--json`."""
        return {
            "id": self.id,
            "family": self.family,
            "level": self.level,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "next_step": self.next_step,
            "doc": self.doc,
        }


class Rule:
    """Base of every rule. Subclasses set `family` (through a family base class), `level`,
    `next_step`, optionally `requires` and `needs_run`, and implement `check`."""

    family: ClassVar[str]
    level: ClassVar[Level] = "error"
    requires: ClassVar[tuple[str, ...]] = ()
    needs_run: ClassVar[bool] = False  # runs the project's own commands: only with --run
    next_step: ClassVar[str] = ""

    registry: ClassVar[dict[str, type[Rule]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__ and cls.__name__[:1].isupper() and cls.__name__[-3:].isdigit():
            Rule.registry[cls.__name__] = cls

    @classmethod
    def id(cls) -> str:
        return cls.__name__

    @classmethod
    def title(cls) -> str:
        """The one-line check: the first line of the class docstring."""
        return (cls.__doc__ or "").strip().splitlines()[0]

    @classmethod
    def doc(cls) -> str:
        return f"{DOC_PATH}#{cls.id().lower()}"

    def check(self, project: Project) -> Verdict:
        raise NotImplementedError

    # Helpers for check(): a verdict in one call.
    def passed(self, detail: str) -> Verdict:
        return Verdict("pass", detail)

    def failed(self, detail: str, next_step: str | None = None) -> Verdict:
        return Verdict("fail", detail, next_step or self.next_step)

    def skipped(self, detail: str) -> Verdict:
        return Verdict("skip", detail)

    def result(self, verdict: Verdict) -> Result:
        return Result(
            id=self.id(),
            family=self.family,
            level=self.level,
            title=self.title(),
            status=verdict.status,
            detail=verdict.detail,
            next_step=verdict.next_step if verdict.status == "fail" else None,
            doc=self.doc(),
        )
