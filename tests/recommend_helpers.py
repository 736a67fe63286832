"""Catalogs and answers for the recommender's tests."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import GAP_IDS, REPO, TEMPLATES

from newproject.catalog import load_catalog
from newproject.recommender.answers import PartialAnswers, complete
from newproject.recommender.gaps import read_gap_profiles
from newproject.recommender.profiles import load_profiles
from newproject.recommender.score import Recommendation, asked_skills, recommend

# gap.toml stand-ins for the gaps being built (issues 11-13), with their suggested [recommend].
COMING_GAPS = REPO / "tests" / "data" / "coming_gaps"


def templates_with(root: Path, extra: dict[str, str]) -> Path:
    """A templates folder with this checkout's gaps plus `extra` (gap id -> gap.toml text).

    Each extra gap is a real, renderable gap: the dl-fundamentals questions and a README.
    """
    root.mkdir(parents=True)
    (root / "_shared").symlink_to(TEMPLATES / "_shared", target_is_directory=True)
    for gap_id in GAP_IDS:
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
    return root


def coming_gap_tomls() -> dict[str, str]:
    """The three coming gaps' stand-in gap.toml files, by gap id."""
    return {path.stem: path.read_text() for path in sorted(COMING_GAPS.glob("*.toml"))}


def rank(answers: dict, templates: Path = TEMPLATES) -> Recommendation:
    """The recommendation for `answers` (role, domain, levels) over the gaps under `templates`."""
    profiles = load_profiles()
    gaps, unranked = read_gap_profiles(load_catalog(templates).values(), profiles)
    partial = PartialAnswers(
        role=answers["role"], domain=answers.get("domain"), levels=dict(answers["levels"])
    )
    return recommend(complete(partial, asked_skills(gaps, profiles)), gaps, profiles, unranked)
