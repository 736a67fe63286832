"""PH: the template's placeholder answers are gone from what the project publishes.

A placeholder is the gap's default answer (its cookiecutter.json, as this newproject knows the
gap named in .newproject.json). The files are the truth, not the record: an owner who edited
pyproject.toml by hand has replaced the placeholder there, whatever .newproject.json says.
"""

from __future__ import annotations

from ..project import Project
from ..rule import Rule, Verdict

_MAX_TEXT_BYTES = 2_000_000
# The record of the answers a project was rendered with is history, not publication.
_NOT_SEARCHED = {".newproject.json"}


class Placeholders(Rule):
    family = "placeholders"


def files_containing(project: Project, needle: str) -> list[str]:
    """Published text files that contain `needle`, escapes (`\\`) and line breaks ignored, as
    the answer escaped for TOML, YAML, Python or Markdown still reads the same."""
    wanted = " ".join(needle.split())
    found = []
    for name in project.published_files():
        if name in _NOT_SEARCHED:
            continue
        path = project.root / name
        try:
            if path.stat().st_size > _MAX_TEXT_BYTES:
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if wanted in " ".join(text.replace("\\", "").split()):
            found.append(name)
    return found


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:5])
    return shown + (f" (+{len(names) - 5} more)" if len(names) > 5 else "")


class _PlaceholderRule(Placeholders):
    question: str  # the cookiecutter variable
    what: str  # how the next step names it

    def check(self, project: Project) -> Verdict:
        placeholder = project.placeholder(self.question)
        if not placeholder:
            return self.skipped(
                f"The gap {project.gap_id or '(none recorded)'} is unknown to this newproject: "
                f"no default {self.what} to compare with."
            )
        found = files_containing(project, placeholder)
        if found:
            return self.failed(
                f"The template's {self.what} '{placeholder}' is still in {_listed(found)}.",
                f"Put your own {self.what} in those files (or render anew with "
                f"`newproject new {project.gap_id or 'GAP'} --set {self.question}=...`).",
            )
        return self.passed(f"The template's {self.what} '{placeholder}' appears nowhere.")


class PH001(_PlaceholderRule):
    """The author is not the template's placeholder name"""

    question = "author_name"
    what = "author name"


class PH002(_PlaceholderRule):
    """The e-mail address is not the template's placeholder"""

    question = "author_email"
    what = "e-mail address"


class PH003(_PlaceholderRule):
    """The description is the project's own, not the template's"""

    question = "description"
    what = "description"

    def check(self, project: Project) -> Verdict:
        described = project.pyproject.get("project", {}).get("description")
        if not isinstance(described, str) or not described.strip():
            return self.failed(
                "pyproject.toml has no [project] description.",
                "Say in one line what your project shows, in pyproject.toml and README.md.",
            )
        return super().check(project)
