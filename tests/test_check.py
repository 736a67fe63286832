"""`newproject check`: a fresh project passes the structural rules and fails the owner's, a
project its owner completed passes every rule, and breaking one thing fails exactly its rule."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import GAP_IDS, REPO, TEMPLATES, render_gap, venv_bin

from newproject.catalog import get_gap
from newproject.check import all_rules, check_project
from newproject.check.citation import citation_problems
from newproject.check.docs import doc_file
from newproject.cli import main

STRUCTURAL = ("RES001", "DOC001", "DOC002", "META001", "META002", "REPO001", "REPO002", "REPO003")
OWNER = ("RES002", "PH001", "PH002", "PH003")
NEEDS_RESULTS = ("RES003", "RES004", "RES005", "RES006")
ME = {"author_name": "Ada Lovelace", "author_email": "ada@example.org"}
MY_DESCRIPTION = "How far residual blocks carry a small CNN on digits, over three seeds."
START, END = "<!-- results:start -->", "<!-- results:end -->"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def statuses(project: Path, run: bool = False) -> dict[str, str]:
    return {result.id: result.status for result in check_project(project, run=run).results}


def result_of(project: Path, rule_id: str):
    return next(r for r in check_project(project).results if r.id == rule_id)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """Every gap rendered once, with git, as `newproject new --no-input` does."""
    from newproject.answers import resolve_answers
    from newproject.render import TemplateEnvironment, render_project

    projects = {}
    for gap_id in GAP_IDS:
        gap = get_gap(gap_id, TEMPLATES)
        answers = resolve_answers(gap, {}, TemplateEnvironment(gap).render_default)
        projects[gap_id] = render_project(gap, answers, tmp_path_factory.mktemp(gap_id), git=True)
    return projects


@pytest.fixture
def fresh(rendered, tmp_path) -> Path:
    """A copy of the rendered architecture lab (a torch gap, with a model card)."""
    return Path(shutil.copytree(rendered["custom-model-architecture"], tmp_path / "lab"))


def stamp(when: datetime, runs: list[str]) -> str:
    """The stamp core/results.write_results writes (docs/templates.md, section 5)."""
    names = f" from runs: {', '.join(runs)}" if runs else ""
    return f"<!-- written by the report at {when.replace(microsecond=0).isoformat()}{names} -->"


RESULTS_BODY = """Reproduce: `python -m architecture_lab.ablate --config configs/quick.yaml`

| variant | params | test accuracy |
|---|---:|---:|
| `cnn` (baseline) | 10.2 k | 0.9611 ± 0.0042 |
| `cnn_residual` | 11.0 k | **0.9722 ± 0.0031** |

