"""DOC: what a reader needs beside the numbers: honest limits, figures that load, a model card."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..markdown import image_targets, prose_words, sections
from ..project import Project
from ..rule import Rule, Verdict

_LIMITS = re.compile(r"limit|caveat|weakness", re.IGNORECASE)
_MIN_LIMITS_WORDS = 15
# Model Cards for Model Reporting (Mitchell et al., 2019): the sections a card cannot do without.
_CARD_TOPICS = {
    "model details": re.compile(r"\bmodels?\b|architecture", re.IGNORECASE),
    "intended use": re.compile(r"\buses?\b", re.IGNORECASE),
    "data": re.compile(r"\bdata", re.IGNORECASE),
    "evaluation": re.compile(r"evaluat|metric|result|performance", re.IGNORECASE),
    "limitations": re.compile(r"limit|caveat|risk", re.IGNORECASE),
}
_MIN_SECTION_WORDS = 2  # "Your Name; MIT licence" is short, not empty


class Docs(Rule):
    family = "docs"


class DOC001(Docs):
    """README has an honest-limits section"""

    next_step = (
        "Add `## Honest limits` to README.md: what the numbers do not show (data, scale, seeds, "
        "hardware) and where the model fails."
    )

    def check(self, project: Project) -> Verdict:
        if project.readme is None:
            return self.failed("There is no README.md.")
        found = [section for section in sections(project.readme) if _LIMITS.search(section.title)]
        if not found:
            return self.failed("README.md has no section titled like 'Honest limits'.")
        words = max(prose_words(section.body) for section in found)
        if words < _MIN_LIMITS_WORDS:
            return self.failed(f"'{found[0].title}' says almost nothing ({words} words).")
        return self.passed(f"'{found[0].title}': {words} words.")


class DOC002(Docs):
    """Figures the README shows exist and are committed"""

    next_step = (
        "Run `make report` (it publishes figures into docs/figures/), fix the paths, and commit "
        "docs/figures/."
    )

    def check(self, project: Project) -> Verdict:
        if project.readme is None:
            return self.failed("There is no README.md.")
        targets = list(dict.fromkeys(image_targets(project.readme)))
        if not targets:
            return self.passed("README.md shows no figures.")
        tracked = set(project.git_files) if project.git_files is not None else None
        missing, untracked = [], []
        for target in targets:
            relative = PurePosixPath(target.lstrip("/")).as_posix()
            path = project.root / relative
            if not path.is_file():
                missing.append(target)
            elif tracked is not None and _normal(relative) not in tracked:
                untracked.append(target)
        if missing:
            return self.failed(f"Missing: {', '.join(missing)}.")
        if untracked:
            return self.failed(
                f"Not committed (a reader on GitHub sees a broken image): {', '.join(untracked)}.",
                f"`git add {' '.join(untracked)}` and commit.",
            )
        return self.passed(
            f"All {len(targets)} figure(s) exist"
            + (" and are committed." if tracked is not None else ".")
        )


def _normal(relative: str) -> str:
    """A path as git ls-files writes it (no ./, no ..)."""
    parts: list[str] = []
    for part in relative.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


class DOC003(Docs):
    """A filled model card: model, intended use, data, evaluation, limits and who made it"""

    def check(self, project: Project) -> Verdict:
        text = project.read("MODEL_CARD.md")
        if text is None:
            if not project.is_torch_gap:
                return self.skipped(
                    "No MODEL_CARD.md, and the contract asks one only of torch gaps (add one to "
                    "have it checked)."
                )
            return self.failed(
                "There is no MODEL_CARD.md.",
                "Write MODEL_CARD.md (Mitchell et al., 2019): model details and who developed "
                "it, intended use, training and evaluation data, metrics, limitations.",
            )
        found = sections(text)
        missing = [
            topic
            for topic, pattern in _CARD_TOPICS.items()
            if not any(pattern.search(s.title) for s in found)
        ]
        empty = [s.title for s in found if s.level > 1 and prose_words(s.body) < _MIN_SECTION_WORDS]
        problems = []
        if missing:
            problems.append(f"no section on {', '.join(missing)}")
        if empty:
            problems.append(f"empty: {', '.join(empty)}")
        shown = _as_read(text)  # names are written through md_text: `Ada \*A.\* Lovelace`
        placeholders = [
            value
            for value in (project.placeholder("author_name"), project.placeholder("author_email"))
            if value and " ".join(value.split()) in shown
        ]
        if placeholders:
            problems.append(f"still says {', '.join(repr(p) for p in placeholders)}")
        authors = _authors(project)
        if not any(" ".join(author.split()) in shown for author in authors):
            problems.append(
                "does not say who developed the model"
                + (f" ({', '.join(authors)})" if authors else "")
            )
        if problems:
            return self.failed(
                "MODEL_CARD.md " + "; ".join(problems) + ".",
                "Fill MODEL_CARD.md: "
                + "; ".join(_card_steps(missing, empty, placeholders, authors))
                + ".",
            )
        return self.passed(f"MODEL_CARD.md covers {', '.join(_CARD_TOPICS)} and names its author.")


def _as_read(text: str) -> str:
    """Markdown source as a reader sees its words: backslash escapes resolved, whitespace runs
    (line breaks included) one space."""
    return " ".join(re.sub(r"\\(.)", r"\1", text).split())


def _authors(project: Project) -> list[str]:
    """The author names in pyproject.toml that are not the template's placeholder."""
    placeholder = project.placeholder("author_name")
    names = []
    for author in project.pyproject.get("project", {}).get("authors", []) or []:
        name = author.get("name") if isinstance(author, dict) else None
        if isinstance(name, str) and name.strip() and name != placeholder:
            names.append(name.strip())
    return names


def _card_steps(missing, empty, placeholders, authors) -> list[str]:
    steps = []
    if missing:
        steps.append(f"add sections on {', '.join(missing)}")
    if empty:
        steps.append(f"write the sections {', '.join(empty)}")
    if placeholders or not authors:
        steps.append("put your name in pyproject.toml and say in the card that you developed it")
    else:
        steps.append(f"say who developed the model ({', '.join(authors)}), when, which version")
    return steps
