"""REPORT.md in the structure of the ML Reproducibility Challenge: the reproducibility summary
(scope, methodology, results, what was easy, what was difficult, communication with the
original authors), the claims table, each claim in detail with its figure, the statistics used,
the deviations log and the reproducibility checklist, filled from the recorded runs.

What only the author can write (what was easy or difficult, the exchange with the authors, the
discussion) comes from docs/report_notes.md, a file the report reads and never writes: a
section still starting with "TODO" is shown as a marked gap to fill.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

from ..core.results import markdown_table, utc_timestamp
from .analysis import NOT_RUN, ClaimResult
from .execute import read_record
from .verdicts import VERDICTS

NOTES = Path("docs") / "report_notes.md"
NOTE_SECTIONS = (
    "Scope of reproducibility",
    "What was easy",
    "What was difficult",
    "Communication with original authors",
    "Discussion",
)


def read_notes(path: str | Path = NOTES) -> dict[str, str]:
    """Section title -> the author's text (empty when missing or still a TODO)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    sections, current = {}, None
    for line in text.splitlines():
        heading = re.match(r"^##\s+(.*?)\s*$", line)
        if heading:
            current = heading.group(1)
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    out = {}
    for title in NOTE_SECTIONS:
        body = "\n".join(sections.get(title, [])).strip()
        out[title] = "" if not body or body.startswith("TODO") else body
    return out


def _author(notes: dict[str, str], title: str, hint: str) -> str:
    return notes.get(title) or f"*To be written by the author in `{NOTES}` ({hint}).*"


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if value != value:  # NaN
        return "n/a"
    if abs(value) == float("inf"):
        return "∞" if value > 0 else "-∞"
    return f"{value:.{digits}f}"


def paper_value(result: ClaimResult) -> str:
    reported = result.claim.reported
    if reported.get("value") is None:
        return reported["text"]
    spread = reported.get("spread")
    kind = reported.get("spread_kind") or "std"
    shown = f"{reported['value']:g}"
    return shown + (f" ± {spread:g} ({kind})" if spread is not None else "")


def ours(result: ClaimResult) -> str:
    """The number the verdict is about, as mean ± std (n)."""
    headline = result.headline
    if headline is None:
        return NOT_RUN
    rule = result.claim.rule["name"]
    what = {"difference": "Δ ", "trend": "slope "}.get(rule, "")
    spread = f" ± {headline.std:.3f}" if headline.n > 1 else ""
    return f"{what}{headline.mean:.3f}{spread} (n={headline.n})"


def interval(result: ClaimResult) -> str:
    headline = result.headline
    if headline is None or headline.interval is None:
        return "n/a"
    return f"[{headline.interval.low:.3f}, {headline.interval.high:.3f}]"


def test_cell(result: ClaimResult) -> str:
    comparison = result.comparison
    if comparison is None:
        return "–"
    parts = []
    if comparison.test is not None:
        test = comparison.test
        parts.append(f"{test.name}: t({test.df:.3g}) = {test.statistic:.2f}, p = {test.pvalue:.2g}")
    parts.append(f"{comparison.effect_size_name} = {fmt(comparison.effect_size, 2)}")
    return "; ".join(parts)


def short_authors(authors: str) -> str:
    """ "A B, C D" -> "B and D"; three or more -> "B et al."."""
    names = authors.replace(" and ", ", ").split(",")
    surnames = [name.split()[-1] for name in names if name.strip()]
    if len(surnames) <= 2:
        return " and ".join(surnames)
    return f"{surnames[0]} et al."


def baseline_of(result: ClaimResult) -> str:
    """What the claim's number is judged against: the baseline arm of a difference, the
    paper's value for a tolerance, a flat line for a trend."""
    rule = result.claim.rule
    if rule["name"] == "difference":
        return f"`{rule['baseline']}` arm"
    if rule["name"] == "tolerance":
        return "paper's value"
    return "slope 0 (no trend)"


