"""Write the report:

    python -m {{ cookiecutter.package_name }}.report [--runs runs]

Reads every claim file and the runs that `reproduce` recorded for it (runs/reproduction/<claim>.json
says with which config, overrides and seeds), computes the statistics and verdicts, and writes
    REPORT.md                  the reproducibility report (ML Reproducibility Challenge structure)
    docs/figures/<claim>.png   one figure per claim
    README.md                  the claims table, between the results markers
A claim that has not been reproduced yet is listed as "not run".
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .about import PROJECT_NAME
from .core.errors import run_main
from .core.results import load_runs, publish_figure, write_results
from .reproduce import manifest_path
from .reproduction.analysis import ClaimResult, analyze
from .reproduction.claims import load_claims
from .reproduction.figures import plot_claim
from .reproduction.plan import make_plan
from .reproduction.report_md import claims_table, read_notes, write_report

PACKAGE = __package__


def results_of(claims_dir: str, runs_dir: str) -> list[ClaimResult]:
    """Each claim analysed as it was last reproduced (or with its defaults, if never)."""
    results = []
    for claim in load_claims(None, claims_dir):
        path = manifest_path(runs_dir, claim.id)
        manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        overrides = manifest.get("overrides") or [f"runs_dir={runs_dir}"]
        plan = make_plan([claim], manifest.get("config"), overrides, manifest.get("seeds_override"))
        results.append(analyze(claim, plan))
    return results


def readme_body(results: list[ClaimResult]) -> str:
    return "\n".join(
        [
            f"`python -m {PACKAGE}.reproduce` then `python -m {PACKAGE}.report` "
            "(`make reproduce report`); the full write-up, with figures, statistics, deviations "
            "and the reproducibility checklist, is [REPORT.md](REPORT.md).",
            "",
            claims_table(results, link="REPORT.md"),
            "",
            "Ours: the quantity each rule judges (mean for a tolerance, treatment - baseline Δ for "
            "a difference, slope for a trend), mean ± sample std over seeds, with its 95% "
            "confidence interval.",
        ]
    )


def main(argv=None) -> list[ClaimResult]:
    parser = argparse.ArgumentParser(
        prog=f"python -m {PACKAGE}.report", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--claims-dir", default="claims")
    parser.add_argument("--runs", default="runs")
    parser.add_argument("--output", default="REPORT.md")
    parser.add_argument("--readme", default="README.md")
    args = parser.parse_args(argv)
    results = results_of(args.claims_dir, args.runs)
    figures = {}
    for result in results:
        if result.verdict is not None:
            drawn = plot_claim(result, Path(args.runs) / "figures" / f"{result.claim.id}.png")
            figures[result.claim.id] = publish_figure(drawn, drawn.name)
    report = write_report(results, args.output, PROJECT_NAME, PACKAGE, figures, read_notes())
    used = {run.name for r in results for runs in r.runs.values() for run in runs}
    runs = [run for run in load_runs(args.runs) if run.name in used]
    if Path(args.readme).is_file():
        write_results(args.readme, readme_body(results), runs)
    print(claims_table(results))
    print(f"\nwritten: {report}, {len(figures)} figure(s) in docs/figures/, {args.readme}")
    return results


if __name__ == "__main__":
    run_main(main)
