# newproject shared hook: newproject runs the same check itself, in-process.
"""Refuse, before anything is written, an answer newproject would refuse (stock cookiecutter).

The rules are in answer_rules.py beside this file, the one copy newproject uses too. On a
refused answer this prints one line and exits 1; cookiecutter then removes the project.
"""

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

from answer_rules import AnswerError, check_context  # noqa: E402

questions = json.loads((GAP / "cookiecutter.json").read_text(encoding="utf-8"))
try:
    check_context(questions, CONTEXT, GAP / "templates")
except AnswerError as error:
    sys.stderr.reconfigure(errors="backslashreplace")
    sys.stderr.write(f"Error: {error}\n")
    sys.exit(1)