![Accuracy against FLOPs](docs/figures/ablation.png)
"""


def set_results(project: Path, body: str, runs: list[str] | None = None, when=None) -> None:
    readme = project / "README.md"
    text = readme.read_text()
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    header = stamp(when or datetime.now(UTC), runs or []) + "\n" if runs is not None else ""
    readme.write_text(f"{head}{START}\n{header}{body}\n{END}{tail}")


def make_run(project: Path, name: str, seed: int, age_s: float = 100.0, **config) -> Path:
    folder = project / "runs" / name
    folder.mkdir(parents=True)
    cfg = {"seed": seed, "run_name": name, "model": {"name": "cnn"}, "epochs": 3, **config}
    (folder / "config.yaml").write_text(yaml.safe_dump(cfg))
    (folder / "command.txt").write_text(f"python -m architecture_lab.train run_name={name}\n")
    for file in ("metrics.json", "test_metrics.json"):
        (folder / file).write_text(json.dumps({"accuracy": 0.96}))
        when = time.time() - age_s
        os.utime(folder / file, (when, when))
    return folder


def replace_everywhere(project: Path, old: str, new: str) -> None:
    for name in git(project, "ls-files").split():
        path = project / name
        if name == ".newproject.json" or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new), encoding="utf-8")


def complete(project: Path) -> Path:
    """What an owner does: own name, e-mail and description, results over 3 seeds with a
    baseline and their command, the figure committed."""
    gap = get_gap("custom-model-architecture", TEMPLATES)
    defaults = {q.name: q.default for q in gap.questions}
    for key, mine in ME.items():
        replace_everywhere(project, defaults[key], mine)
    replace_everywhere(project, defaults["description"], MY_DESCRIPTION)
    names = [f"cnn-seed{seed}" for seed in range(3)]
    for seed, name in enumerate(names):
        make_run(project, name, seed)
    set_results(project, RESULTS_BODY, names)
    figure = project / "docs" / "figures" / "ablation.png"
    figure.parent.mkdir(parents=True, exist_ok=True)
    figure.write_bytes(b"\x89PNG\r\n\x1a\n")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "my study")
    return project


def test_every_rule_has_an_id_a_title_a_next_step_and_a_doc_section():
    doc = doc_file().read_text()
    headings = re.findall(r"^### (\S+)$", doc, re.MULTILINE)
    ids = [rule.id() for rule in all_rules()]
    assert headings == ids  # one section per rule, in report order, none orphaned
    assert len(set(ids)) == len(ids) == 19
    for rule in all_rules():
        assert rule.title() and rule.family and rule.level in ("error", "warning")
        assert rule.doc() == f"docs/check.md#{rule.id().lower()}"
        assert f"**{rule.title()}.**" in doc, rule.id()
    assert doc_file() == REPO / "docs" / "check.md"


@pytest.mark.parametrize("gap_id", GAP_IDS)
def test_fresh_project_passes_structure_and_fails_the_owners_rules(rendered, gap_id):
    report = check_project(rendered[gap_id])
    found = {result.id: result for result in report.results}
    assert {rid: found[rid].status for rid in STRUCTURAL} == dict.fromkeys(STRUCTURAL, "pass")
    assert {rid: found[rid].status for rid in OWNER} == dict.fromkeys(OWNER, "fail")
    for rid in NEEDS_RESULTS:
        assert (found[rid].status, found[rid].detail) == ("skip", "Needs RES002 to pass first.")
    assert "make smoke" in found["RES002"].next_step
    assert "'Your Name'" in found["PH001"].detail and "pyproject.toml" in found["PH001"].detail
    assert found["DOC003"].status == ("skip" if gap_id == "dl-fundamentals" else "fail")
    assert {found["QA001"].status, found["QA002"].status} == {"skip"}
    for result in report.results:
        assert (result.next_step is not None) == (result.status == "fail"), result.id
    assert report.exit_code == 1


def test_a_completed_project_passes_every_rule(fresh):
    complete(fresh)
    found = statuses(fresh)
    assert {rid: status for rid, status in found.items() if status != "pass"} == {
        "QA001": "skip",
        "QA002": "skip",
    }
    result = CliRunner().invoke(main, ["check", str(fresh)])
    assert result.exit_code == 0, result.output
    assert "17 passed, 0 failed (0 errors, 0 warnings), 2 skipped." in result.output


def test_checker_reads_the_stamp_the_projects_own_report_writes(fresh):
    """core/results.write_results of the rendered project, not a copy of its format."""
    complete(fresh)
    code = (
        "from architecture_lab.core.results import load_runs, write_results;"
        f"write_results('README.md', {RESULTS_BODY!r}, load_runs('runs'))"
    )
    env = {**os.environ, "PYTHONPATH": str(fresh / "src")}
    subprocess.run([sys.executable, "-c", code], cwd=fresh, env=env, check=True)
    readme = (fresh / "README.md").read_text()
    assert "from runs: cnn-seed0, cnn-seed1, cnn-seed2 -->" in readme
    assert statuses(fresh)["RES003"] == "pass"
    assert "written by the report at" in result_of(fresh, "RES002").detail


# -- one test per rule outcome, each from the completed project ---------------------------


def test_res001_fails_without_markers(fresh):
    complete(fresh)
    readme = fresh / "README.md"
    readme.write_text(readme.read_text().replace(END, ""))
    found = statuses(fresh)
    assert found["RES001"] == "fail"
    assert all(found[rid] == "skip" for rid in ("RES002", *NEEDS_RESULTS))


def test_res002_fails_for_a_table_written_by_hand(fresh):
    complete(fresh)
    set_results(fresh, RESULTS_BODY, runs=None)  # no stamp
    result = result_of(fresh, "RES002")
    assert result.status == "fail" and "no report stamp" in result.detail
    assert "make report" in result.next_step


def test_res002_fails_for_a_stamp_without_numbers(fresh):
    complete(fresh)
    set_results(fresh, "Nothing trained yet.", ["cnn-seed0"])
    assert "holds no table of numbers" in result_of(fresh, "RES002").detail


def test_res003_fails_when_a_run_finished_after_the_report(fresh):
    complete(fresh)
    make_run(fresh, "cnn-late", 7, age_s=-30)  # 30 s after the stamp
    result = result_of(fresh, "RES003")
    assert result.status == "fail" and "cnn-late" in result.detail
    assert "make report" in result.next_step


def test_res003_is_skipped_where_runs_are_not_kept(fresh):
    complete(fresh)
    shutil.rmtree(fresh / "runs")
    assert result_of(fresh, "RES003").status == "skip"


def test_res003_counts_nested_ablation_runs(fresh):
    complete(fresh)
    cell = make_run(fresh, "ablation/cnn-seed9", 9, age_s=-30)
    assert cell.parent.name == "ablation"
    assert "ablation/cnn-seed9" in result_of(fresh, "RES003").detail


def test_res004_fails_for_a_table_without_its_command(fresh):
    complete(fresh)
    set_results(fresh, RESULTS_BODY.split("\n", 2)[2], ["cnn-seed0"])  # drop "Reproduce:"
    result = result_of(fresh, "RES004")
    assert result.status == "fail" and "no command above it" in result.detail


def test_res004_one_command_heads_the_tables_of_its_section_and_no_further(fresh):
    complete(fresh)
    table = "| class | AP |\n|---|---:|\n| car | 0.71 |\n"
    body = (
        "### Errors\n\nReproduce: `make evaluate RUN=runs/quick`.\n\n"
        f"{table}\n{table}\n### Latency\n\n{table}"
    )
    set_results(fresh, body, ["cnn-seed0"])
    result = result_of(fresh, "RES004")
    assert result.status == "fail", result.detail
    # Only the table under the second heading lacks a command; the first section's two share one.
    assert result.detail.count("no command above it") == 1, result.detail


def test_res004_accepts_a_command_column_and_names_rows_without_one(fresh):
    complete(fresh)
    body = (
        "| run | accuracy | command |\n|---|---:|---|\n"
        "| a (baseline) | 0.91 ± 0.01 | `python -m architecture_lab.train run_name=a` |\n"
        "| b | 0.93 ± 0.01 | n/a |\n"
    )
    set_results(fresh, body, ["cnn-seed0"])
    result = result_of(fresh, "RES004")
    assert result.status == "fail" and "no command in the rows b" in result.detail
    set_results(fresh, body.replace("| n/a |", "| `make train` |"), ["cnn-seed0"])
    assert result_of(fresh, "RES004").status == "pass"


def test_res005_fails_without_mean_and_std(fresh):
    complete(fresh)
    set_results(fresh, RESULTS_BODY.replace(" ± 0.0042", "").replace(" ± 0.0031", ""), ["x"])
    result = result_of(fresh, "RES005")
    assert result.status == "fail" and "single run" in result.detail
    assert "seed" in result.next_step


def test_res005_fails_when_runs_show_only_two_seeds(fresh):
    complete(fresh)
    shutil.rmtree(fresh / "runs" / "cnn-seed2")
    result = result_of(fresh, "RES005")
    assert result.status == "fail" and "is 2 (`cnn-seed0`)" in result.detail


def test_res005_treats_runs_that_differ_in_runtime_keys_as_repeats(fresh):
    """RUNTIME_KEYS, read from the project's own core/config.py, do not split an experiment."""
    complete(fresh)
    shutil.rmtree(fresh / "runs")
    for seed in range(3):
        make_run(fresh, f"t{seed}", seed, threads=seed + 1, device="cpu")
    assert result_of(fresh, "RES005").status == "pass"
    make_run(fresh, "other", 0, epochs=9)  # a different experiment, one seed
    assert result_of(fresh, "RES005").status == "pass"
    shutil.rmtree(fresh / "runs" / "t2")
    assert result_of(fresh, "RES005").status == "fail"


