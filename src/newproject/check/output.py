"""A check report as text (for people) or JSON (for scripts)."""

from __future__ import annotations

import json
import textwrap

from . import Report
from .rule import Result

FAMILY_TITLES = {
    "results": "Results",
    "placeholders": "Placeholders",
    "docs": "Documentation",
    "metadata": "Licence and citation",
    "repository": "Repository and CI",
    "quality": "Lint and tests",
}
_MARKS = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}
_COLOURS = {"pass": "green", "fail": "red", "skip": "yellow"}


def as_json(report: Report, version: str) -> str:
    """The report as one JSON document (its shape: docs/check.md, "JSON output")."""
    data = {
        "project": str(report.project),
        "gap": report.gap,
        "checker": {"name": "newproject", "version": version},
        "summary": report.summary(),
        "exit_code": report.exit_code,
        "results": [result.as_dict() for result in report.results],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_text(report: Report, width: int = 100, style=lambda text, **_: text) -> str:
    """The report grouped by family: one line per rule, and for a failure why, the next step
    and the doc section."""
    gap = f" ({report.gap})" if report.gap else ""
    lines = [style(f"newproject check: {report.project}{gap}", bold=True)]
    family = None
    for result in report.results:
        if result.family != family:
            family = result.family
            lines += ["", style(FAMILY_TITLES.get(family, family.title()), bold=True)]
        lines += _result_lines(result, width, style)
    count = report.summary()
    lines += [
        "",
        f"{count['passed']} passed, {count['failed']} failed ({count['errors']} errors, "
        f"{count['warnings']} warnings), {count['skipped']} skipped. "
        "Details of a rule: newproject check --explain ID",
    ]
    return "\n".join(lines)


def _result_lines(result: Result, width: int, style) -> list[str]:
    mark = style(_MARKS[result.status], fg=_COLOURS[result.status], bold=True)
    level = f"  [{result.level}]" if result.status == "fail" else ""
    lines = [f"  {mark}  {result.id:<8} {result.title}{level}"]
    indent = " " * 17
    if result.status == "pass":
        return lines
    body = [result.detail]
    if result.status == "fail":
        body += [f"Next: {result.next_step}", f"See: {result.doc}"]
    for paragraph in body:
        lines += textwrap.wrap(
            paragraph, width, initial_indent=indent, subsequent_indent=indent + "  "
        ) or [indent]
    return lines
