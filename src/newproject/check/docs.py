"""docs/check.md, where every rule's section lives: found in the wheel or the checkout."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import UsageError


def doc_file() -> Path:
    """docs/check.md as installed (the wheel carries it) or in the checkout."""
    here = Path(__file__).resolve()
    packaged = here.parents[1] / "docs" / "check.md"
    return packaged if packaged.is_file() else here.parents[3] / "docs" / "check.md"


def explain(rule_id: str) -> str:
    """The section of docs/check.md about `rule_id`, after its family's introduction."""
    from . import all_rules

    known = {rule.id(): rule for rule in all_rules()}
    wanted = rule_id.strip().upper()
    if wanted not in known:
        raise UsageError(f"no rule '{rule_id}'; the rules are {', '.join(known)}")
    text = doc_file().read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == f"### {wanted}"), None)
    if start is None:
        raise UsageError(f"{doc_file()} has no section for {wanted}")
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"#{1,3} ", lines[i])), len(lines)
    )
    family = max(i for i in range(start) if lines[i].startswith("## "))
    first_rule = next(i for i in range(family, len(lines)) if lines[i].startswith("### "))
    intro = "\n".join(lines[family:first_rule]).strip()
    section = "\n".join(lines[start:end]).strip()
    return f"{intro}\n\n{section}\n\n(docs/check.md#{wanted.lower()})"
