"""Write the files that stock cookiecutter and the answer checks read, from their sources.

    .venv/bin/python scripts/sync_templates.py           # rewrite what is stale
    .venv/bin/python scripts/sync_templates.py --check   # list what is stale, exit 1 if any

Stock cookiecutter needs a complete `cookiecutter.json` in every gap, and the menu
`templates/cookiecutter.json`; both are written here, never by hand:

- `templates/<gap>/cookiecutter.json`: the shared questions
  (`templates/_shared/questions.json`) with the gap's own answers from the
  `[questions]` table of its `gap.toml`, and `_gap` set to the folder name;
- `templates/cookiecutter.json`: the menu of gaps (title and pitch from gap.toml);
- each gap's links to the shared folder, `templates -> ../_shared` (Jinja's includes) and
  `hooks -> ../_shared/hooks` (the answer check and the record's template identity that
  stock cookiecutter runs);
- `templates/_shared/reserved_names.json`: the package names a project must not take,
  derived by rendering every gap and reading what the result depends on and imports
  (its pyproject's dependency lists, every top-level import its Python files and tests
  make, the modules its Makefile and CI run with `python -m`), plus the tools a project
  meets, plus the modules the dependencies' own dependencies install
  (`scripts/dependency_imports.json`: `typing_extensions` under torch, `sympy`, `jinja2`, ...).
  The standard library is added at check time (it depends on the Python running).

`scripts/dependency_imports.json` is read from the environment once, not on every run (so
that the written files do not change with whatever versions a machine has installed):

    .venv/bin/python scripts/sync_templates.py --refresh-dependency-imports

walks the gaps' dependencies through the installed distributions' requirements (in a venv
set up by scripts/setup.sh, which installs what the projects need) and writes the top-level
modules each installs.

A new gap's dependencies and imports are picked up by running this script; the test
tests/test_templates_in_sync.py fails while any of these files differs from what the
script would write.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"
# Every gap reaches the shared parts through these links (the wheel holds copies).
SHARED_LINKS = {"templates": "../_shared", "hooks": "../_shared/hooks"}
SHARED_QUESTIONS = Path("_shared") / "questions.json"
RESERVED_NAMES = Path("_shared") / "reserved_names.json"
DEPENDENCY_IMPORTS = REPO / "scripts" / "dependency_imports.json"

# Modules a generated project meets that no template file names: build, install and test
# machinery, and the generators themselves.
TOOLS = {
    "__main__": "the module Python runs as the main program",
    "_distutils_hack": "setuptools' import hook",
    "_pytest": "pytest's implementation",
    "conftest": "pytest's per-folder configuration module",
    "cookiecutter": "the template engine that renders these projects",
    "distutils": "setuptools' distutils",
    "newproject": "the generator of these projects",
    "pip": "the installer `make setup` runs",
    "pkg_resources": "setuptools' runtime API",
    "pluggy": "pytest's plugin system",
    "py": "pytest's compatibility module",
    "sitecustomize": "a module Python imports at start-up",
    "tests": "the projects' test folder",
    "usercustomize": "a module Python imports at start-up",
    "wheel": "the wheel builder pip uses",
}
_PYTHON_M = re.compile(r"(?:^|\s)-m\s+([A-Za-z_]\w*)")
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_IMPORT_CALLS = {"import_module", "importorskip", "__import__"}


def gap_folders(templates: Path) -> list[Path]:
    """Every gap folder (one with a gap.toml), sorted by id."""
    return sorted(
        folder
        for folder in templates.iterdir()
        if folder.is_dir()
        and not folder.name.startswith(("_", "."))
        and (folder / "gap.toml").is_file()
    )


def gap_metadata(folder: Path) -> dict:
    return tomllib.loads((folder / "gap.toml").read_text(encoding="utf-8"))


def gap_context(folder: Path, shared: dict) -> dict:
    """The gap's cookiecutter.json: shared questions, the gap's answers, `_gap`."""
    own = dict(gap_metadata(folder).get("questions", {}))
    own_prompts = own.pop("__prompts__", {})
    questions = {k: v for k, v in shared.items() if not k.startswith("_")}
    private = {k: v for k, v in shared.items() if k.startswith("_") and k != "__prompts__"}
    prompts = dict(shared.get("__prompts__", {}))
    for name, value in own.items():
        if name.startswith("_"):
            raise SystemExit(f"{folder.name}/gap.toml: [questions] may not set {name!r}")
        if name not in questions and name not in own_prompts:
            # Guards against a top-level gap.toml key written below [questions] by mistake.
            raise SystemExit(
                f"{folder.name}/gap.toml: [questions] sets {name!r}, which is no shared "
                "question and has no prompt in [questions.__prompts__] (keys of gap.toml "
                "itself must come before the [questions] table)"
            )
        questions[name] = value
    missing = [name for name, value in questions.items() if value is None]
    if missing:
        raise SystemExit(f"{folder.name}/gap.toml: [questions] must set {', '.join(missing)}")
    prompts.update(own_prompts)
    for name, choices in private.get("_choices", {}).items():
        if questions.get(name) not in choices:
            raise SystemExit(f"{folder.name}: the default of {name!r} is not one of its choices")
        prompts[name] = f"{prompts.get(name, name)} ({', '.join(choices)})"
    return {**questions, "_gap": folder.name, **private, "__prompts__": prompts}


def menu(templates: Path) -> dict:
    """The stock-cookiecutter menu of gaps."""
    entries = {}
    for folder in gap_folders(templates):
        metadata = gap_metadata(folder)
        entries[folder.name] = {
            "path": f"./{folder.name}",
            "title": metadata["title"],
            "description": metadata["pitch"],
        }
    return {"templates": entries}


def reserved_names(
    templates: Path, contexts: dict[str, dict], with_dependency_imports: bool = True
) -> dict[str, str]:
    """Name -> why a package of that name would break a generated project."""
    sys.path.insert(0, str(REPO / "src"))
    from newproject.answers import resolve_answers
    from newproject.catalog import read_gap
    from newproject.render import TemplateEnvironment, render_project

    found: dict[str, dict[str, set[str]]] = {}

    def note(name: str, why: str, gap_id: str) -> None:
        found.setdefault(name, {}).setdefault(why, set()).add(gap_id)

    for folder in gap_folders(templates):
        gap = read_gap(folder, contexts[folder.name])
        answers = resolve_answers(gap, {}, TemplateEnvironment(gap).render_default)
        own = answers["package_name"]
        with tempfile.TemporaryDirectory() as scratch:
            project = render_project(gap, answers, Path(scratch), git=False)
            for name in _dependencies(project / "pyproject.toml"):
                note(name, "a dependency of", gap.id)
            for path in sorted(project.rglob("*.py")):
                for name in _imports(path):
                    if name != own:
                        note(name, "imported by", gap.id)
                if own not in path.relative_to(project).parts:
                    module = path.parent.name if path.stem == "__init__" else path.stem
                    note(module, "a module outside the package in", gap.id)
            for path in sorted(project.rglob("*")):
                if path.name == "Makefile" or path.suffix in (".yml", ".yaml"):
                    for name in _PYTHON_M.findall(path.read_text(encoding="utf-8")):
                        if name != own:
                            note(name, "run with python -m by", gap.id)
    every = {folder.name for folder in gap_folders(templates)}
    reasons = dict(TOOLS)
    for name, whys in sorted(found.items()):
        parts = []
        for why, gaps in sorted(whys.items()):
            where = "every gap" if gaps == every else ", ".join(sorted(gaps))
            parts.append(f"{why} {where}")
        reasons.setdefault(name, "; ".join(parts))
    for name, distributions in (_dependency_imports() if with_dependency_imports else {}).items():
        reasons.setdefault(
            name, f"installed by {', '.join(distributions)}, which the dependencies need"
        )
    return dict(sorted(reasons.items()))


def _dependency_imports() -> dict[str, list[str]]:
    """Import name -> the distributions installing it (written by --refresh-dependency-imports)."""
    return json.loads(DEPENDENCY_IMPORTS.read_text(encoding="utf-8"))["imports"]


def refresh_dependency_imports(templates: Path) -> dict[str, list[str]]:
    """The top-level modules of every distribution the gaps' dependencies need, transitively,
    as installed in the running environment (the direct dependencies' own names excluded:
    reserved_names covers those)."""
    import importlib.metadata as metadata

    from packaging.requirements import Requirement

    def key(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    shared = json.loads((templates / SHARED_QUESTIONS).read_text(encoding="utf-8"))["questions"]
    contexts = {folder.name: gap_context(folder, shared) for folder in gap_folders(templates)}
    direct = {
        name
        for name, why in reserved_names(templates, contexts, with_dependency_imports=False).items()
        if "a dependency of" in why
    }
    installed = {key(dist.metadata["Name"]): dist for dist in metadata.distributions()}
    needed: set[str] = set()
    queue = [key(name) for name in direct]
    while queue:
        name = queue.pop()
        if name in needed or name not in installed:
            continue
        needed.add(name)
        for text in installed[name].requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                queue.append(key(requirement.name))
    modules: dict[str, set[str]] = {}
    for name in sorted(needed):
        dist = installed[name]
        top_level = (dist.read_text("top_level.txt") or "").split()
        if not top_level:
            top_level = [
                str(file).split("/")[0].removesuffix(".py")
                for file in dist.files or []
                if "/" in str(file) or str(file).endswith(".py")
            ]
        for module in top_level:
            if module.isidentifier() and not module.startswith("_"):
                modules.setdefault(module, set()).add(dist.metadata["Name"])
    return {
        module: sorted(dists)
        for module, dists in sorted(modules.items())
        if re.sub(r"[-_.]+", "_", module).lower() not in direct
    }


def _dependencies(pyproject: Path) -> set[str]:
    """Import-style names (lowercase, '_' for '-' and '.') of every requirement listed."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    requirements = list(data.get("build-system", {}).get("requires", []))
    project = data.get("project", {})
    requirements += project.get("dependencies", [])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    names = set()
    for requirement in requirements:
        match = _REQUIREMENT_NAME.match(requirement)
        if match:
            names.add(re.sub(r"[-_.]+", "_", match.group(1)).lower())
    return names


