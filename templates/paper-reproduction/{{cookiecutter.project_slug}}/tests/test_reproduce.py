"""Reproductions end to end on the tiny config: verdicts (one claim our data supports, one it
contradicts), the cache, a real kill and resume, the launchers, and diverged runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml
from conftest import REAL_VS_RANDOM, ROOT, inside, make_project, write_claim

from {{ cookiecutter.package_name }} import reproduce
from {{ cookiecutter.package_name }}.reproduction import execute, launchers
from {{ cookiecutter.package_name }}.reproduction.verdicts import NOT_REPRODUCED, REPRODUCED

PACKAGE = "{{ cookiecutter.package_name }}"


def verdicts(done) -> dict[str, str]:
    return {result.claim.id: result.label for result in done["results"]}


def evaluations(runs_dir) -> dict[str, dict]:
    out = {}
    for path in sorted(runs_dir.glob("*/evaluations/*.json")):
        out[f"{path.parent.parent.name}/{path.name}"] = json.loads(path.read_text())
    return out


def test_a_supported_claim_is_reproduced_and_a_contradicted_one_is_not(reproduced):
    project, done, _ = reproduced
    assert verdicts(done) == {"true-beats-random": REPRODUCED, "random-beats-true": NOT_REPRODUCED}
    result = {r.claim.id: r for r in done["results"]}["random-beats-true"]
    assert "opposite of the claim" in result.verdict.reason
    assert result.comparison.paired and result.comparison.test.pvalue < 0.05


def test_claims_that_need_the_same_experiments_share_their_runs(reproduced):
    project, done, _ = reproduced
    plan = done["plan"]
    assert len(plan.runs) == 6  # 2 arms x 3 seeds, read by both claims
    records = [execute.read_record(project / run.dir) for run in plan.runs.values()]
    assert all(len(record["uses"]) == 2 for record in records)
    assert {record["seed"] for record in records} == {0, 1, 2}


def test_every_run_records_its_environment(reproduced):
    project, done, _ = reproduced
    record = execute.read_record(project / next(iter(done["plan"].runs.values())).dir)
    assert record["status"] == "finished" and record["device"] == "cpu" and record["threads"] == 1
    assert record["environment"]["packages"]["torch"] and record["environment"]["python"]
    assert record["splits"] == {"train": 300, "val": 120, "test": 120}
    assert len(record["config_hash"]) == 64 and record["num_parameters"] > 0
    manifest = json.loads(
        (project / "runs" / "reproduction" / "true-beats-random.json").read_text()
    )
    assert manifest["seeds"] == [0, 1, 2] and manifest["launcher"] == "inprocess"


def test_a_second_reproduction_trains_nothing(reproduced, monkeypatch, capsys):
    project, done, _ = reproduced
    monkeypatch.setattr(execute, "run_inprocess", lambda run: pytest.fail(f"retrained {run.dir}"))
    capsys.readouterr()
    with inside(project):
        again = reproduce.main(["runs_dir=runs"])
    assert "6 cached, 0 to run" in capsys.readouterr().out
    assert verdicts(again) == verdicts(done)


def _start(project, *extra) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", f"{PACKAGE}.reproduce", "runs_dir=runs", "epochs=4", *extra],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_killed_reproduction_resumes_without_rerunning_finished_seeds(tmp_path):
    """kill -9 in the middle of the third of six runs; the rerun trains only what is left and
    ends with the numbers of an uninterrupted reproduction."""
    killed = make_project(tmp_path / "killed")
    reference = make_project(tmp_path / "reference")
    for project in (killed, reference):
        write_claim(
            project / "claims",
            "true-beats-random",
            REAL_VS_RANDOM,
            project / "configs" / "tiny.yaml",
        )
    uninterrupted = _start(reference)
    process = _start(killed)
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if line.startswith("[3/6]"):  # runs 1 and 2 are recorded, run 3 has started
                time.sleep(0.3)
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL, "".join(seen)
        assert uninterrupted.wait(timeout=300) == 0, uninterrupted.stdout.read()
    finally:
        for p in (process, uninterrupted):
            if p.poll() is None:
                p.kill()
    runs = killed / "runs"
    finished = {p.parent.name: p.stat().st_mtime_ns for p in runs.glob("*/run.json")}
    assert len(finished) >= 2, "".join(seen)
    logs = {name: (runs / name / "train.log").read_text() for name in finished}

    resumed = _start(killed)
    output = resumed.communicate(timeout=300)[0]
    assert resumed.returncode == 0, output
    assert f"{len(finished)} cached, {6 - len(finished)} to run" in output
    for name, mtime in finished.items():  # never touched again: not retrained, not re-recorded
        assert (runs / name / "run.json").stat().st_mtime_ns == mtime
        assert (runs / name / "train.log").read_text() == logs[name]
    assert len(list(runs.glob("*/run.json"))) == 6
    assert evaluations(runs) == evaluations(reference / "runs")  # bit-identical on a CPU


def test_ctrl_c_stops_with_the_run_saved_and_the_rerun_continues(tmp_path):
    project = make_project(tmp_path / "interrupted")
    write_claim(
        project / "claims", "true-beats-random", REAL_VS_RANDOM, project / "configs" / "tiny.yaml"
    )
    process = _start(project, "epochs=200")  # runs of seconds: the signal lands in training
    seen = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith("[2/6]"):
            time.sleep(1.0)
            process.send_signal(signal.SIGINT)
            break
    output = "".join(seen) + process.communicate(timeout=120)[0]
    assert process.returncode == 130, output
    assert "run the same command to continue" in output
    runs = project / "runs"
    assert len(list(runs.glob("*/run.json"))) == 1
    (interrupted,) = [p.parent.parent for p in runs.glob("*/checkpoints/last.pt")
                      if not (p.parent.parent / "run.json").exists()]  # fmt: skip
    resumed = _start(project, "epochs=200")
    output = resumed.communicate(timeout=300)[0]
    assert resumed.returncode == 0, output
    assert "1 cached, 5 to run" in output
    assert "resuming from" in (interrupted / "train.log").read_text()


def test_python_launcher_runs_each_run_in_its_own_process_with_the_same_numbers(
    reproduced, tmp_path
):
    project, done, _ = reproduced
    other = make_project(tmp_path / "python")
    write_claim(
        other / "claims", "true-beats-random", REAL_VS_RANDOM, other / "configs" / "tiny.yaml"
    )
    with inside(other):
        alone = reproduce.main(["--launcher", "python", "--seeds", "1", "runs_dir=runs"])
    record = execute.read_record(other / next(iter(alone["plan"].runs.values())).dir)
    assert record["launcher"] == "python"
    mine = evaluations(other / "runs")
    theirs = evaluations(project / "runs")
    assert mine and all(theirs[key] == value for key, value in mine.items())


def test_torchrun_launcher_trains_each_run_on_two_processes(tmp_path):
    project = make_project(tmp_path / "torchrun")
    tiny = project / "configs" / "tiny.yaml"
    write_claim(project / "claims", "true-beats-random", REAL_VS_RANDOM, tiny)
    launcher = "torchrun --standalone --nproc_per_node=2"
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with inside(project):
        done = reproduce.main(["--launcher", launcher, "--seeds", "1", "runs_dir=runs"])
    for run in done["plan"].runs.values():
        record = execute.read_record(project / run.dir)
        assert record["launcher"] == launcher and record["world_size"] == 2
        assert (project / run.dir / "evaluations" / "test-last.json").is_file()
    values = done["results"][0].values  # trained: true labels well above random ones
    assert values["true"][0] > values["random"][0] + 0.1


def test_submitit_launcher_sends_runs_out_as_separate_jobs(reproduced, tmp_path):
    project, done, _ = reproduced
    other = make_project(tmp_path / "submitit")
    write_claim(
        other / "claims", "true-beats-random", REAL_VS_RANDOM, other / "configs" / "tiny.yaml"
    )
    with inside(other):
        jobs = reproduce.main(
            [
                "--launcher",
                "submitit",
                "--seeds",
                "1",
                "runs_dir=runs",
                "reproduce.submitit.cluster=local",
            ]
        )
    records = [execute.read_record(other / run.dir) for run in jobs["plan"].runs.values()]
    assert [r["launcher"] for r in records] == ["submitit", "submitit"]
    jobs_dirs = [p for p in (other / "runs" / "submitit").iterdir() if p.name != "%j"]
    assert len(jobs_dirs) == 2  # one folder per job (%j holds the array's pickled calls)
    mine, theirs = evaluations(other / "runs"), evaluations(project / "runs")
    assert all(theirs[key] == value for key, value in mine.items())


def test_an_unknown_launcher_is_a_config_error():
    from {{ cookiecutter.package_name }}.core.errors import ConfigError

    with pytest.raises(ConfigError, match="inprocess, python, submitit or a torchrun"):
        launchers.make_launcher("slurm-by-hand", {}, ROOT)


def _diverging(tmp_path, metric_extra: dict) -> dict:
    claim = yaml.safe_load(yaml.safe_dump(REAL_VS_RANDOM))
    claim["experiments"] = {
        "plain": {"set": {"optimizer.lr": 1.0e6, "model.depth": 4}},
        "normalised": {"set": {"optimizer.lr": 0.05}},
    }
    claim["rule"] = {"name": "difference", "baseline": "plain", "treatment": "normalised"}
    claim["metric"].update(metric_extra)
    project = make_project(tmp_path)
    write_claim(project / "claims", "diverges", claim, project / "configs" / "tiny.yaml")
    return project


def test_a_diverged_run_is_a_recorded_result_scored_as_the_claim_says(tmp_path):
    project = _diverging(tmp_path / "scored", {"diverged": 0.1})
    with inside(project):
        done = reproduce.main(["--seeds", "2", "runs_dir=runs"])
    result = done["results"][0]
    assert result.values["plain"] == [0.1, 0.1] and result.diverged["plain"] == 2
    runs = done["plan"].runs.values()
    statuses = sorted(execute.read_record(project / r.dir)["status"] for r in runs)
    assert statuses == ["diverged", "diverged", "finished", "finished"]


def test_a_diverged_run_without_a_score_names_the_field_to_set(tmp_path):
    project = _diverging(tmp_path / "unscored", {})
    with (
        inside(project),
        pytest.raises(Exception, match=r"diverges\.yaml:\d+: metric: run .* diverged"),
    ):
        reproduce.main(["--seeds", "2", "runs_dir=runs"])


def test_dry_run_trains_nothing(tmp_path, capsys):
    project = make_project(tmp_path)
    write_claim(
        project / "claims", "true-beats-random", REAL_VS_RANDOM, project / "configs" / "tiny.yaml"
    )
    with inside(project):
        reproduce.main(["--dry-run", "runs_dir=runs"])
    assert "0 cached, 6 to run" in capsys.readouterr().out
    assert not (project / "runs").exists()
