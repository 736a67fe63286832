"""How runs get trained: here, in this process (the default: on a small machine starting
Python and torch per run costs more than a quick run); one process per run (`python`, or
`torchrun ...` for several GPUs per run, as the engine supports); or as separate cluster jobs
through submitit (Slurm, or local processes where there is no Slurm). The cluster's scheduler
schedules; this module only submits and waits."""

from __future__ import annotations

import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ConfigError, ProjectError
from .execute import DIVERGED, FINISHED, execute, execute_job, payload_of, run_inprocess, train_argv
from .plan import Run

PACKAGE = __package__.rpartition(".")[0]
DIVERGED_EXIT = 3  # train.py's TrainingDiverged


@dataclass
class InProcess:
    name: str = "inprocess"

    def train(self, run: Run) -> tuple[str, str]:
        return run_inprocess(run)

    def run_all(self, runs: list[Run], say) -> list[dict]:
        records = []
        for index, run in enumerate(runs, 1):
            say(f"[{index}/{len(runs)}] {run.dir} ({describe(run)})")
            records.append(execute(run, self))
            say(f"        {summary_line(records[-1])}")
        return records


@dataclass
class Subprocess(InProcess):
    """`python` or `torchrun --nproc_per_node=N ...`: each run in its own process(es)."""

    prefix: tuple[str, ...] = ()

    def train(self, run: Run) -> tuple[str, str]:
        command = [*self.prefix, "-m", f"{PACKAGE}.train", *train_argv(run)]
        log = run.dir / "train.log"
        with log.open("a", encoding="utf-8") as out:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
        if done.returncode == DIVERGED_EXIT:
            return DIVERGED, _last_line(log)
        if done.returncode != 0:
            raise ProjectError(
                f"training {run.dir} failed (exit {done.returncode}): {_last_line(log)} "
                f"(full output: {log})"
            )
        return FINISHED, ""


@dataclass
class Submitit:
    """Every pending run as one job of a job array (submitit's AutoExecutor: Slurm when the
    cluster has it, local processes otherwise, or `cluster: debug` to run in this process)."""

    options: dict
    folder: Path
    name: str = "submitit"

    def run_all(self, runs: list[Run], say) -> list[dict]:
        try:
            import submitit
        except ImportError:
            raise ConfigError(
                "launcher submitit needs the submitit package: pip install submitit"
            ) from None
        options = {k: v for k, v in dict(self.options).items() if v is not None}
        cluster = options.pop("cluster", None)
        executor = submitit.AutoExecutor(folder=str(self.folder / "%j"), cluster=cluster)
        partition = options.pop("slurm_partition", None)
        executor.update_parameters(**options)
        if partition and executor.cluster == "slurm":
            executor.update_parameters(slurm_partition=partition)
        payloads = [payload_of(run, self.name) for run in runs]
        jobs = executor.map_array(execute_job, payloads)
        say(f"submitted {len(jobs)} job(s) to {executor.cluster} (logs in {self.folder})")
        records, failures = [], []
        for run, job in zip(runs, jobs, strict=True):
            try:
                records.append(job.result())
                say(f"        {run.dir}: {summary_line(records[-1])}")
            except Exception as error:  # a failed job: report every one, then stop
                failures.append(
                    f"{run.dir} (job {job.job_id}): {str(error).strip().splitlines()[-1]}"
                )
        if failures:
            raise ProjectError(f"{len(failures)} job(s) failed: " + "; ".join(failures))
        return records


def make_launcher(spec: str, options: dict, runs_dir: Path):
    """`inprocess`, `python`, `torchrun ...` (any command that can run `-m PACKAGE.train`) or
    `submitit`."""
    spec = str(spec).strip()
    if spec == "inprocess":
        return InProcess()
    if spec == "submitit":
        return Submitit(options or {}, Path(runs_dir) / "submitit")
    if spec == "python":
        return Subprocess(name="python", prefix=(sys.executable,))
    words = shlex.split(spec)
    if words and Path(words[0]).name == "torchrun":
        # `python -m torch.distributed.run` is torchrun, found without the venv on PATH.
        prefix = (sys.executable, "-m", "torch.distributed.run", *words[1:])
        return Subprocess(name=spec, prefix=prefix)
    raise ConfigError(
        f"launcher {spec!r}: use inprocess, python, submitit or a torchrun command line "
        '(e.g. "torchrun --standalone --nproc_per_node=4")'
    )


def describe(run: Run) -> str:
    uses = sorted({label for _, label in run.uses})
    return f"{', '.join(uses)}; seed {run.seed}"


def summary_line(record: dict) -> str:
    if record["status"] == DIVERGED:
        return f"diverged: {record['message']}"
    seconds = record.get("train_seconds")
    return f"{record['status']} in {seconds:.1f} s" if seconds is not None else record["status"]


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
