"""QA: the project's own lint and tests pass, run through its Makefile (`--run` only)."""

from __future__ import annotations

import shutil
import subprocess

from ..project import Project
from ..rule import Rule, Verdict

_TAIL_LINES = 6


class Quality(Rule):
    family = "quality"
    needs_run = True
    target: str

    def check(self, project: Project) -> Verdict:
        make = shutil.which("make")
        if make is None:
            return self.failed(
                "`make` is not installed.",
                "Install make, or run the commands in the Makefile by hand.",
            )
        if self.target not in project.make_targets:
            return self.failed(
                f"The Makefile has no `{self.target}` target.",
                f"Add `{self.target}:` to the Makefile (the shared Makefile has one).",
            )
        result = subprocess.run(
            [make, self.target], cwd=project.root, capture_output=True, text=True
        )
        if result.returncode != 0:
            # The tool's summary ends its stdout; make's own "Error N" line ends stderr.
            lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
            errors = [line.strip() for line in result.stderr.splitlines() if line.strip()]
            tail = " | ".join(lines[-_TAIL_LINES:] + errors[-1:])
            return self.failed(f"`make {self.target}` exited {result.returncode}: {tail}")
        return self.passed(f"`make {self.target}` passed.")


class QA001(Quality):
    """Lint and formatting pass (`make lint`)"""

    target = "lint"
    next_step = "Run `make format`, then fix what `make lint` still reports."


class QA002(Quality):
    """The tests pass (`make test`)"""

    target = "test"
    next_step = "Run `make test` and fix the failures it lists."
