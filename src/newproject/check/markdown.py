"""What the rules read from Markdown: sections, tables (with the commands above them), images.

Parsed with markdown-it-py (CommonMark plus GitHub's tables), so a table is whatever GitHub
would draw as one, whichever gap wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

# A command a reader can run: what the contract's reports write (`python -m pkg.report`,
# `make smoke`) and the launchers a gap may show.
_COMMAND = re.compile(
    r"^\s*(?:[A-Z_][A-Z0-9_]*=\S*\s+)*"  # leading VAR=value assignments
    r"(?:(?:python3?|make|torchrun|bash|sh|uv|accelerate|srun|sbatch|pytest)(?:\s|$)|\./\S)"
)
_NUMBER = re.compile(
    r"^[*_]*[-+−]?\d[\d,]*(?:\.\d+)?(?:\s*(?:±|\+/-)\s*\d[\d,]*(?:\.\d+)?)?"
    r"\s*(?:%|ms|s|k|M|G|x|×)?[*_]*$"
)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_HTML_IMG = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf")


@cache
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def is_command(text: str) -> bool:
    """Whether `text` (a code span or a line of a code block) reads as a shell command."""
    return bool(_COMMAND.match(text)) and len(text.split()) >= 2


def is_number(cell: str) -> bool:
    """Whether a table cell is a number (`0.936`, `**0.97 ± 0.01**`, `1,234`, `12.3 ms`)."""
    return bool(_NUMBER.match(cell.strip()))


def code_spans(text: str) -> list[str]:
    """The inline code spans of a piece of Markdown source."""
    return [match.group(2).strip() for match in _CODE_SPAN.finditer(text)]


@dataclass
class Table:
    """A table: header cells, body rows (Markdown source of each cell), and the commands that
    stand above it in its section (between the last heading, or the start, and the table)."""

    header: list[str]
    rows: list[list[str]]
    line: int  # 1-based, within the parsed text
    commands_above: list[str] = field(default_factory=list)

    def has_numbers(self) -> bool:
        return any(is_number(_CODE_SPAN.sub("", cell)) for row in self.rows for cell in row)

    def command_column(self) -> int | None:
        for index, name in enumerate(self.header):
            if "command" in name.lower():
                return index
        return None


@dataclass
class Section:
    """A heading and the Markdown source under it, up to the next heading of its level or
    higher."""

    level: int
    title: str
    body: str


def tables(text: str) -> list[Table]:
    """Every table in `text`, in order, each with the commands written above it in its
    section (since the last heading): one "Reproduce: `make ...`" line may head several
    tables of one section."""
    tokens = _parser().parse(text)
    found: list[Table] = []
    pending: list[str] = []
    current: Table | None = None
    row: list[str] | None = None
    in_head = False
    for token in tokens:
        if token.type == "fence" or token.type == "code_block":
            pending += [line.strip() for line in token.content.splitlines() if is_command(line)]
        elif token.type == "inline" and current is None:
            pending += [span for span in code_spans(token.content) if is_command(span)]
        elif token.type == "heading_open":
            pending = []  # a command speaks for the tables of its own section
        elif token.type == "table_open":
            line = token.map[0] + 1 if token.map else 0
            current = Table(header=[], rows=[], line=line, commands_above=list(pending))
        elif token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content.strip())
        elif token.type == "tr_close" and current is not None and row is not None:
            if in_head:
                current.header = row
            else:
                current.rows.append(row)
            row = None
        elif token.type == "table_close" and current is not None:
            found.append(current)
            current = None
    return found


def sections(text: str) -> list[Section]:
    """Every heading of `text` with the source below it."""
    lines = text.splitlines()
    tokens = _parser().parse(text)
    headings = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            title = tokens[index + 1].content.strip()
            headings.append((int(token.tag[1:]), title, token.map[0], token.map[1]))
    found = []
    for position, (level, title, _, body_start) in enumerate(headings):
        end = len(lines)
        for later_level, _, later_start, _ in headings[position + 1 :]:
            if later_level <= level:
                end = later_start
                break
        found.append(Section(level, title, "\n".join(lines[body_start:end]).strip()))
    return found


def prose_words(text: str) -> int:
    """Words of running text (paragraphs and list items) in a piece of Markdown."""
    count = 0
    for token in _parser().parse(text):
        if token.type == "inline":
            count += len(re.findall(r"[A-Za-z]{2,}", token.content))
    return count


def image_targets(text: str) -> list[str]:
    """Local targets of images, of links to image files, and of HTML <img> tags."""
    targets: list[str] = []
    for token in _parser().parse(text):
        if token.type in ("html_block", "html_inline"):
            targets += _HTML_IMG.findall(token.content)
        for child in token.children or []:
            if child.type == "image":
                targets.append(str(child.attrs.get("src", "")))
            elif child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if href.split("#")[0].split("?")[0].lower().endswith(IMAGE_SUFFIXES):
                    targets.append(href)
            elif child.type == "html_inline":
                targets += _HTML_IMG.findall(child.content)
    local = []
    for target in targets:
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # http:, https:, data:, mailto: ...
        local.append(target.split("#")[0].split("?")[0])
    return [target for target in local if target]