def test_res006_fails_without_a_baseline_row(fresh):
    complete(fresh)
    set_results(fresh, RESULTS_BODY.replace(" (baseline)", ""), ["cnn-seed0"])
    result = result_of(fresh, "RES006")
    assert result.status == "fail" and "baseline" in result.next_step


def test_res006_ignores_the_word_baseline_outside_the_mark(fresh):
    complete(fresh)
    body = RESULTS_BODY.replace(" (baseline)", "").replace(
        "configs/quick.yaml", "configs/baseline.yaml"
    )  # the word in a command, not a marked row
    body = body.replace("| `cnn_residual` |", "| `cnn_residual` (beats no baseline yet) x |")
    set_results(fresh, body, ["cnn-seed0"])
    assert result_of(fresh, "RES006").status == "fail"


def test_res006_accepts_a_filled_baseline_column(fresh):
    complete(fresh)
    body = (
        "Reproduce: `make reproduce`\n\n| claim | baseline | ours |\n|---|---|---:|\n"
        "| `he2016` | `plain` arm | 0.12 ± 0.01 |\n"
    )
    set_results(fresh, body, ["cnn-seed0"])
    assert result_of(fresh, "RES006").status == "pass"
    set_results(fresh, body.replace("`plain` arm", "–"), ["cnn-seed0"])
    assert result_of(fresh, "RES006").status == "fail"


