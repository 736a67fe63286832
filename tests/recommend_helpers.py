"""Catalogs and answers for the recommender's tests."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import GAP_IDS, TEMPLATES

from newproject.catalog import load_catalog
from newproject.recommender.answers import PartialAnswers, complete
from newproject.recommender.gaps import read_gap_profiles
from newproject.recommender.profiles import load_profiles
from newproject.recommender.score import Recommendation, asked_skills, recommend


def templates_with(root: Path, extra: dict[str, str], gap_ids: tuple[str, ...] = GAP_IDS) -> Path:
    """A templates folder with this checkout's gaps `gap_ids` plus `extra` (gap id -> gap.toml).

    Each extra gap is a real, renderable gap: the dl-fundamentals questions, a README, and the
    project's record (.newproject.json, from the shared template, as every gap has).
    """
    root.mkdir(parents=True)
    (root / "_shared").symlink_to(TEMPLATES / "_shared", target_is_directory=True)
    for gap_id in gap_ids:
        (root / gap_id).symlink_to(TEMPLATES / gap_id, target_is_directory=True)
    questions = json.loads((TEMPLATES / "dl-fundamentals" / "cookiecutter.json").read_text())
    for gap_id, gap_toml in extra.items():
        gap = root / gap_id
        project = gap / "{{cookiecutter.project_slug}}"
        project.mkdir(parents=True)
        (gap / "templates").symlink_to("../_shared", target_is_directory=True)
        (gap / "cookiecutter.json").write_text(json.dumps({**questions, "_gap": gap_id}))
        (gap / "gap.toml").write_text(gap_toml)
        (project / "README.md").write_text("# {{ cookiecutter.project_name|md_text }}\n")
        (project / ".newproject.json").write_text('{% include "project/newproject.json" -%}\n')
    return root


# The catalog the first expectations were hand-computed against, kept as a catalog of its own
# so that adding a gap never rewrites a known answer. Today's catalog is templates/ as shipped
# (conftest.GAP_IDS).
FIRST_GAPS = ("3d-scene-understanding", "custom-model-architecture", "dl-fundamentals")


def rank(
    answers: dict, templates: Path = TEMPLATES, only: tuple[str, ...] | None = None
) -> Recommendation:
    """The recommendation for `answers` (role, domain, levels) over the gaps under `templates`
    (default: the shipped catalog, this checkout's templates/), or over the gaps `only` of it."""
    profiles = load_profiles()
    catalog = load_catalog(templates).values()
    if only is not None:
        catalog = [gap for gap in catalog if gap.id in only]
        assert sorted(gap.id for gap in catalog) == sorted(only), f"{templates} lacks {only}"
    gaps, unranked = read_gap_profiles(catalog, profiles)
    partial = PartialAnswers(
        role=answers["role"], domain=answers.get("domain"), levels=dict(answers["levels"])
    )
    return recommend(complete(partial, asked_skills(gaps, profiles)), gaps, profiles, unranked)