def _imports(path: Path) -> set[str]:
    """Top-level names of every absolute import in a Python file, dynamic ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            called = getattr(function, "attr", getattr(function, "id", None))
            first = node.args[0]
            if (
                called in _IMPORT_CALLS
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and not first.value.startswith(".")
            ):
                names.add(first.value.split(".")[0])
    return names


def _json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def expected_files(templates: Path = TEMPLATES) -> dict[Path, str]:
    """Path -> the content this script writes there."""
    shared = json.loads((templates / SHARED_QUESTIONS).read_text(encoding="utf-8"))
    contexts = {
        folder.name: gap_context(folder, shared["questions"]) for folder in gap_folders(templates)
    }
    files = {templates / gap / "cookiecutter.json": _json(ctx) for gap, ctx in contexts.items()}
    files[templates / "cookiecutter.json"] = _json(menu(templates))
    files[templates / RESERVED_NAMES] = _json(
        {
            "about": "Written by scripts/sync_templates.py; do not edit. Package names a "
            "generated project must not take, and why. The standard library and Python "
            "keywords are refused besides these.",
            "names": reserved_names(templates, contexts),
        }
    )
    return files


def missing_links(templates: Path = TEMPLATES) -> dict[Path, str]:
    """Link -> its target, for each gap link to the shared folder that is absent or wrong."""
    return {
        folder / name: target
        for folder in gap_folders(templates)
        for name, target in SHARED_LINKS.items()
        if not (folder / name).is_symlink() or str((folder / name).readlink()) != target
    }


def make_link(link: Path, target: str) -> None:
    """`link` -> `target`, replacing a wrong link (never a real file or folder)."""
    if link.is_symlink():
        link.unlink()
    link.symlink_to(target, target_is_directory=True)


def stale_files(templates: Path = TEMPLATES) -> dict[Path, str]:
    """The files whose committed content differs from what the script writes."""
    return {
        path: text
        for path, text in expected_files(templates).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--templates", type=Path, default=TEMPLATES)
    parser.add_argument(
        "--refresh-dependency-imports",
        action="store_true",
        help=f"rewrite {DEPENDENCY_IMPORTS.relative_to(REPO)} from the installed distributions",
    )
    args = parser.parse_args()
    if args.refresh_dependency_imports:
        about = (
            "Written by scripts/sync_templates.py --refresh-dependency-imports; do not edit. "
            "Top-level modules of the distributions the gaps' dependencies need (transitively), "
            "as installed by scripts/setup.sh; each is a package name a project must not take."
        )
        imports = refresh_dependency_imports(args.templates)
        DEPENDENCY_IMPORTS.write_text(_json({"about": about, "imports": imports}), encoding="utf-8")
        print(f"wrote {DEPENDENCY_IMPORTS.relative_to(REPO)}: {len(imports)} modules")
    links = missing_links(args.templates)
    for link, target in links.items():
        shown = link.relative_to(args.templates.parent)
        if args.check:
            print(f"missing link: {shown} -> {target}")
        else:
            make_link(link, target)
            print(f"linked {shown} -> {target}")
    stale = stale_files(args.templates)
    for path, text in stale.items():
        shown = path.relative_to(args.templates.parent)
        if args.check:
            print(f"stale: {shown}")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {shown}")
    if args.check and (stale or links):
        sys.exit(
            f"{len(stale) + len(links)} file(s) stale: run .venv/bin/python "
            "scripts/sync_templates.py"
        )


if __name__ == "__main__":
    main()
