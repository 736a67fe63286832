# newproject shared hook: newproject does the same itself, in-process.
"""Complete the project's .newproject.json with the template's identity (stock cookiecutter)."""

import json
import sys
from pathlib import Path

CONTEXT = json.loads({{ cookiecutter|tojson|py_str }})
GAP = Path(CONTEXT["_repo_dir"])
sys.path.insert(0, str(GAP / "hooks"))

from template_identity import complete_record  # noqa: E402

complete_record(Path.cwd(), GAP)
