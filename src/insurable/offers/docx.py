"""The offer check and the comparison as editable Word files (python-docx), with the same content
as the Markdown report (:mod:`insurable.offers.report`) and the web page's PDF: the indicative label,
the side-by-side table, why this order, and per programme what it leaves uncovered and its checklist
with the clause each point rests on. Dutch or English.

python-docx loads lxml: import this module only when a DOCX is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from insurable.offers.check import CheckResult
from insurable.offers.compare import Comparison
from insurable.offers.model import Offer
from insurable.offers.report import (
    STATUS_LABELS,
    comparison_rows,
    evidence_text,
    label,
    liability_header,
    liability_rows,
    uncovered_lines,
)
from insurable.reports.docx import add_table, new_document, to_bytes
from insurable.text import Lang

__all__ = ["check_docx", "comparison_docx"]


def _checklist(doc: Any, results: Sequence[CheckResult], lang: Lang) -> None:
    add_table(
        doc,
        (label("point", lang), label("outcome", lang), label("meaning", lang), label("evidence", lang)),
        [
            (f"{r.point.get(lang)} ({r.rule})", STATUS_LABELS[r.status][lang], r.message.get(lang), evidence_text(r))
            for r in results
        ],
    )


def check_docx(checked: Sequence[tuple[Offer, Sequence[CheckResult]]], organisation: str, lang: Lang) -> bytes:
    """The checklist review of one or more offers for ``organisation`` as DOCX bytes."""
    doc = new_document(f"{label('check', lang)}: {organisation}", lang)
    doc.add_paragraph(label("indicative", lang))
    for offer, results in checked:
        doc.add_heading(f"{offer.insurer}, {offer.product} ({offer.id})", level=1)
        _checklist(doc, results, lang)
    return to_bytes(doc)


def comparison_docx(comparison: Comparison, lang: Lang) -> bytes:
    """The comparison of offers (:func:`insurable.offers.compare.compare_offers`) as DOCX bytes."""
    c = comparison
    doc = new_document(f"{label('compare', lang)}: {c.organisation}", lang)
    doc.add_paragraph(label("indicative", lang))
    doc.add_paragraph(label("seed", lang).format(trials=c.trials, seed=c.seed))
    rows = [(name, *cells) for name, cells in comparison_rows(c, lang)]
    table = add_table(doc, (label("programme", lang), *(r.programme for r in c.results)), rows, bold_first=True)
    total = label("total", lang)
    for row in table.rows:  # the total cost of risk in bold, as in the Markdown
        if row.cells[0].text == total:
            for cell in row.cells[1:]:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    doc.add_heading(label("why", lang), level=1)
    doc.add_paragraph(c.tail_charge.explanation.get(lang))
    for r in c.results:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(r.programme).bold = True
        para.add_run(f": {r.reason.get(lang)}")
    for r in c.results:
        doc.add_heading(f"{label('check', lang)}: {r.programme}", level=1)
        for line in uncovered_lines(r, lang):
            doc.add_paragraph(line, style="List Bullet")
        if r.liability:
            doc.add_heading(label("liability", lang), level=2)
            add_table(doc, liability_header(lang), liability_rows(r, lang))
        _checklist(doc, r.checklist, lang)
    return to_bytes(doc)
