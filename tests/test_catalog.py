"""The catalog reads every gap folder; the stock-cookiecutter menu agrees with it."""

from __future__ import annotations

import json

import pytest
from conftest import GAP_IDS, TEMPLATES

from newproject.catalog import get_gap, load_catalog
from newproject.errors import NewprojectError, UnknownGapError


def test_catalog_lists_every_gap_with_metadata():
    catalog = load_catalog(TEMPLATES)
    assert tuple(catalog) == GAP_IDS
    for gap in catalog.values():
        assert gap.title and gap.pitch and gap.shows and gap.time
        assert gap.skills and gap.datasets
        names = [question.name for question in gap.questions]
        assert names[:3] == ["project_name", "project_slug", "package_name"]


def test_stock_cookiecutter_menu_matches_catalog():
    menu = json.loads((TEMPLATES / "cookiecutter.json").read_text())["templates"]
    catalog = load_catalog(TEMPLATES)
    assert list(menu) == list(catalog)
    for gap_id, entry in menu.items():
        assert entry["path"] == f"./{gap_id}"
        assert entry["title"] == catalog[gap_id].title
        assert entry["description"] == catalog[gap_id].pitch


def test_choice_questions_default_to_their_first_choice():
    questions = {q.name: q for q in get_gap("dl-fundamentals", TEMPLATES).questions}
    license_question = questions["license"]
    assert license_question.choices[0] == license_question.default == "MIT"
    assert license_question.prompt == "License"  # one spelling: the key, the prompt, errors
    assert license_question.show_choices


def test_unknown_gap_lists_valid_ids_and_suggests_the_closest():
    with pytest.raises(UnknownGapError) as error:
        get_gap("3d-scene", TEMPLATES)
    message = str(error.value)
    assert all(gap_id in message for gap_id in GAP_IDS)
    assert "Did you mean '3d-scene-understanding'?" in message


def test_a_folder_is_a_gap_only_with_gap_toml(tiny_templates):
    (tiny_templates / "not-a-gap").mkdir()
    assert list(load_catalog(tiny_templates)) == ["tiny"]


def test_broken_gap_metadata_is_reported_with_its_path(tiny_templates):
    (tiny_templates / "tiny" / "gap.toml").write_text('title = "x"\n')
    with pytest.raises(NewprojectError, match=r"gap.toml' lacks: pitch"):
        load_catalog(tiny_templates)
