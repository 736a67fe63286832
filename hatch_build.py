"""Wheel build hook: ship templates/ inside the package with the shared folder resolved.

In the repository each gap reaches the shared parts through its `templates` and `hooks`
symlinks (cookiecutter's Jinja loader looks in `../templates` beside `cookiecutter.json`,
its hooks in `hooks/`). Wheels cannot carry symlinks, so every file is force-included as
a real file. A wheel has no git either: each gap also gets
`hooks/template_source.json`, the commit and version its projects record (see
templates/_shared/hooks/template_identity.py).
"""

import importlib.util
import json
import os
import shutil
import tempfile
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
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = Path(folder) / name
                relative = path.relative_to(templates).as_posix()
                build_data["force_include"][str(path)] = f"newproject/templates/{relative}"
        self._sources = Path(tempfile.mkdtemp(prefix="newproject-build-"))
        identity = _load_identity(templates)
        for gap in sorted(templates.iterdir()):
            if gap.name.startswith(("_", ".")) or not (gap / "gap.toml").is_file():
                continue
            known = identity.source(gap)
            known["newproject_version"] = self.metadata.version
            baked = self._sources / f"{gap.name}.json"
            baked.write_text(json.dumps(known, indent=2) + "\n", encoding="utf-8")
            target = f"newproject/templates/{gap.name}/hooks/{identity.SOURCE_FILE}"
            build_data["force_include"][str(baked)] = target

    def finalize(self, version, build_data, artifact_path):
        sources = getattr(self, "_sources", None)
        if sources is not None:
            shutil.rmtree(sources, ignore_errors=True)


def _load_identity(templates: Path):
    """templates/_shared/hooks/template_identity.py, the module the projects' hooks use."""
    path = templates / "_shared" / "hooks" / "template_identity.py"
    spec = importlib.util.spec_from_file_location("newproject_build_identity", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