def claims_table(results: list[ClaimResult], link: str = "") -> str:
    """The table of the report and the README: paper's value, what ours is judged against (the
    `baseline` column), ours, interval, verdict."""
    rows = []
    for result in results:
        claim = result.claim
        name = f"[{claim.id}]({link}#{claim.id})" if link else f"`{claim.id}`"
        paper = f"{short_authors(claim.paper['authors'])} {claim.paper['year']}"
        rows.append(
            [name, paper, claim.metric_label, paper_value(result), baseline_of(result),
             ours(result), interval(result), f"**{result.label}**"]
        )  # fmt: skip
    return markdown_table(
        [
            "claim",
            "paper",
            "metric",
            "paper's value",
            "baseline",
            "ours (mean ± std)",
            "95% interval",
            "verdict",
        ],
        rows,
    )


def _settings(settings: dict) -> str:
    return ", ".join(f"`{k}={v}`" for k, v in settings.items()) or "the base config"


def claim_section(index: int, result: ClaimResult, figure: str | None) -> str:
    claim = result.claim
    rule = claim.rule
    lines = [
        f'<a id="{claim.id}"></a>',
        f"### 2.{index} `{claim.id}`: {result.label}",
        "",
        f"**Claim.** {claim.text}",
        "",
        f"> {claim.source['quote']}",
        ">",
        f"> — {claim.citation}, {claim.source['location']}",
        "",
        f"**Paper's value.** {paper_value(result)}"
        + (f" ({claim.reported['text']})" if claim.reported.get("value") is not None else ""),
        "",
        f"**Metric.** {claim.metric_label}: `{claim.metric['name']}` on the "
        f"{claim.metric['split']} "
        f"split, {claim.metric['checkpoint']} checkpoint, {claim.metric['direction']} is better"
        + (
            f"; a diverged run scores {claim.metric['diverged']:g}"
            if "diverged" in claim.metric
            else ""
        )
        + ".",
        "",
        f"**Rule.** `{rule['name']}`: "
        + ", ".join(f"{k} = {v}" for k, v in rule.items() if k != "name")
        + f". Seeds: {', '.join(map(str, result.seeds))}.",
        "",
    ]
    rows, baseline = [], []
    for arm in claim.arms:
        for point in claim.points(arm):
            if rule["name"] == "difference" and arm == rule["baseline"]:
                baseline.append(len(rows))
            values = result.values.get(point.label)
            summary = result.summaries.get(point.label)
            rows.append(
                [
                    f"`{point.label}`",
                    _settings(point.settings),
                    ", ".join(fmt(v) for v in values) if values else NOT_RUN,
                    f"{summary.mean:.3f} ± {fmt(summary.std)}" if summary else "",
                    f"[{summary.interval.low:.3f}, {summary.interval.high:.3f}]"
                    if summary and summary.interval
                    else "n/a",
                    str(result.diverged.get(point.label, 0)),
                ]
            )
    lines += [
        markdown_table(
            ["setting", "config", "per seed", "mean ± std", "95% interval", "diverged"],
            rows,
            baseline=baseline,
        ),
        "",
    ]
    if result.comparison is not None:
        c = result.comparison
        method = c.difference.interval.method if c.difference.interval else "n/a"
        lines += [
            f"**Statistics.** {rule['treatment']} - {rule['baseline']}"
            f" ({'paired by seed' if c.paired else 'unpaired'}): {ours(result)}, "
            f"95% interval {interval(result)} ({method}); "
            f"{test_cell(result)}.",
            "",
        ]
    if result.slopes is not None:
        lines += [
            f"**Statistics.** least-squares slope per seed: "
            f"{', '.join(fmt(s, 4) for s in result.slopes)}; {ours(result)}, 95% interval "
            f"{interval(result)}.",
            "",
        ]
    if result.verdict is not None:
        lines += [f"**Verdict: {result.label}.** {result.verdict.reason}.", ""]
    else:
        lines += [f"**Verdict:** not run yet: `make reproduce CLAIM={claim.id}`.", ""]
    if figure:
        lines += [f"![{claim.id}]({figure})", ""]
    if claim.data.get("notes"):
        lines += [f"**Notes.** {claim.data['notes']}", ""]
    return "\n".join(lines)


def deviations_table(results: list[ClaimResult]) -> str:
    rows = [
        [f"`{r.claim.id}`", d["aspect"], d["paper"], d["ours"], d.get("why", "")]
        for r in results
        for d in r.claim.deviations
    ]
    if not rows:
        return "No deviations are recorded in the claim files."
    return markdown_table(["claim", "aspect", "paper", "ours", "why"], rows)


