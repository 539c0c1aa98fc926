"""Shared building blocks for the editable Word reports (python-docx): the board report
(:mod:`insurable.web.docx_report`) and the offer check and comparison (:mod:`insurable.offers.docx`).

Real headings, lists and tables (no images of text), so a document stays editable and navigable.
python-docx loads lxml: import this module only when a DOCX is asked for.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document

__all__ = ["add_table", "new_document", "to_bytes"]


def new_document(title: str, lang: str) -> Any:
    """An empty document with its title (core properties and the level-0 heading) and language."""
    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.language = lang
    doc.add_heading(title, level=0)
    return doc


def add_table(
    doc: Any, header: Sequence[str] | None, rows: Sequence[Sequence[str]], *, bold_first: bool = False
) -> Any:
    """A grid table with an optional bold header row (and, with ``bold_first``, a bold first
    column, for tables read by row), followed by an empty paragraph."""
    width = len(header) if header else len(rows[0]) if rows else 2
    table = doc.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            cell.paragraphs[0].add_run(str(text)).bold = True
    for row in rows:
        for i, (cell, text) in enumerate(zip(table.add_row().cells, row, strict=True)):
            if bold_first and i == 0:
                cell.paragraphs[0].add_run(str(text)).bold = True
            else:
                cell.text = str(text)
    doc.add_paragraph()
    return table


def to_bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
