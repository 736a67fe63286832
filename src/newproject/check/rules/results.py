"""RES: the results section, as the contract's report writes it (docs/templates.md, 4-5)."""

from __future__ import annotations

import re

from ..markdown import code_spans, is_command
from ..project import END, START, Project
from ..rule import Rule, Verdict

_MEAN_STD = re.compile(r"\d\s*(?:±|\+/-|&plusmn;)\s*\d")
# The baseline marks of the results writer (core/results.markdown_table(..., baseline=i)):
# "(baseline)" closing a row's first cell, emphasis around it allowed; or a column headed
# "baseline" that names, per row, what the row is compared against.
_BASELINE_MARK = re.compile(r"\(baseline\)[*_]*$", re.IGNORECASE)
_BASELINE_HEADER = re.compile(r"^[*_`]*baseline[*_`]*$", re.IGNORECASE)
_EMPTY_CELL = {"", "-", "–", "—", "n/a"}
# The report's stamp has one-second resolution: a run finished within that second of it is
# not newer than the report.
_STAMP_RESOLUTION_S = 1.0


class Results(Rule):
    family = "results"


def _fill_step(project: Project) -> str:
    targets = project.make_targets
    if "smoke" in targets:
        return (
            "Run `make smoke` for the quick baseline (or train your runs and run `make report`), "
            "then commit README.md and docs/figures/."
        )
    return "Train your runs and let the report write the results (`make report`)."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class RES001(Results):
    """README keeps the results markers the report writes between"""

    next_step = (
        f"Put `{START}` and `{END}` (in that order) where the results go in README.md; "
        "`make report` writes between them."
    )

    def check(self, project: Project) -> Verdict:
        if project.readme is None:
            return self.failed("There is no README.md.", "Add a README.md (see the template's).")
        if project.results is None:
            return self.failed(f"README.md lacks {START} ... {END}, or has them out of order.")
        return self.passed("README.md has both results markers.")


class RES002(Results):
    """Results table filled by the report"""

    requires = ("RES001",)

    def check(self, project: Project) -> Verdict:
        numeric = [table for table in project.tables if table.has_numbers()]
        stamp = project.stamp
        if stamp is None and not numeric:
            return self.failed(
                "The results section still holds the template's text: no table of numbers, no "
                "report stamp.",
                _fill_step(project),
            )
        if stamp is None:
            return self.failed(
                "The results tables carry no report stamp (`<!-- written by the report at ... "
                "-->`): written by hand, they cannot be checked against the runs.",
                "Let the report write them: `make report` (core/results.write_results).",
            )
        if not numeric:
            return self.failed(
                f"The report wrote the section at {stamp.written.isoformat()}, but it holds no "
                "table of numbers.",
                _fill_step(project),
            )
        runs = f" from {_plural(len(stamp.runs), 'run')}" if stamp.runs else ""
        return self.passed(
            f"{_plural(len(numeric), 'table')} of numbers, written by the report at "
            f"{stamp.written.isoformat()}{runs}."
        )


class RES003(Results):
    """Results are not older than the runs"""

    requires = ("RES002",)
    next_step = "Run `make report` to write the newer runs into the README, then commit it."

    def check(self, project: Project) -> Verdict:
        stamp = project.stamp
        if stamp is None:  # RES002 passed, so only a stamp it could not read
            return self.skipped("The report's stamp cannot be read.")
        runs = project.runs
        if not runs:
            return self.skipped(
                "No finished runs in runs/ here (runs/ is not committed): staleness is judged "
                "where the runs are."
            )
        written = stamp.written.timestamp() + _STAMP_RESOLUTION_S
        newer = [run for run in runs if run.finished > written]
        if newer:
            names = ", ".join(run.name for run in newer[:3])
            more = f" and {len(newer) - 3} more" if len(newer) > 3 else ""
            return self.failed(
                f"{_plural(len(newer), 'run')} finished after the report "
                f"({stamp.written.isoformat()}): {names}{more}."
            )
        return self.passed(
            f"The report is newer than all {_plural(len(runs), 'finished run')} in runs/."
        )


