"""Print the requirements of every generated project, one per line, for `pip install -r`.

Read from the templates' own pyproject.toml files (the shared one and each gap's
`dependencies` / `dev_dependencies` blocks), so the development venv holds what the rendered
projects import: the fast test tier runs their core and engine tests without installing them,
and the integration tier's `make setup` finds everything already there. torch is left out: the
set-up script pins it first (an unpinned requirement would fetch a CUDA build).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
BLOCK = re.compile(r"{%-?\s*block (?:dev_)?dependencies\s*-?%}(.*?){%-?\s*endblock", re.DOTALL)
LIST = re.compile(r"^(?:dependencies|dev) = \[(.*?)\]", re.DOTALL | re.MULTILINE)
QUOTED = re.compile(r'"([^"{}]+)"')


def requirements(templates: Path = TEMPLATES) -> list[str]:
    """Every requirement string of every project template, sorted, torch excluded."""
    found: set[str] = set()
    for pyproject in templates.glob("*/{{cookiecutter.project_slug}}/pyproject.toml"):
        for block in BLOCK.findall(pyproject.read_text(encoding="utf-8")):
            found.update(QUOTED.findall(block))
    shared = (templates / "_shared" / "project" / "pyproject.toml").read_text(encoding="utf-8")
    for block in LIST.findall(shared):
        found.update(QUOTED.findall(block))
    return sorted(r for r in found if re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0] != "torch")


if __name__ == "__main__":
    sys.stdout.write("".join(f"{r}\n" for r in requirements()))
