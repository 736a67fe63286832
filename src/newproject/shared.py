"""The modules newproject shares with its templates' hooks, loaded from the one copy.

`templates/_shared/hooks/` holds the answer rules and the template identity as plain
standard-library modules, because stock cookiecutter runs them there (through the shared
`pre_gen_project` and `post_gen_project` hooks) without newproject installed. newproject
imports the same files from its own templates, so the two faces cannot drift apart.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from .catalog import packaged_templates

HOOKS_FOLDER = Path("_shared") / "hooks"
# The first line of a shared hook script: newproject does its work in-process instead.
SHARED_HOOK_MARKER = "# newproject shared hook"


def hooks_folder() -> Path:
    """The shared hooks folder of newproject's own templates."""
    return packaged_templates() / HOOKS_FOLDER


@functools.cache
def load(name: str) -> ModuleType:
    """The shared module `name` (answer_rules, template_identity), imported once."""
    path = hooks_folder() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"newproject._shared_{name}", path)
    if spec is None or spec.loader is None:  # pragma: no cover - a broken installation
        raise ImportError(f"newproject's shared module {path} is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def answer_rules() -> ModuleType:
    """templates/_shared/hooks/answer_rules.py: what a valid answer is."""
    return load("answer_rules")


def template_identity() -> ModuleType:
    """templates/_shared/hooks/template_identity.py: the record's template identity."""
    return load("template_identity")
