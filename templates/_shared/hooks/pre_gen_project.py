# newproject shared hook: newproject runs the same check itself, in-process.
"""Refuse, before anything is written, an answer newproject would refuse (stock cookiecutter).

The rules are in answer_rules.py beside this file, the one copy newproject uses too. On a
refused answer this prints one line and exits 1; cookiecutter then removes the project.
"""

import json
import sys
from pathlib import Path

CONTEXT = json.loads({{ cookiecutter|tojson|py_str }})
GAP = Path(CONTEXT["_repo_dir"])
sys.path.insert(0, str(GAP / "hooks"))

from answer_rules import AnswerError, check_context  # noqa: E402

questions = json.loads((GAP / "cookiecutter.json").read_text(encoding="utf-8"))
try:
    check_context(questions, CONTEXT, GAP / "templates")
except AnswerError as error:
    sys.stderr.reconfigure(errors="backslashreplace")
    sys.stderr.write(f"Error: {error}\n")
    sys.exit(1)
