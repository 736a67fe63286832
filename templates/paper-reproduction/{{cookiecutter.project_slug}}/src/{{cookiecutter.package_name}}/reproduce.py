"""Reproduce claims:

    python -m {{ cookiecutter.package_name }}.reproduce [CLAIM ...] [--launcher L] [key=value ...]

Loads the claim files (claims/*.yaml, or the ids given), plans every run they need (each arm
setting x each seed; runs that two claims share are trained once), trains what is not finished
yet, evaluates each run on the split and checkpoint its claims read, records the environment
and prints each claim's verdict. `make report` then writes REPORT.md and the README's table.

Resumable: run the same command again after a crash or Ctrl-C. Finished runs are cached by
the hash of their config and never trained again; an interrupted run continues from its last
checkpoint. --fresh deletes the selected claims' runs first.

--launcher (default: the config's reproduce.launcher):
  inprocess                    every run in this process, one after the other (small machines)
  python                       every run in its own Python process
  "torchrun --standalone --nproc_per_node=4"   every run on 4 GPUs (DDP), one after the other
  submitit                     every run as its own cluster job (Slurm, or local processes);
                               options under reproduce.submitit in the config
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import time
from pathlib import Path

from .core.config import apply_overrides
from .core.errors import ProjectError, run_main
from .core.results import markdown_table, write_json
from .engine.trainer import StopTraining
from .reproduction.analysis import analyze
from .reproduction.claims import load_claims
from .reproduction.environment import environment
from .reproduction.execute import needs_work
from .reproduction.launchers import make_launcher
from .reproduction.plan import base_config, make_plan

PACKAGE = __package__
MANIFESTS = "reproduction"  # runs/reproduction/<claim>.json: how each claim was last reproduced


class Interrupted(ProjectError):
    """A reproduction stopped by a signal (exit code 128 + signal), its current run saved."""

    label = "stopped"

    def __init__(self, signum: int, exit_code: int, checkpoint=None):
        saved = f"; the run in progress is saved ({checkpoint})" if checkpoint else ""
        super().__init__(
            f"by signal {signum}{saved}; run the same command to continue: finished runs are "
            "kept, an interrupted one resumes from its last checkpoint"
        )
        self.exit_code = exit_code


def manifest_path(runs_dir: str | Path, claim_id: str) -> Path:
    return Path(runs_dir) / MANIFESTS / f"{claim_id}.json"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m {PACKAGE}.reproduce",
        description="Run the experiments of claim files over seeds; resumable and cached.",
    )
    parser.add_argument("claims", nargs="*", metavar="CLAIM", help="claim ids (default: all)")
    parser.add_argument("--claims-dir", default="claims", help="where claim files are")
    parser.add_argument("--config", help="base config for every claim (default: each claim's)")
    parser.add_argument("--launcher", help='inprocess | python | submitit | "torchrun ..."')
    parser.add_argument("--seeds", type=int, help="seeds per claim (default: each claim's)")
    parser.add_argument("--fresh", action="store_true", help="delete these claims' runs first")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, train nothing")
    args, rest = parser.parse_known_args(argv)
    unknown = [item for item in rest if "=" not in item or item.startswith("-")]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.overrides = rest
    # A claim id never holds '='; key=value words are overrides wherever they stand.
    args.overrides += [c for c in args.claims if "=" in c]
    args.claims = [c for c in args.claims if "=" not in c]
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    started = time.perf_counter()
    claims = load_claims(args.claims or None, args.claims_dir)
    plan = make_plan(claims, args.config, args.overrides, args.seeds)
    base = apply_overrides(base_config(claims[0], args.config), args.overrides)
    runs_dir = Path(base["runs_dir"])
    settings = base.get("reproduce") or {}
    launcher_spec = args.launcher or settings.get("launcher", "inprocess")
    launcher = make_launcher(launcher_spec, settings.get("submitit") or {}, runs_dir)

    if args.fresh and not args.dry_run:
        for run in plan.runs.values():
            shutil.rmtree(run.dir, ignore_errors=True)
    pending = [run for run in plan.runs.values() if needs_work(run)]
    print(
        f"[reproduce] {len(claims)} claim(s), {len(plan.runs)} run(s): "
        f"{len(plan.runs) - len(pending)} cached, {len(pending)} to run ({launcher.name})",
        flush=True,
    )
    if args.dry_run:
        for run in plan.runs.values():
            state = "to run" if run in pending else "cached"
            uses = ", ".join(sorted({f"{c}: {label}" for c, label in run.uses}))
            print(f"  {run.dir}  {state:7}  {uses}; seed {run.seed}")
        return {"plan": plan}

    command = shlex.join(["python", "-m", f"{PACKAGE}.reproduce", *(argv or [])])
    if pending:
        try:
            launcher.run_all(pending, lambda line: print(line, flush=True))
        except StopTraining as stop:  # Ctrl-C / SIGTERM in training: the checkpoint is saved
            raise Interrupted(stop.signum, stop.exit_code, stop.path) from None
        except KeyboardInterrupt:  # Ctrl-C between training steps: nothing half-written
            raise Interrupted(2, 130, None) from None
    results = [analyze(claim, plan) for claim in claims]
    for claim in claims:
        write_json(
            {
                "command": command,
                "config": args.config,
                "overrides": args.overrides,
                "seeds_override": args.seeds,
                "launcher": launcher.name,
                "seconds": round(time.perf_counter() - started, 3),
                "seeds": plan.seeds[claim.id],
                "runs": {
                    label: [run.name for run in runs]
                    for label, runs in plan.for_claim(claim.id).items()
                },
                "environment": environment(),
            },
            manifest_path(runs_dir, claim.id),
        )
    rows = [
        [r.claim.id, r.label, r.verdict.reason if r.verdict else "runs missing"] for r in results
    ]
    print("\n" + markdown_table(["claim", "verdict", "reason"], rows))
    print(
        f"\n[reproduce] done in {time.perf_counter() - started:.1f} s; runs in {runs_dir}/, "
        f"manifests in {runs_dir / MANIFESTS}/; next: make report"
    )
    return {"plan": plan, "results": results}


if __name__ == "__main__":
    run_main(main)