def shared_core():
    """The projects' core package (templates/_shared/core), imported as `shared_core`."""
    import importlib.util

    if "shared_core" not in sys.modules:
        folder = TEMPLATES / "_shared" / "core"
        spec = importlib.util.spec_from_file_location(
            "shared_core", folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["shared_core"] = module
        spec.loader.exec_module(module)
    return importlib.import_module("shared_core.results")


@pytest.mark.parametrize("baseline", [0, 1, [0, 2], None])
def test_res006_reads_the_baseline_row_the_results_writer_marks(fresh, baseline):
    """The contract's writer (core/results.markdown_table(..., baseline=...) and
    write_results) and the rule agree: a marked row passes, an unmarked table fails."""
    results = shared_core()
    complete(fresh)
    rows = [["`cnn`", "0.9611 ± 0.0042"], ["`cnn_se`", "0.9722 ± 0.0031"], ["`vit`", "0.95"]]
    table = results.markdown_table(["variant", "test accuracy"], rows, "lr", baseline=baseline)
    body = f"Reproduce: `python -m architecture_lab.ablate`\n\n{table}\n"
    results.write_results(fresh / "README.md", body, results.load_runs(fresh / "runs"))
    result = result_of(fresh, "RES006")
    if baseline is None:
        assert result.status == "fail", result.detail
        assert "(baseline)" in result.next_step and "markdown_table" in result.next_step
    else:
        first = baseline if isinstance(baseline, int) else baseline[0]
        assert result.status == "pass", result.detail
        assert result.detail.startswith(f"Row {rows[first][0]} {results.BASELINE_MARK} ")
    assert result_of(fresh, "RES002").status == "pass"  # the writer's stamp is read too


def test_the_results_writer_refuses_a_baseline_row_that_is_not_there():
    results = shared_core()
    with pytest.raises(ValueError, match=r"baseline row\(s\) \[3\] not in a table of 2 row"):
        results.markdown_table(["a"], [["x"], ["y"]], baseline=3)


@pytest.mark.parametrize(("rule_id", "key"), [("PH001", "author_name"), ("PH002", "author_email")])
def test_a_placeholder_left_in_one_file_fails_naming_it(fresh, rule_id, key):
    complete(fresh)
    placeholder = {q.name: q.default for q in get_gap("custom-model-architecture").questions}[key]
    citation = fresh / "CITATION.cff"
    citation.write_text(citation.read_text().replace(ME[key], placeholder))
    result = result_of(fresh, rule_id)
    assert result.status == "fail"
    assert result.detail.endswith(f"'{placeholder}' is still in CITATION.cff.")
    assert f"--set {key}=" in result.next_step


def test_placeholders_count_in_a_repository_that_has_committed_nothing_yet(fresh):
    """`git init` on a render tracks nothing: what the first `git add -A` would publish
    still holds the placeholders, and an ignored file does not count."""
    shutil.rmtree(fresh / ".git")
    subprocess.run(["git", "init", "-q"], cwd=fresh, check=True)
    (fresh / "runs").mkdir(exist_ok=True)
    (fresh / "runs" / "notes.txt").write_text("Your Name\n")  # runs/ is ignored
    result = result_of(fresh, "PH001")
    assert result.status == "fail" and "pyproject.toml" in result.detail, result.detail
    assert "runs/notes.txt" not in result.detail


def test_ph003_finds_the_default_description_through_markdown_escapes(fresh):
    complete(fresh)
    default = {q.name: q.default for q in get_gap("custom-model-architecture").questions}
    readme = fresh / "README.md"
    # md_text escapes Markdown's active characters; the check reads through the escapes.
    escaped = default["description"].replace(":", "\\:").replace(",", "\\,")
    readme.write_text(readme.read_text().replace(MY_DESCRIPTION, escaped, 1))
    result = result_of(fresh, "PH003")
    assert result.status == "fail" and "README.md" in result.detail


def test_ph003_is_skipped_for_a_gap_this_newproject_does_not_know(fresh):
    complete(fresh)
    record = json.loads((fresh / ".newproject.json").read_text())
    record["gap"] = "gap-from-the-future"
    (fresh / ".newproject.json").write_text(json.dumps(record))
    found = statuses(fresh)
    assert found["PH003"] == "skip"
    assert found["PH001"] == "pass"  # "Your Name", every gap's placeholder, is still checked


def test_doc001_fails_without_limits(fresh):
    complete(fresh)
    readme = fresh / "README.md"
    readme.write_text(readme.read_text().replace("## Honest limits", "## Notes"))
    assert result_of(fresh, "DOC001").status == "fail"
    readme.write_text(re.sub(r"## Notes\n.*?\n## ", "## Limits\n\nFew.\n\n## ", readme.read_text(),
                             flags=re.DOTALL))  # fmt: skip
    assert "says almost nothing" in result_of(fresh, "DOC001").detail


def test_doc002_fails_for_a_missing_and_for_an_uncommitted_figure(fresh):
    complete(fresh)
    git(fresh, "rm", "--quiet", "--cached", "docs/figures/ablation.png")
    result = result_of(fresh, "DOC002")
    assert result.status == "fail" and "Not committed" in result.detail
    assert "git add docs/figures/ablation.png" in result.next_step
    (fresh / "docs" / "figures" / "ablation.png").unlink()
    assert result_of(fresh, "DOC002").detail == "Missing: docs/figures/ablation.png."


def test_doc003_fails_for_a_card_without_limitations_or_author(fresh):
    complete(fresh)
    card = fresh / "MODEL_CARD.md"
    text = card.read_text()
    card.write_text(
        text.replace("## Caveats and recommendations", "## Notes").replace(ME["author_name"], "me")
    )
    result = result_of(fresh, "DOC003")
    assert result.status == "fail"
    assert "no section on limitations" in result.detail
    assert "does not say who developed the model (Ada Lovelace)" in result.detail


TORCH_GAPS = [gap for gap in GAP_IDS if gap != "dl-fundamentals"]


@pytest.mark.parametrize("gap_id", TORCH_GAPS)
def test_doc003_passes_on_a_card_rendered_with_the_owners_answers(gap_id, tmp_path):
    """The shared card skeleton (project/MODEL_CARD.md) fills "Developed by" and the contact
    from the answers, and every section in every torch gap says something."""
    project, _ = render_gap(gap_id, tmp_path, {**ME, "author_name": "Ada *A.* Lovelace"})
    card = (project / "MODEL_CARD.md").read_text()
    assert "- **Developed by:** Ada \\*A.\\* Lovelace\n" in card  # through md_text
    assert "ada@example.org" in card and "{%" not in card and "{{" not in card
    titles = re.findall(r"^## (.+)$", card, re.MULTILINE)
    assert titles == [
        "Model details",
        "Intended use",
        "Factors",
        "Metrics",
        "Evaluation data",
        "Training data",
        "Quantitative analyses",
        "Ethical considerations",
        "Caveats and recommendations",
    ]  # Mitchell et al. (2019), in their order
    result = result_of(project, "DOC003")
    assert result.status == "pass", result.detail


@pytest.mark.parametrize("gap_id", TORCH_GAPS)
def test_doc003_on_a_fresh_card_asks_only_for_the_owners_name(rendered, gap_id):
    result = result_of(rendered[gap_id], "DOC003")
    assert result.status == "fail"
    placeholders = "still says 'Your Name', 'you@example.com'"
    assert result.detail == f"MODEL_CARD.md {placeholders}; does not say who developed the model."


def test_meta001_fails_when_pyproject_names_another_licence(fresh):
    complete(fresh)
    pyproject = fresh / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('license = "MIT"', 'license = "Apache-2.0"'))
    result = result_of(fresh, "META001")
    assert result.status == "fail" and "pyproject.toml says 'Apache-2.0'" in result.detail
    (fresh / "LICENSE").unlink()
    assert "There is no LICENSE file" in result_of(fresh, "META001").detail


