"""Template hygiene: plain files render untouched, shared files arrive whole, and a
generated project stands on its own."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GAP_IDS, TEMPLATES, load_sync, render_gap

INCLUDE_STUB = re.compile(r'^\{% include "([^"]+)" -%\}\n?$')
JINJA = ("{{", "{%", "{#")
SYNC = load_sync()


@pytest.fixture(scope="module", params=GAP_IDS)
def rendered(request, tmp_path_factory) -> tuple[Path, Path, dict]:
    project, answers = render_gap(request.param, tmp_path_factory.mktemp(request.param))
    return TEMPLATES / request.param, project, answers


def template_files(gap_path: Path, answers: dict) -> dict[Path, str]:
    """Template file -> its path inside the rendered project."""
    root = gap_path / "{{cookiecutter.project_slug}}"
    mapping = {}
    for path in root.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            relative = path.relative_to(root).as_posix()
            for key in ("project_slug", "package_name"):
                relative = relative.replace(f"{{{{cookiecutter.{key}}}}}", answers[key])
            mapping[path] = relative
    return mapping


def test_plain_files_render_byte_identical(rendered):
    gap_path, project, answers = rendered
    for source, relative in template_files(gap_path, answers).items():
        text = source.read_text(encoding="utf-8")
        if not any(marker in text for marker in JINJA):
            assert (project / relative).read_text(encoding="utf-8") == text, relative


def test_shared_files_arrive_whole(rendered):
    gap_path, project, answers = rendered
    for source, relative in template_files(gap_path, answers).items():
        stub = INCLUDE_STUB.match(source.read_text(encoding="utf-8"))
        if stub is None:
            continue
        shared = (TEMPLATES / "_shared" / stub.group(1)).read_text(encoding="utf-8")
        if not any(marker in shared for marker in JINJA):
            assert (project / relative).read_text(encoding="utf-8") == shared, relative


def test_every_template_file_is_plain_a_stub_or_uses_jinja_for_a_reason(rendered):
    """docs/templates.md: a file with Jinja markers is a stub, extends a shared skeleton, or
    mentions an answer; Jinja for nothing would only risk mangling plain code."""
    gap_path, _, answers = rendered
    idle = []
    for source in template_files(gap_path, answers):
        text = source.read_text(encoding="utf-8")
        if not any(marker in text for marker in JINJA) or INCLUDE_STUB.match(text):
            continue
        if "cookiecutter." not in text and "{% extends " not in text:
            idle.append(source.relative_to(gap_path).as_posix())
    assert not idle, f"Jinja markers without an answer, stub or skeleton: {idle}"


def test_generated_project_never_imports_newproject(rendered):
    _, project, _ = rendered
    for path in project.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+newproject\b", text, re.MULTILINE), path


# Import name -> distribution where the two differ (what `pip install` needs to be told).
DISTRIBUTION_OF = {"yaml": "pyyaml", "sklearn": "scikit_learn", "PIL": "pillow"}


def static_imports(path: Path) -> set[str]:
    """Top-level names of the absolute import statements of a Python file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_import_is_a_declared_dependency(rendered):
    """What the project's code and tests import is in its pyproject (dependencies or the dev
    extra), so `make setup` in a fresh venv is enough for `make test`; a module that only
    arrives with another package, or with the developer's own venv, is a failure here.
    Requirements are read as scripts/sync_templates.py reads them; imports are the static
    ones only (its _imports adds import_module("...") calls, which here include modules a
    test writes itself)."""
    _, project, answers = rendered
    local = {path.stem for path in project.rglob("*.py")} | {answers["package_name"]}
    declared = SYNC._dependencies(project / "pyproject.toml")  # import-style names
    outside = local | set(sys.stdlib_module_names) | {"__future__"}
    missing = {}
    for path in sorted(project.rglob("*.py")):
        for name in static_imports(path) - outside:
            distribution = DISTRIBUTION_OF.get(name, name).lower()
            if distribution not in declared:
                missing.setdefault(distribution, path.relative_to(project).as_posix())
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_readme_has_no_stray_blank_lines(rendered):
    _, project, _ = rendered
    assert "\n\n\n" not in (project / "README.md").read_text(encoding="utf-8")


def test_citation_file_is_valid_cff(rendered):
    _, project, _ = rendered
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cffconvert"), "--validate"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid according to schema version 1.2.0" in result.stdout


def test_rendering_never_imports_torch(tmp_path):
    probe = (
        "import sys\n"
        "from newproject.cli import main\n"
        "try:\n"
        "    main(['new', sys.argv[2], '--no-input', '--no-git', '-o', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path), "custom-model-architecture"],
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
    assert any(tmp_path.iterdir())


def test_readme_quickstart_installs_the_tested_torch_inside_a_venv(rendered):
    """The README's first commands are the ones `newproject new` prints: a venv first (else
    `make setup` would make one and pip would take torch, unpinned, from PyPI: the CUDA build),
    then the torch newproject tests with, the version scripts/setup.sh installs."""
    from newproject.cli import TORCH_CPU_INSTALL

    _, project, _ = rendered
    readme = (project / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("## Quickstart", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = quickstart.splitlines()
    assert lines[0] == "python3 -m venv .venv && . .venv/bin/activate"
    assert lines[1] == TORCH_CPU_INSTALL
    assert [line.split("#")[0].strip() for line in lines[2:]] == ["make setup", "make smoke"]
    setup = (TEMPLATES.parent / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert re.search(r'TORCH_VERSION="\$\{TORCH_VERSION:-([0-9.]+)\}"', setup).group(1) in (
        TORCH_CPU_INSTALL
    )