class RES004(Results):
    """Every number in the results has the command that reproduces it"""

    requires = ("RES002",)
    next_step = (
        'Write the command above each table ("Reproduce: `make ...`") or give it a `command` '
        "column filled from each run's command.txt (core/results.code(run.command))."
    )

    def check(self, project: Project) -> Verdict:
        problems = []
        numeric = [table for table in project.tables if table.has_numbers()]
        for table in numeric:
            column = table.command_column()
            if column is not None:
                missing = [
                    row[0] if row else "?"
                    for row in table.rows
                    if column >= len(row) or not _has_command(row[column])
                ]
                if missing:
                    problems.append(
                        f"table at line {table.line}: no command in the rows {', '.join(missing)}"
                    )
            elif not table.commands_above:
                columns = ", ".join(table.header[:4])
                problems.append(
                    f"table at line {table.line} ({columns}, ...): no command above it and no "
                    "`command` column"
                )
        if problems:
            return self.failed("; ".join(problems) + ".")
        return self.passed(
            f"Each of the {_plural(len(numeric), 'table')} of numbers carries its command."
        )


def _has_command(cell: str) -> bool:
    return any(is_command(span) for span in code_spans(cell)) or is_command(cell)


class RES005(Results):
    """Results over at least 3 seeds, reported as mean ± std"""

    requires = ("RES002",)

    def check(self, project: Project) -> Verdict:
        step = _seeds_step(project)
        if not _MEAN_STD.search(project.results or ""):
            return self.failed(
                "No `mean ± std` in the results: every number there comes from a single run.",
                step,
            )
        runs = project.runs
        if not runs:
            return self.passed(
                "The results report mean ± std (the number of seeds is not verified: no runs/ "
                "here)."
            )
        seeds: dict[tuple, set] = {}
        names: dict[tuple, str] = {}
        for run in runs:
            key = project.experiment(run)
            seeds.setdefault(key, set()).add(repr(run.seed))
            names.setdefault(key, run.name)
        key = max(seeds, key=lambda k: len(seeds[k]))
        most = len(seeds[key])
        if most < 3:
            return self.failed(
                f"The results show mean ± std, but the most seeds of one experiment in runs/ is "
                f"{most} (`{names[key]}`).",
                step,
            )
        return self.passed(f"mean ± std reported; `{names[key]}` ran over {most} seeds.")


def _seeds_step(project: Project) -> str:
    targets = sorted(project.make_targets & {"seeds", "ablate", "reproduce"})
    own = f" (`make {targets[0]}` does it here)" if targets else ""
    return (
        "Repeat each experiment over at least 3 seeds (runs that differ only in `seed=`)"
        f"{own} and let the report give mean ± std (core/results.seed_groups, mean_std)."
    )


class RES006(Results):
    """The results have a baseline row to compare against"""

    requires = ("RES002",)
    next_step = (
        "Mark the row to beat: write its table with `markdown_table(..., baseline=index)` "
        "(core/results.py), which ends its first cell with `(baseline)`, or give the table a "
        "`baseline` column naming what each row is compared against."
    )

    def check(self, project: Project) -> Verdict:
        for table in project.tables:
            if not table.has_numbers():
                continue
            for row in table.rows:
                if row and _BASELINE_MARK.search(row[0].strip()):
                    return self.passed(
                        f"Row {row[0]} of the table at line {table.line} is the baseline."
                    )
            for index, name in enumerate(table.header):
                if not _BASELINE_HEADER.match(name.strip()):
                    continue
                filled = [
                    row for row in table.rows
                    if index < len(row) and row[index].strip().lower() not in _EMPTY_CELL
                ]  # fmt: skip
                if filled:
                    return self.passed(
                        f"The table at line {table.line} has a baseline column "
                        f"({_plural(len(filled), 'row')} name their baseline)."
                    )
        return self.failed(
            "No row of the results tables is marked as the baseline (a first cell ending in "
            "`(baseline)`, or a filled `baseline` column)."
        )
