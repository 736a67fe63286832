"""Run a GitHub Actions job's own `run:` steps locally, with the environment GitHub gives them.

Enough of the runner for newproject's workflows, and strict about the rest: an expression, a
step condition or an action it does not know fails the test instead of being guessed.
`actions/checkout` is the caller's clone, `actions/setup-python` this test run's Python; `gh`
is a stub on PATH that logs its calls and answers from `gh_answers`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
STEP_OUTPUT = re.compile(r"^steps\.([\w-]+)\.outputs\.([\w-]+)$")
CONDITION = re.compile(r"^steps\.([\w-]+)\.outputs\.([\w-]+) == '([^']*)'$")
GH_STUB = """#!/usr/bin/env bash
# gh, as the tests need it: log the call, answer from GH_ANSWERS_DIR.
printf '%s\\n' "$*" >> "$GH_LOG"
case "$1 $2" in
  "api repos/"*) cat "$GH_ANSWERS_DIR/template_repository" ;;
  "api users/"*) cat "$GH_ANSWERS_DIR/user_name" ;;
  "workflow disable"|"workflow run") ;;
  *) echo "gh stub: unexpected call: $*" >&2; exit 1 ;;
esac
"""


@dataclass
class StepRun:
    name: str
    ran: bool
    returncode: int = 0
    output: str = ""


@dataclass
class JobRun:
    ran: bool
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    gh_calls: list[str] = field(default_factory=list)
    summary: str = ""

    def step(self, name: str) -> StepRun:
        return next(step for step in self.steps if step.name == name)


def read_outputs(path: Path) -> dict[str, str]:
    """A GITHUB_OUTPUT file: `key=value` lines and `key<<DELIMITER` blocks."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and "=" not in line.split("<<")[0]:
            key, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[key] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        key, _, value = line.partition("=")
        outputs[key] = value
        index += 1
    return outputs


def run_job(
    workflow: Path,
    job_id: str,
    workspace: Path,
    *,
    repository: str,
    actor: str,
    actor_id: str,
    event: str,
    context: dict[str, str],
    gh_answers: dict[str, str],
    inputs: dict[str, str] | None = None,
    skip: tuple[str, ...] = (),
    scratch: Path,
) -> JobRun:
    """Run `job_id` of `workflow` in `workspace` as GitHub would for `event` by `actor`.

    `context` gives the values of the expressions the job uses (`github.token`, ...);
    `skip` names steps the test environment already provides (an install from the network).
    """
    job = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"][job_id]
    inputs = inputs or {}
    outputs: dict[str, dict[str, str]] = {}

    def evaluate(expression: str) -> str:
        if expression.startswith("!"):
            return "false" if evaluate(expression[1:].strip()) == "true" else "true"
        match = STEP_OUTPUT.match(expression)
        if match:
            return outputs.get(match.group(1), {}).get(match.group(2), "")
        if expression.startswith("inputs."):
            return inputs.get(expression.removeprefix("inputs."), "")
        if expression in context:
            return context[expression]
        raise AssertionError(f"the test runner does not know the expression {expression!r}")

    condition = job.get("if")
    if condition is not None and evaluate(EXPRESSION.sub(r"\1", str(condition))) != "true":
        return JobRun(ran=False)

    bin_dir = scratch / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "gh").write_text(GH_STUB, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    answers_dir = scratch / "gh-answers"
    answers_dir.mkdir(exist_ok=True)
    for name, value in gh_answers.items():
        (answers_dir / name).write_text(value + "\n", encoding="utf-8")
    gh_log = scratch / "gh.log"
    summary = scratch / "summary.md"
    base_env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    base_env.update(
        {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": repository,
            "GITHUB_REPOSITORY_OWNER": repository.split("/")[0],
            "GITHUB_ACTOR": actor,
            "GITHUB_ACTOR_ID": actor_id,
            "GITHUB_EVENT_NAME": event,
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_REF_NAME": "main",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(scratch),
            "GH_LOG": str(gh_log),
            "GH_ANSWERS_DIR": str(answers_dir),
            # the stub gh first, then this test run's Python (actions/setup-python)
            "PATH": os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent),
                                     base_env.get("PATH", "")]),
        }
    )  # fmt: skip
    run = JobRun(ran=True, outputs=outputs)
    for number, step in enumerate(job["steps"]):
        name = step.get("name") or step.get("uses") or f"step {number}"
        condition = step.get("if")
        if condition is not None:
            match = CONDITION.match(str(condition))
            assert match, f"the test runner does not know the condition {condition!r}"
            if outputs.get(match.group(1), {}).get(match.group(2)) != match.group(3):
                run.steps.append(StepRun(name, ran=False))
                continue
        if "uses" in step:
            action = step["uses"].split("@")[0]
            assert action in ("actions/checkout", "actions/setup-python"), step["uses"]
            run.steps.append(StepRun(name, ran=True))
            continue
        if name in skip:
            run.steps.append(StepRun(name, ran=False))
            continue
        output_file = scratch / f"output-{number}"
        env = dict(base_env, GITHUB_OUTPUT=str(output_file))
        for key, value in (step.get("env") or {}).items():
            env[key] = EXPRESSION.sub(lambda m: evaluate(m.group(1)), str(value))
        assert "${{" not in step["run"], "expressions belong in env:, not in run:"
        script = scratch / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        # GitHub's default shell on Linux: bash --noprofile --norc -eo pipefail {0}
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
        )
        run.steps.append(StepRun(name, True, result.returncode, result.stdout + result.stderr))
        if "id" in step:
            outputs[step["id"]] = read_outputs(output_file)
        if result.returncode != 0:
            break
    run.gh_calls = gh_log.read_text(encoding="utf-8").splitlines() if gh_log.exists() else []
    run.summary = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return run
