"""Plain text of an assessment for a terminal or a pipe: the Markdown report laid out as wrapped
lines at a given width, tables turned into lists, no trailing spaces and nothing cut off.

It reads the Markdown that :func:`insurable.reports.assessment_md.render_markdown` writes (a known
subset: headings, quotes, bullets, numbered items, tables, whole-line emphasis), so the text and the
Markdown report always say the same thing.
"""

from __future__ import annotations

import re
import textwrap

from insurable.reports.assessment_md import render_markdown
from insurable.reports.findings import FindingsSection
from insurable.text import Lang
from insurable.underwriting.model import Assessment

_NUMBERED = re.compile(r"^(\d+)\. ")


def _plain(text: str) -> str:
    """Drop inline Markdown markup (bold, code) but keep ids with underscores intact."""
    text = text.replace("**", "").replace("`", "")
    if len(text) > 2 and text.startswith("_") and text.endswith("_"):
        text = text[1:-1]
    return text.rstrip()


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    wrapper = textwrap.TextWrapper(
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.rstrip() for line in wrapper.wrap(_plain(text))] or [first.rstrip()]


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _table(rows: list[str], width: int) -> list[str]:
    """A Markdown table as a list: one item per row, one ``label: value`` line per cell."""
    header = _cells(rows[0])
    out: list[str] = []
    for row in rows[2:]:
        cells = _cells(row)
        numbered = header[0] == "#"
        if numbered:
            out += _wrap(f"{cells[0]}. {cells[1]}", width, "", "   ")
            pairs = list(zip(header[2:], cells[2:], strict=False))
            indent = "   "
        else:
            out += _wrap(f"{header[0]}: {cells[0]}", width, "- ", "  ")
            pairs = list(zip(header[1:], cells[1:], strict=False))
            indent = "  "
        for name, value in pairs:
            out += _wrap(f"{name}: {value}", width, indent, indent + "  ")
        out.append("")
    return out


def markdown_to_text(markdown: str, width: int = 80) -> str:
    """Lay out the report's Markdown as plain text of at most ``width`` columns where words allow."""
    width = max(width, 40)
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append(lines[i])
                i += 1
            out += _table(block, width)
            continue
        if line.startswith("# "):
            title = _wrap(line[2:], width)
            out += [*title, "=" * min(width, max(len(t) for t in title))]
        elif line.startswith("## "):
            title = _wrap(line[3:], width)
            out += [*title, "-" * min(width, max(len(t) for t in title))]
        elif line.startswith("### "):
            out += _wrap(line[4:] + ":", width)
        elif line.startswith("> "):
            out += _wrap(line[2:], width)
        elif line.startswith("- "):
            out += _wrap(line[2:], width, "- ", "  ")
        elif line.startswith("  ") and line.strip():
            out += _wrap(line.strip(), width, "  ", "  ")
        elif match := _NUMBERED.match(line):
            pad = " " * len(match.group(0))
            out += _wrap(line, width, "", pad)
        elif line.strip():
            out += _wrap(line, width)
        else:
            out.append("")
        i += 1
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def render_text(a: Assessment, lang: Lang = "en", width: int = 80, findings: FindingsSection | None = None) -> str:
    """The whole assessment as plain text at ``width`` columns (with the scan's ``findings`` section)."""
    return markdown_to_text(render_markdown(a, lang, findings), width)