def test_meta002_fails_for_an_invalid_citation(fresh):
    complete(fresh)
    citation = fresh / "CITATION.cff"
    citation.write_text(citation.read_text().replace("date-released:", "released:"))
    result = result_of(fresh, "META002")
    assert result.status == "fail" and "'released' was unexpected" in result.detail


CFF_CASES = {
    "valid": 'cff-version: 1.2.0\nmessage: m\ntitle: t\nauthors:\n  - name: "A B"\n'
    "date-released: 2024-01-31\n",
    "no authors": "cff-version: 1.2.0\nmessage: m\ntitle: t\n",
    "bad date": "cff-version: 1.2.0\nmessage: m\ntitle: t\nauthors:\n  - name: A\n"
    "date-released: 31.01.2024\n",
    "bad licence": "cff-version: 1.2.0\nmessage: m\ntitle: t\nauthors:\n  - name: A\n"
    "license: not-a-licence\n",
    "empty author": "cff-version: 1.2.0\nmessage: m\ntitle: t\nauthors: []\n",
}


@pytest.mark.parametrize("case", CFF_CASES)
def test_citation_verdict_agrees_with_cffconvert(tmp_path, case):
    path = tmp_path / "CITATION.cff"
    path.write_text(CFF_CASES[case])
    theirs = subprocess.run(
        [venv_bin("cffconvert"), "--validate", "-i", str(path)], capture_output=True, text=True
    )
    assert (citation_problems(CFF_CASES[case]) == []) == (theirs.returncode == 0), theirs.stderr


