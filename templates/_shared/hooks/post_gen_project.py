# newproject shared hook: newproject does the same itself, in-process.
"""Complete the project's .newproject.json with the template's identity (stock cookiecutter)."""

import json
import os
import sys
from pathlib import Path

CONTEXT = json.loads({{ cookiecutter|tojson|py_str }})


def gap_folder(context: dict) -> Path:
    """The gap's folder. cookiecutter hands `_repo_dir` over as typed and runs hooks in the
    new project's folder, so a relative path is found from the shell's directory ($PWD) or,
    on Linux, from cookiecutter's own working directory (the gap folder while hooks run)."""
    typed = Path(context["_repo_dir"])
    candidates = [typed] if typed.is_absolute() else [Path(os.environ.get("PWD", ".")) / typed]
    candidates.append(Path(f"/proc/{os.getppid()}/cwd"))
    for candidate in candidates:
        if (candidate / "cookiecutter.json").is_file() and (candidate / "hooks").is_dir():
            return candidate.resolve()
    sys.exit(f"Error: cannot find the template folder {str(typed)!r}; pass its absolute path.")


GAP = gap_folder(CONTEXT)
sys.path.insert(0, str(GAP / "hooks"))

from template_identity import complete_record  # noqa: E402

complete_record(Path.cwd(), GAP)
