"""The written template files agree with their sources: shared questions once, each gap's
own answers in its gap.toml, reserved package names derived from what the templates use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GAP_IDS, REPO, TEMPLATES, load_sync

from newproject.catalog import get_gap

FIX = "run `.venv/bin/python scripts/sync_templates.py`"


sync = load_sync()


@pytest.fixture(scope="module")
def expected():
    return sync.expected_files(TEMPLATES)


def test_written_files_are_what_the_script_writes(expected):
    stale = [
        str(path.relative_to(REPO))
        for path, text in expected.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"stale: {', '.join(stale)}; {FIX}"
    assert {path.relative_to(TEMPLATES).as_posix() for path in expected} == {
        "cookiecutter.json",
        "_shared/reserved_names.json",
        *(f"{gap_id}/cookiecutter.json" for gap_id in GAP_IDS),
    }


def test_every_gap_links_the_shared_folder_and_hooks():
    assert sync.missing_links(TEMPLATES) == {}, FIX
    for gap_id in GAP_IDS:
        hooks = TEMPLATES / gap_id / "hooks"
        assert hooks.resolve() == (TEMPLATES / "_shared" / "hooks").resolve()
        assert {"pre_gen_project.py", "post_gen_project.py"} <= {p.name for p in hooks.iterdir()}


def test_a_missing_hooks_link_is_found_and_made(tiny_templates):
    gap = tiny_templates / "tiny"
    missing = sync.missing_links(tiny_templates)
    assert missing == {gap / "hooks": "../_shared/hooks"}
    for link, target in missing.items():
        sync.make_link(link, target)
    assert (gap / "hooks").readlink() == Path("../_shared/hooks")
    assert (gap / "hooks" / "pre_gen_project.py").is_file()
    assert sync.missing_links(tiny_templates) == {}


@pytest.mark.parametrize("gap_id", GAP_IDS)
def test_each_gap_sets_only_its_own_answers(gap_id):
    shared = json.loads((TEMPLATES / "_shared" / "questions.json").read_text())["questions"]
    context = json.loads((TEMPLATES / gap_id / "cookiecutter.json").read_text())
    own = sync.gap_metadata(TEMPLATES / gap_id)["questions"]
    assert set(own) == {"project_name", "description"}
    assert context["_gap"] == gap_id
    for name, value in context.items():
        if name in own:
            assert value == own[name]
        elif name == "__prompts__":
            assert {k: v for k, v in value.items() if k != "python_version"} == {
                k: v for k, v in shared[name].items() if k != "python_version"
            }
        elif name != "_gap":
            assert value == shared[name], name


@pytest.mark.parametrize("gap_id", GAP_IDS)
def test_newproject_asks_what_stock_cookiecutter_asks(gap_id):
    """Question by question: name, prompt, default, choices, as cookiecutter.json holds them."""
    context = json.loads((TEMPLATES / gap_id / "cookiecutter.json").read_text())
    prompts = context["__prompts__"]
    questions = get_gap(gap_id, TEMPLATES).questions
    assert [q.name for q in questions] == [k for k in context if not k.startswith("_")]
    for question in questions:
        raw = context[question.name]
        prompt = prompts[question.name]
        if isinstance(raw, list):
            assert (question.default, question.choices) == (raw[0], tuple(raw))
            assert question.prompt == prompt["__prompt__"]
        else:
            assert question.default == raw
            assert question.prompt == prompt
            assert question.choices == tuple(context["_choices"].get(question.name, ()))
            if question.choices:  # stock cookiecutter shows the prompt: it must list them
                assert prompt.endswith(f"({', '.join(question.choices)})")


def test_reserved_names_hold_every_dependency_import_and_tool():
    names = json.loads((TEMPLATES / "_shared" / "reserved_names.json").read_text())["names"]
    for required in ("threadpoolctl", "sklearn", "torch", "onnx", "tqdm", "yaml", "pytest"):
        assert required in names, required
    for tool in ("tests", "conftest", "setuptools", "pip", "cookiecutter", "newproject"):
        assert tool in names, tool
    assert names["threadpoolctl"].startswith("a dependency of dl-fundamentals")


def test_a_new_gap_s_dependencies_and_imports_are_picked_up(tiny_templates):
    project = tiny_templates / "tiny" / "{{cookiecutter.project_slug}}"
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["Fancy.Lib[extra]>=1; python_version>\'3\'"]\n'
        '[project.optional-dependencies]\ndev = ["zeta-tool"]\n'
    )
    package = project / "src" / "{{cookiecutter.package_name}}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "import alpha_mod.sub as a\nfrom beta_mod import b\nfrom . import c\n"
        "def f():\n    import importlib\n    return importlib.import_module('gamma_mod')\n"
    )
    (project / "tests").mkdir()
    (project / "tests" / "test_tiny.py").write_text("pytest = __import__('pytest')\n")
    (project / "Makefile").write_text("lint:\n\tpython -m delta_tool check .\n")
    expected = sync.expected_files(tiny_templates)
    names = json.loads(expected[tiny_templates / "_shared" / "reserved_names.json"])["names"]
    for name in (
        "fancy_lib",
        "zeta_tool",
        "alpha_mod",
        "beta_mod",
        "gamma_mod",
        "importlib",
        "pytest",
        "test_tiny",
        "delta_tool",
    ):
        assert name in names, name
    assert "deep_learning_from_scratch" not in names  # the project's own package is not reserved
    assert "c" not in names  # relative imports name the project's own modules
    menu = json.loads(expected[tiny_templates / "cookiecutter.json"])
    assert menu == {
        "templates": {
            "tiny": {"path": "./tiny", "title": "Tiny", "description": "A tiny gap for tests."}
        }
    }


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ('project_name = "X"\n', "must set description"),
        ('project_name = "X"\ndescription = "D"\ntags = ["a"]\n', "'tags', which is no shared"),
        ('project_name = "X"\ndescription = "D"\n_gap = "y"\n', "may not set '_gap'"),
    ],
)
def test_a_gap_toml_mistake_is_named(tiny_templates, questions, message):
    gap_toml = tiny_templates / "tiny" / "gap.toml"
    head = gap_toml.read_text().split("[questions]")[0]
    gap_toml.write_text(f"{head}[questions]\n{questions}")
    with pytest.raises(SystemExit, match=message):
        sync.expected_files(tiny_templates)


def test_a_gap_may_add_a_question_with_its_prompt(tiny_templates):
    gap_toml = tiny_templates / "tiny" / "gap.toml"
    gap_toml.write_text(
        gap_toml.read_text() + 'dataset = ["synthetic", "real"]\n'
        '[questions.__prompts__]\ndataset = "Dataset"\n'
    )
    context = sync.gap_context(
        tiny_templates / "tiny",
        json.loads((TEMPLATES / "_shared" / "questions.json").read_text())["questions"],
    )
    assert context["dataset"] == ["synthetic", "real"]
    assert context["__prompts__"]["dataset"] == "Dataset"
    assert list(context).index("dataset") < list(context).index("_gap")