def test_repo001_fails_without_a_workflow_that_runs_the_tests(fresh):
    complete(fresh)
    ci = fresh / ".github" / "workflows" / "ci.yml"
    ci.write_text(ci.read_text().replace("python -m pytest", "echo skipped"))
    assert "runs the tests" in result_of(fresh, "REPO001").detail
    ci.unlink()
    assert result_of(fresh, "REPO001").detail == "There is no workflow in .github/workflows/."


def test_repo002_fails_for_committed_runs_and_checkpoints(fresh):
    complete(fresh)
    (fresh / "weights").mkdir()
    (fresh / "weights" / "best.pt").write_bytes(b"0" * 10)
    git(fresh, "add", "--force", "weights/best.pt", "runs/cnn-seed0/metrics.json")
    result = result_of(fresh, "REPO002")
    assert result.status == "fail"
    assert "runs/cnn-seed0/metrics.json (in runs/)" in result.detail
    assert "weights/best.pt (a checkpoint)" in result.detail


def test_repo002_allows_a_small_fixture_and_skips_outside_git(fresh):
    complete(fresh)
    (fresh / "tests" / "cloud.ply").write_bytes(b"ply\n" * 10)
    git(fresh, "add", "tests/cloud.ply")
    assert result_of(fresh, "REPO002").status == "pass"
    shutil.rmtree(fresh / ".git")
    assert result_of(fresh, "REPO002").status == "skip"