def _records(results: list[ClaimResult]) -> list[dict]:
    seen, records = set(), []
    for result in results:
        for runs in result.runs.values():
            for run in runs:
                record = read_record(run.dir)
                if record and record["config_hash"] not in seen:
                    seen.add(record["config_hash"])
                    records.append({**record, "_config": run.config})
    return records


def checklist(results: list[ClaimResult]) -> str:
    """The reproducibility checklist, filled from the runs' records."""
    records = _records(results)
    if not records:
        return "No runs recorded yet: `make reproduce`."
    env = records[-1]["environment"]
    hw = env["hardware"]
    devices = Counter(f"{r.get('device')} x{r.get('world_size', 1)}" for r in records)
    threads = Counter(str(r.get("threads")) for r in records)
    train = [r["train_seconds"] for r in records if r.get("train_seconds") is not None]
    wall = [r["wall_seconds"] for r in records]
    packages = ", ".join(f"{k} {v}" for k, v in env["packages"].items() if v)
    commits = Counter(
        (r["environment"]["git"].get("commit") or "not a git checkout")[:12]
        + (" (uncommitted changes)" if r["environment"]["git"].get("dirty") else "")
        for r in records
    )
    statuses = Counter(r["status"] for r in records)
    rows = [
        ["Compute", (
            f"{', '.join(f'{k} ({v} runs)' for k, v in devices.items())}; "
            f"{hw['cpu_count']} CPU cores ({hw.get('processor') or hw['machine']})"
            + (f"; GPUs: {', '.join(hw['gpus'])}" if hw.get("gpus") else "; no GPU")
            + f"; torch threads per run: {', '.join(f'{k} ({v})' for k, v in threads.items())}"
        )],
        ["Software", f"Python {env['python']} on {env['platform']}; {packages}"],
        ["Code version", ", ".join(f"{k} ({v} runs)" for k, v in commits.items())],
        ["Runtime", (
            f"{len(records)} runs ({', '.join(f'{v} {k}' for k, v in statuses.items())}); training "
            f"{sum(train):.1f} s in total, {statistics.fmean(train):.2f} s per run on average "
            f"(max {max(train):.2f} s); {sum(wall):.1f} s wall time including evaluation"
        ) if train else "n/a"],
    ]  # fmt: skip
    parameters, seeds, search, splits = [], [], [], []
    for result in results:
        claim = result.claim
        counts, sizes = {}, None
        for label, runs in result.runs.items():
            record = read_record(runs[0].dir) if runs else None
            if record and record.get("num_parameters"):
                counts[label] = record["num_parameters"]
            if record and record.get("splits") and sizes is None:
                sizes, data = record["splits"], runs[0].config["data"]
        if sizes is not None:
            splits.append(
                f"`{claim.id}`: {data['name']} train {sizes['train']} / val {sizes['val']} / "
                f"test {sizes['test']} (split by data.seed={data.get('seed', 0)}); the claim reads "
                f"{claim.metric['split']} at the {claim.metric['checkpoint']} checkpoint"
            )
        parameters.append(
            f"`{claim.id}`: " + (", ".join(f"{k} {v:,}" for k, v in counts.items()) or "not run")
        )
        seeds.append(f"`{claim.id}`: {', '.join(map(str, result.seeds))}")
        search.append(f"`{claim.id}`: {claim.data.get('hyperparameter_search', 'not stated')}")
    rows += [
        ["Parameters", "<br>".join(parameters)],
        ["Seeds", "<br>".join(seeds) + "<br>(`seed` sets initialisation and batch order; the data "
         "split is fixed by `data.seed`)"],
        ["Hyperparameter search", "<br>".join(search)],
        ["Splits", "<br>".join(splits) or "n/a"],
        ["Evaluation runs", "one evaluation per run and claim metric; statistics over seeds with "
         "scipy (see Methodology)"],
    ]  # fmt: skip
    return markdown_table(["item", "value"], rows)


