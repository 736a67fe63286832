"""REPO: what git and CI hold: a workflow that runs the tests, no data or weights committed."""

from __future__ import annotations

from pathlib import PurePosixPath

from ..project import Project
from ..rule import Rule, Verdict

_TEST_COMMANDS = ("pytest", "make test", "tox", "nox", "make check")
# Weights and exported models: never in git, whatever their size.
_CHECKPOINTS = {
    ".pt", ".pth", ".ckpt", ".safetensors", ".onnx", ".engine", ".plan", ".tflite", ".keras",
    ".h5", ".pb", ".mar", ".gguf",
}  # fmt: skip
# Data files: tiny fixtures are fine, real data is not.
_DATA = {
    ".npy", ".npz", ".hdf5", ".parquet", ".feather", ".arrow", ".tfrecord", ".pcd", ".ply",
    ".las", ".laz", ".bag", ".mcap", ".bin", ".zip", ".tar", ".gz", ".tgz", ".7z", ".pkl",
    ".pickle", ".csv", ".jsonl", ".mp4", ".avi", ".mov",
}  # fmt: skip
_DATA_MAX_BYTES = 1 << 20  # 1 MiB
_LARGE_BYTES = 10 << 20  # 10 MiB
# Nothing under runs/ belongs in git; data/ may hold a README or an ignore file.
_ALLOWED_IN_DATA = {".md", ".txt", ".gitkeep", ".gitignore"}


class Repository(Rule):
    family = "repository"


def _workflows(project: Project) -> dict[str, object]:
    import yaml

    folder = project.root / ".github" / "workflows"
    found: dict[str, object] = {}
    if not folder.is_dir():
        return found
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
        try:
            found[path.name] = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            found[path.name] = error
    return found


def _triggers(workflow: dict) -> set[str]:
    # YAML 1.1 reads the key `on` as True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(item) for item in on}
    if isinstance(on, dict):
        return {str(key) for key in on}
    return set()


def _run_lines(workflow: dict) -> list[str]:
    lines = []
    for job in (workflow.get("jobs") or {}).values():
        for step in (job or {}).get("steps") or []:
            if isinstance(step, dict) and isinstance(step.get("run"), str):
                lines.append(step["run"])
    return lines


class REPO001(Repository):
    """A CI workflow runs the tests on push or pull request"""

    next_step = (
        "Add .github/workflows/ci.yml that installs the project and runs `python -m pytest` "
        "on push and pull_request (the template's ci.yml does)."
    )

    def check(self, project: Project) -> Verdict:
        workflows = _workflows(project)
        if not workflows:
            return self.failed("There is no workflow in .github/workflows/.")
        broken = [name for name, data in workflows.items() if isinstance(data, Exception)]
        if broken:
            return self.failed(
                f"Not valid YAML: {', '.join(broken)}.", "Fix the YAML (`actionlint` finds why)."
            )
        for name, workflow in workflows.items():
            if not isinstance(workflow, dict):
                continue
            if not _triggers(workflow) & {"push", "pull_request"}:
                continue
            for run in _run_lines(workflow):
                command = next((c for c in _TEST_COMMANDS if c in run), None)
                if command:
                    return self.passed(f"{name} runs `{command}` on push or pull request.")
        return self.failed(
            f"No workflow ({', '.join(workflows)}) runs the tests on push or pull request."
        )


def _suffix(name: str) -> str:
    path = PurePosixPath(name.lower())
    return ".gitkeep" if path.name == ".gitkeep" else path.suffix


class REPO002(Repository):
    """No data, checkpoints or run outputs committed"""

    next_step = (
        "`git rm --cached` them and keep them ignored (.gitignore has runs/ and data/raw/); "
        "publish weights as a release asset or on a model hub, and say in the README how to "
        "get the data."
    )

    def check(self, project: Project) -> Verdict:
        tracked = project.git_files
        if tracked is None:
            return self.skipped("Not a git repository: nothing is committed yet (`git init`).")
        offenders = []
        for name in tracked:
            path = project.root / name
            suffix = _suffix(name)
            top = name.split("/", 1)[0]
            try:
                size = path.stat().st_size
            except OSError:
                continue
            if "/" in name and (
                top == "runs" or (top == "data" and suffix not in _ALLOWED_IN_DATA)
            ):
                offenders.append(f"{name} (in {top}/)")
            elif suffix in _CHECKPOINTS:
                offenders.append(f"{name} (a checkpoint)")
            elif suffix in _DATA and size > _DATA_MAX_BYTES:
                offenders.append(f"{name} ({size / (1 << 20):.1f} MiB of data)")
        if offenders:
            more = f" (+{len(offenders) - 5} more)" if len(offenders) > 5 else ""
            return self.failed(f"Committed: {', '.join(offenders[:5])}{more}.")
        return self.passed(f"None of the {len(tracked)} tracked files is data or a checkpoint.")


class REPO003(Repository):
    """No tracked file is larger than 10 MiB"""

    level = "warning"
    next_step = (
        "Keep large files out of git (`git rm --cached FILE`; Git LFS or a release asset if "
        "they must be published)."
    )

    def check(self, project: Project) -> Verdict:
        tracked = project.git_files
        if tracked is None:
            return self.skipped("Not a git repository.")
        large = []
        for name in tracked:
            try:
                size = (project.root / name).stat().st_size
            except OSError:
                continue
            if size > _LARGE_BYTES:
                large.append(f"{name} ({size / (1 << 20):.0f} MiB)")
        if large:
            return self.failed(f"Large: {', '.join(large[:5])}.")
        return self.passed("No tracked file is over 10 MiB.")
