"""Property: any answer lands as data, correctly escaped, in every file format of every gap."""

from __future__ import annotations

import ast
import json
import tomllib

import yaml
from conftest import GAP_IDS, render_gap
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from test_filters import hostile_text

FIXED = {"project_slug": "hostile-project", "package_name": "hostile_pkg"}


def heading_text(markdown: str) -> str:
    tokens = MarkdownIt("commonmark").parse(markdown)
    first = next(i for i, token in enumerate(tokens) if token.type == "heading_open")
    assert tokens[first].tag == "h1"
    return "".join(child.content for child in tokens[first + 1].children)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    gap_id=st.sampled_from(GAP_IDS),
    name=hostile_text,
    description=hostile_text,
    author=hostile_text,
)
def test_hostile_answers_come_back_unchanged(tmp_path, gap_id, name, description, author):
    out = tmp_path / f"case{len(list(tmp_path.iterdir()))}"  # tmp_path is shared by examples
    project, answers = render_gap(
        gap_id,
        out,
        {**FIXED, "project_name": name, "description": description, "author_name": author},
    )
    files = [path for path in project.rglob("*") if path.is_file()]

    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == description
    assert pyproject["project"]["authors"][0]["name"] == author

    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            compile(text, str(path), "exec")
        elif path.suffix in (".yaml", ".yml", ".cff"):
            yaml.safe_load(text)
        elif path.suffix == ".json":
            json.loads(text)

    about = ast.parse((project / "src" / "hostile_pkg" / "about.py").read_text(encoding="utf-8"))
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in about.body
        if isinstance(node, ast.Assign)
    }
    assert constants["PROJECT_NAME"] == name
    assert constants["DESCRIPTION"] == description
    assert constants["AUTHOR"] == author

    citation = yaml.safe_load((project / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["title"] == name
    assert citation["abstract"] == description
    assert citation["authors"][0]["name"] == author

    record = json.loads((project / ".newproject.json").read_text(encoding="utf-8"))
    assert record["answers"] == answers

    readme = (project / "README.md").read_text(encoding="utf-8")
    assert heading_text(readme) == " ".join(name.split())
