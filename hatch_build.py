"""Wheel build hook: ship templates/ inside the package with the shared folder resolved.

In the repository each gap reaches the shared parts through a `templates` symlink
(cookiecutter's Jinja loader looks in `../templates` beside `cookiecutter.json`).
Wheels cannot carry symlinks, so every file is force-included as a real file.
"""

import os
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SharedTemplatesHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if version == "editable":  # an editable install reads templates/ from the checkout
            return
        templates = Path(self.root) / "templates"
        for folder, dirs, files in os.walk(templates, followlinks=True):
            dirs[:] = [name for name in dirs if name != "__pycache__"]
            for name in files:
                path = Path(folder) / name
                relative = path.relative_to(templates).as_posix()
                build_data["force_include"][str(path)] = f"newproject/templates/{relative}"
