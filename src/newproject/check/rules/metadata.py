"""META: a licence and a citation a reader can rely on."""

from __future__ import annotations

from ..project import Project
from ..rule import Rule, Verdict

_LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "COPYING")
# SPDX id -> phrases only that licence's text has (all must appear).
_LICENSE_TEXTS = {
    "MIT": ("Permission is hereby granted, free of charge",),
    "Apache-2.0": ("Apache License", "Version 2.0"),
    "BSD-3-Clause": ("Redistribution and use in source and binary forms", "Neither the name"),
    "BSD-2-Clause": ("Redistribution and use in source and binary forms",),
    "GPL-3.0": ("GNU GENERAL PUBLIC LICENSE", "Version 3"),
    "MPL-2.0": ("Mozilla Public License", "2.0"),
}


class Metadata(Rule):
    family = "metadata"


def identify_license(text: str) -> str | None:
    """The SPDX id of a licence text, for the licences newproject offers and a few more."""
    flat = " ".join(text.split())
    for spdx, phrases in _LICENSE_TEXTS.items():
        if all(phrase in flat for phrase in phrases):
            return spdx
    return None


class META001(Metadata):
    """A licence file, and pyproject.toml and CITATION.cff name the same licence"""

    next_step = "Add a LICENSE file (https://choosealicense.com) and name it in pyproject.toml."

    def check(self, project: Project) -> Verdict:
        name = next((n for n in _LICENSE_FILES if (project.root / n).is_file()), None)
        if name is None:
            return self.failed("There is no LICENSE file: without one, nobody may reuse the code.")
        text = project.read(name) or ""
        if not text.strip():
            return self.failed(f"{name} is empty.")
        spdx = identify_license(text)
        declared = project.pyproject.get("project", {}).get("license")
        if isinstance(declared, dict):
            declared = declared.get("text")
        cited = _citation_license(project)
        disagree = [
            f"{where} says {value!r}"
            for where, value in (("pyproject.toml", declared), ("CITATION.cff", cited))
            if spdx and isinstance(value, str) and value.strip() and value.strip() != spdx
        ]
        if disagree:
            return self.failed(
                f"{name} is the {spdx} licence, but {' and '.join(disagree)}.",
                f"Make pyproject.toml's `license` and CITATION.cff's `license` say {spdx!r}.",
            )
        return self.passed(f"{name}: {spdx or 'a licence this check does not name'}.")


def _citation_license(project: Project):
    import yaml

    text = project.read("CITATION.cff")
    try:
        data = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return None
    return data.get("license") if isinstance(data, dict) else None


class META002(Metadata):
    """CITATION.cff is valid Citation File Format 1.2.0"""

    next_step = (
        "Fix the fields listed (https://citation-file-format.github.io; `cffconvert --validate` "
        "checks the same schema)."
    )

    def check(self, project: Project) -> Verdict:
        from ..citation import citation_problems

        text = project.read("CITATION.cff")
        if text is None:
            return self.failed(
                "There is no CITATION.cff: GitHub's 'Cite this repository' needs one.",
                "Add CITATION.cff (cff-version 1.2.0: message, title, authors, version, "
                "date-released, license).",
            )
        problems = citation_problems(text)
        if problems:
            more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
            return self.failed("CITATION.cff " + "; ".join(problems[:3]) + more + ".")
        return self.passed("CITATION.cff validates against the CFF 1.2.0 schema.")