def methodology_text(results: list[ClaimResult]) -> str:
    methods = sorted({r.interval_method for r in results})
    return "\n".join(
        [
            "Every claim is a YAML file in `claims/` (its source, the paper's value, the metric, "
            "the experiments and the verdict rule). `python -m {package}.reproduce` trains every "
            "setting of every claim once per seed with the shared training engine, evaluates the "
            "split and checkpoint the claim names, and caches each run by the hash of its config; "
            "`python -m {package}.report` computes the statistics and writes this report.",
            "",
            f"**Statistics** (scipy.stats). Per setting: mean, sample standard deviation (n - 1) "
            f"and a 95% confidence interval of the mean ({', '.join(methods)}: "
            "`t` = Student-t interval, `bootstrap` = BCa bootstrap with 9,999 resamples). "
            "Comparisons are paired by seed when both arms ran the same seeds (paired t-test, "
            "interval of the mean difference, effect size Cohen's d_z = mean difference / std of "
            "the differences), otherwise Welch's t-test with Hedges' g. Trends: one least-squares "
            "slope per seed along the sweep, and the interval of their mean.",
            "",
            "**Verdicts.** *reproduced*: the whole interval supports the claim (a difference "
            "excludes zero in the claimed direction; our value lies within the stated tolerance of "
            "the paper's; a slope excludes zero in the claimed direction). *partially reproduced*: "
            "the direction holds but the whole interval falls short of the claimed size, or lies "
            "outside the tolerance but inside the stated partial tolerance. *not reproduced*: the "
            "whole interval contradicts the claim. *inconclusive*: the interval straddles the "
            "line that decides, so more seeds are needed; the reason gives an estimate.",
        ]
    )


def write_report(
    results: list[ClaimResult],
    path: str | Path,
    project_name: str,
    package: str,
    figures: dict[str, str],
    notes: dict[str, str],
) -> Path:
    counts = Counter(r.label for r in results)
    papers = sorted({r.claim.citation for r in results})
    scope = "\n".join(
        f"- **{r.claim.id}**: {r.claim.text} ({r.claim.citation}; {r.claim.source['location']})"
        for r in results
    )
    outcome = ", ".join(f"{counts[v]} {v}" for v in (*VERDICTS, NOT_RUN) if counts[v])
    result_lines = "\n".join(
        f"- `{r.claim.id}`: **{r.label}**" + (f": {r.verdict.reason}." if r.verdict else ".")
        for r in results
    )
    stamp = utc_timestamp()
    text = f"""# Reproducibility report: {project_name}

*Written by `python -m {package}.report` at {stamp} from the recorded runs; the sections marked
"to be written by the author" come from `{NOTES}`.* Papers: {"; ".join(papers)}.

## Reproducibility summary

### Scope of reproducibility

We test {len(results)} claim(s) from {len(papers)} paper(s):

{scope}

{notes.get("Scope of reproducibility", "")}

### Methodology

Each claim is re-implemented from the paper's description (no code of the original authors is
used) at a scale that runs on the hardware listed in the checklist (section 5), over the seeds
each claim names, with every difference to the paper's setup logged in section 4. Verdicts
follow fixed rules stated before the runs, in the claim files (section 3).

### Results

Verdicts over {len(results)} claims: {outcome}.

{result_lines}

### What was easy

{_author(notes, "What was easy", "what worked from the paper's description alone")}

### What was difficult

{_author(notes, "What was difficult", "what was missing or ambiguous, what took long")}

### Communication with original authors

{_author(notes, "Communication with original authors", "whom you asked what, and their answer")}

## 1. Claims

{claims_table(results, link="")}

Ours: the quantity each rule judges (the mean for a tolerance, the treatment - baseline
difference Δ for a difference, the slope for a trend), mean ± sample std over seeds; the
interval is its 95% confidence interval.

## 2. Results per claim

{chr(10).join(claim_section(i, r, figures.get(r.claim.id)) for i, r in enumerate(results, 1))}

## 3. Methodology

{methodology_text(results).format(package=package)}

Reproduce every number: `python -m {package}.reproduce` (or one claim:
`python -m {package}.reproduce CLAIM_ID`), then `python -m {package}.report`.

## 4. Deviations from the papers

{deviations_table(results)}

## 5. Reproducibility checklist

{checklist(results)}

## 6. Discussion

{_author(notes, "Discussion", "what the verdicts mean, what this setup cannot show, what next")}
"""
    text = re.sub(r"\n{3,}", "\n\n", text)
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
