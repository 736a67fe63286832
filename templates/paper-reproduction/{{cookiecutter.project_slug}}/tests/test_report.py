"""The report: REPORT.md in the ML Reproducibility Challenge structure, the claims table in the
README, one figure per claim, the deviations log and the checklist filled from the runs."""

from __future__ import annotations

import re

from conftest import inside

from {{ cookiecutter.package_name }} import report

SECTIONS = [
    "## Reproducibility summary",
    "### Scope of reproducibility",
    "### Methodology",
    "### Results",
    "### What was easy",
    "### What was difficult",
    "### Communication with original authors",
    "## 1. Claims",
    "## 2. Results per claim",
    "## 3. Methodology",
    "## 4. Deviations from the papers",
    "## 5. Reproducibility checklist",
    "## 6. Discussion",
]


def test_report_has_the_reproducibility_challenge_structure_in_order(reproduced):
    project, _, _ = reproduced
    text = (project / "REPORT.md").read_text()
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)


def test_claims_table_gives_paper_value_ours_interval_and_verdict(reproduced):
    project, done, _ = reproduced
    text = (project / "REPORT.md").read_text()
    for result in done["results"]:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{result.claim.id}`"))
        assert f"**{result.label}**" in row
        low, high = result.headline.interval.low, result.headline.interval.high
        assert f"[{low:.3f}, {high:.3f}]" in row
        assert f"Δ {result.headline.mean:.3f} ± {result.headline.std:.3f} (n=3)" in row


def test_each_claim_names_its_baseline_and_marks_its_baseline_arm(reproduced):
    project, _, _ = reproduced
    text = (project / "REPORT.md").read_text()
    header = next(line for line in text.splitlines() if line.startswith("| claim | paper |"))
    assert "| paper's value | baseline | ours (mean ± std) |" in header
    row = next(line for line in text.splitlines() if line.startswith("| `true-beats-random`"))
    assert "| `random` arm |" in row
    # The per-claim table marks the baseline arm's row (core/results.BASELINE_MARK).
    true_beats = _section(text, "true-beats-random")
    assert "\n| `random` (baseline) | " in true_beats and "\n| `true` | " in true_beats
    contradicted = _section(text, "random-beats-true")
    assert "\n| `true` (baseline) | " in contradicted and contradicted.count("(baseline)") == 1


def _section(report: str, claim_id: str) -> str:
    return report.split(f'<a id="{claim_id}"></a>')[1].split("<a id=")[0]


def test_readme_gets_the_claims_table_between_its_markers(reproduced):
    project, done, _ = reproduced
    readme = (project / "README.md").read_text()
    body = readme.split("<!-- results:start -->")[1].split("<!-- results:end -->")[0]
    assert "nothing yet" not in body and "written by the report" in body
    assert "python -m" in body and ".reproduce" in body  # the command that reproduces it
    assert "[true-beats-random](REPORT.md#true-beats-random)" in body
    assert "**reproduced**" in body and "**not reproduced**" in body


def test_one_figure_per_claim(reproduced):
    project, done, _ = reproduced
    for result in done["results"]:
        figure = project / "docs" / "figures" / f"{result.claim.id}.png"
        assert figure.read_bytes()[:4] == b"\x89PNG"
        assert f"](docs/figures/{result.claim.id}.png)" in (project / "REPORT.md").read_text()


def test_deviations_log_comes_from_the_claim_files(reproduced):
    project, _, _ = reproduced
    section = (project / "REPORT.md").read_text().split("## 4. Deviations")[1].split("## 5.")[0]
    assert "| `true-beats-random` | data | CIFAR-10 | 300 digits | speed |" in section


def test_checklist_is_filled_from_the_recorded_runs(reproduced):
    project, done, _ = reproduced
    section = (project / "REPORT.md").read_text().split("## 5. Reproducibility checklist")[1]
    rows = dict(re.findall(r"^\| (\w[\w ]*?) \| (.*) \|$", section, re.MULTILINE))
    for item in (
        "Compute",
        "Software",
        "Runtime",
        "Parameters",
        "Seeds",
        "Hyperparameter search",
        "Splits",
    ):
        assert item in rows, rows.keys()
    assert "cpu x1 (6 runs)" in rows["Compute"] and "threads per run: 1 (6)" in rows["Compute"]
    assert "6 runs (6 finished)" in rows["Runtime"]
    assert "train 300 / val 120 / test 120" in rows["Splits"]
    assert "`true-beats-random`: 0, 1, 2" in rows["Seeds"]
    assert re.search(r"random [\d,]{4,}", rows["Parameters"])
    assert "`random-beats-true`: none" in rows["Hyperparameter search"]


def test_author_sections_are_marked_until_written_then_copied(reproduced):
    project, _, _ = reproduced
    text = (project / "REPORT.md").read_text()
    assert text.count("*To be written by the author") == 4  # easy, difficult, authors, discussion
    notes = project / "docs" / "report_notes.md"
    original = notes.read_text()
    try:
        notes.write_text(original.replace(
            "TODO: what could be reproduced from the paper's description alone.",
            "Everything in Section 2 of the paper.",
        ))  # fmt: skip
        with inside(project):
            report.main([])
        text = (project / "REPORT.md").read_text()
        easy = text.split("### What was easy")[1].split("###")[0]
        assert "Everything in Section 2 of the paper." in easy
        assert text.count("*To be written by the author") == 3
    finally:
        notes.write_text(original)


def test_a_claim_not_reproduced_yet_is_listed_as_not_run(reproduced, tmp_path):
    import shutil

    from conftest import REAL_VS_RANDOM, make_project, write_claim

    project = make_project(tmp_path / "fresh")
    write_claim(project / "claims", "pending", REAL_VS_RANDOM, project / "configs" / "tiny.yaml")
    with inside(project):
        results = report.main([])
    assert results[0].label == "not run"
    assert "| **not run** |" in (project / "REPORT.md").read_text()
    shutil.rmtree(project)
