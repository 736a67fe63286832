"""`newproject check`: how far a project is from a portfolio piece, rule by rule.

Each rule (rules/) is a small class with an id, a family, a level, the one line it checks, the
next step when it fails and a section in docs/check.md. A rule whose `requires` did not pass is
skipped, saying which; rules that run the project's own commands run only when asked (`--run`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .project import Project
from .rule import Result, Rule


@dataclass(frozen=True)
class Report:
    """Every rule's result for one project."""

    project: Path
    gap: str | None
    results: tuple[Result, ...]

    @property
    def failed_errors(self) -> list[Result]:
        return [r for r in self.results if r.status == "fail" and r.level == "error"]

    @property
    def exit_code(self) -> int:
        """1 when a rule of level error failed, else 0."""
        return 1 if self.failed_errors else 0

    def summary(self) -> dict[str, int]:
        count = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0, "warnings": 0}
        for result in self.results:
            count[{"pass": "passed", "fail": "failed", "skip": "skipped"}[result.status]] += 1
            if result.status == "fail":
                count["errors" if result.level == "error" else "warnings"] += 1
        return count


def all_rules() -> list[type[Rule]]:
    """Every rule, in report order."""
    from . import rules  # noqa: F401  (registers them)

    return list(Rule.registry.values())


def check_project(root: Path, *, run: bool = False) -> Report:
    """Check the project at `root`; `run` also runs its lint and tests."""
    project = Project(Path(root))
    results: dict[str, Result] = {}
    for rule_class in all_rules():
        rule = rule_class()
        blocked = [name for name in rule.requires if results[name].status != "pass"]
        if blocked:
            verdict = rule.skipped(f"Needs {', '.join(blocked)} to pass first.")
        elif rule.needs_run and not run:
            verdict = rule.skipped("Not run: `newproject check --run` runs it.")
        else:
            verdict = rule.check(project)
        results[rule.id()] = rule.result(verdict)
    return Report(
        project=project.root.resolve(), gap=project.gap_id, results=tuple(results.values())
    )