def test_repo003_is_a_warning_that_leaves_the_exit_status_alone(fresh):
    complete(fresh)
    (fresh / "docs" / "big.svg").write_bytes(b"0" * (11 << 20))
    git(fresh, "add", "docs/big.svg")
    report = check_project(fresh)
    large = next(r for r in report.results if r.id == "REPO003")
    assert (large.status, large.level) == ("fail", "warning")
    assert report.exit_code == 0
    assert report.summary()["warnings"] == 1


def test_qa_rules_run_the_projects_make_targets_only_with_run(fresh):
    complete(fresh)
    (fresh / "Makefile").write_text(
        "lint:\n\t@echo linted\n\ntest:\n\t@echo 'FAILED tests/test_x.py::test_y'; exit 3\n"
    )
    assert {statuses(fresh)[r] for r in ("QA001", "QA002")} == {"skip"}
    report = check_project(fresh, run=True)
    found = {r.id: r for r in report.results}
    assert found["QA001"].status == "pass"
    assert found["QA002"].status == "fail"
    assert "exited 2" in found["QA002"].detail and "FAILED tests/test_x.py" in found["QA002"].detail
    assert report.exit_code == 1


def test_json_output_and_exit_codes(rendered):
    result = CliRunner().invoke(main, ["check", str(rendered["dl-fundamentals"]), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) == {"project", "gap", "checker", "summary", "exit_code", "results"}
    assert data["gap"] == "dl-fundamentals" and data["exit_code"] == 1
    assert data["checker"]["name"] == "newproject"
    assert sum(data["summary"][k] for k in ("passed", "failed", "skipped")) == 19
    first = data["results"][0]
    assert set(first) == {
        "id", "family", "level", "title", "status", "detail", "next_step", "doc",
    }  # fmt: skip
    assert [r["id"] for r in data["results"]] == [rule.id() for rule in all_rules()]


def test_text_output_says_why_what_next_and_where(rendered):
    result = CliRunner().invoke(main, ["check", str(rendered["3d-scene-understanding"])])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    index = next(i for i, line in enumerate(lines) if "RES002" in line)
    assert lines[index].split()[:2] == ["FAIL", "RES002"] and "[error]" in lines[index]
    block = " ".join(line.strip() for line in lines[index + 1 : index + 8])
    assert "Next: Run `make smoke`" in block and "See: docs/check.md#res002" in block


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "/nonexistent/x"], "Error: /nonexistent/x is not a folder"),
        (["check", "--explain", "NOPE1"], "Error: no rule 'NOPE1'; the rules are RES001"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(message)


def test_a_folder_that_is_no_project_is_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2 and "is not a project folder" in result.output


def test_explain_prints_the_rule_section_and_its_family(rendered):
    result = CliRunner().invoke(main, ["check", "--explain", "ph002"])
    assert result.exit_code == 0
    assert result.output.startswith("## Placeholders (PH)")
    assert "### PH002" in result.output and "### PH003" not in result.output
    assert result.output.strip().endswith("(docs/check.md#ph002)")


def test_check_and_template_repo_have_help_and_keep_the_cli_light():
    for command in ("check", "template-repo"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Usage: " in result.output
    probe = (
        "import sys, newproject.cli; print(sorted(m for m in sys.modules if m.startswith("
        "('newproject.check', 'newproject.template_repo', 'markdown_it', 'jsonschema'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout
