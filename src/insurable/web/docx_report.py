"""The board report as an editable Word file (python-docx), with the same content as the PDF.

Users of GRC tools ask for Word exports so they can add their own remarks before a board meeting
(issue 12). Real headings, lists and tables (no images of text), so the document stays editable and
navigable; the first page is the executive summary, as in the PDF.
"""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_BREAK

from insurable.reports.docx import add_table as _table
from insurable.reports.docx import new_document
from insurable.reports.docx import to_bytes as _bytes
from insurable.text import Lang
from insurable.web.glossary import TERMS
from insurable.web.i18n import Formatter, gettext
from insurable.web.labels import NIS2_CLASSES, VERDICTS


def build_docx(values: dict[str, Any], lang: Lang) -> bytes:
    """The report of one assessment snapshot (``values`` from ``results.report_context``) as DOCX bytes."""
    fmt = Formatter(lang)

    def t(msgid: str, **params: Any) -> str:
        text = gettext(lang, msgid)
        return text % params if params else text

    a, org, row, summary = values["a"], values["org"], values["row"], values.get("summary")
    doc = new_document(f"{t('Cyber insurability report')}: {org.name}", lang)
    doc.add_paragraph(t("Indicative: derived from public sources and the chosen guideline; not an insurer's offer."))
    when = fmt.datetime(row.submitted_at)
    doc.add_paragraph(t("Assessment %(id)s of %(org)s, submitted on %(when)s.", id=row.id, org=org.name, when=when))
    verdict = t(VERDICTS.get(row.verdict, row.verdict))
    doc.add_heading(f"{t('In short')}: {verdict}", level=1)
    if summary is not None:
        doc.add_paragraph(f"{t(summary.meaning)} {t(summary.next)}")
        if summary.steps:
            doc.add_heading(t("The three steps that help most"), level=2)
            for st in summary.steps:
                doc.add_paragraph(f"{fmt.text(st.name)}: {_effect(st, t, fmt)}", style="List Number")
        if summary.nis2_class:
            line = f"{t('NIS2')}: {t(NIS2_CLASSES.get(summary.nis2_class, summary.nis2_class))}."
            duty = summary.nis2_first_duty
            if duty is not None:
                first = t("Your first duty: %(duty)s (%(article)s).", duty=fmt.text(duty.title), article=duty.article)
                line += " " + first
            doc.add_paragraph(line)
        if summary.premium_vs_loss is not None:
            doc.add_paragraph(summary.premium_vs_loss.render(lang))
    if a is not None:
        rows: list[tuple[str, ...]] = [
            (t("Indicative annual premium"), fmt.money(a.premium.point_eur) if a.premium else t("none (declined)")),
            (t("Deductible"), fmt.money(a.deductible_eur)),
            (t("Limit offered"), fmt.money(a.limit_offered_eur)),
        ]
        if a.loss:
            rows += [
                (t("Expected annual loss"), fmt.money(a.loss.get("mean_annual_loss"))),
                (t("1-in-100-year annual loss"), fmt.money(a.loss.get("loss_1_in_100"))),
            ]
        _table(doc, None, rows)
        doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        _detail(doc, a, values, t, fmt)
    return _bytes(doc)


def _effect(st: Any, t: Any, fmt: Formatter) -> str:
    parts = []
    if st.verdict_after != st.verdict_before:
        parts.append(t("the verdict becomes %(v)s", v=t(VERDICTS.get(st.verdict_after, st.verdict_after))))
    if st.value_eur > 0:
        parts.append(t("worth about %(v)s a year", v=fmt.money(st.value_eur)))
    return "; ".join(parts) or t("needed for the next step")


def _detail(doc: Any, a: Any, values: dict[str, Any], t: Any, fmt: Formatter) -> None:
    if a.path:
        doc.add_heading(t("Fix-path: step by step"), level=1)
        for st in a.path:
            doc.add_heading(f"{t('Step %(n)s', n=st.step)}: {fmt.text(st.name)}", level=2)
            doc.add_paragraph(fmt.text(st.remediation))
            doc.add_paragraph(_effect(st, t, fmt))
    doc.add_heading(t("Exclusions and conditions"), level=1)
    for title, items in (
        (t("Exclusions"), a.exclusions),
        (t("Sublimits"), a.sublimits),
        (t("Conditions to meet (subjectivities)"), a.subjectivities),
        (t("Raised deductible"), a.deductible_rules),
        (t("Capped capacity"), a.capacity_rules),
    ):
        if items:
            doc.add_heading(title, level=2)
            for r in items:
                extra = f" {fmt.money(r.amount_eur)}" if r.amount_eur is not None else ""
                days = f" ({t('within %(n)s days', n=r.days)})" if r.days is not None else ""
                doc.add_paragraph(f"{fmt.text(r.text)}{extra}{days}", style="List Bullet")
    if a.nis2:
        n = a.nis2
        doc.add_heading(t("NIS2 (Cyberbeveiligingswet)"), level=1)
        doc.add_paragraph(t(NIS2_CLASSES.get(n.get("classification"), str(n.get("classification")))))
        duties = values.get("duties") or {}
        for d in n.get("duties") or ():
            duty = duties.get(d)
            doc.add_paragraph(f"{duty.article} {fmt.text(duty.title)}" if duty else d, style="List Bullet")
    if values.get("scan_section") is not None:
        _findings(doc, values["scan_section"], fmt.lang)
    doc.add_heading(t("For your broker: the rules behind this verdict"), level=1)
    _table(
        doc,
        (t("Rule"), t("What it says"), t("Sources")),
        [(r.rule_id, fmt.text(r.text), ", ".join(s.id for s in r.sources)) for r in a.reasons()],
    )
    doc.add_heading(t("Words used in this report"), level=1)
    for word, meaning in TERMS.values():
        para = doc.add_paragraph()
        para.add_run(t(word)).bold = True
        para.add_run(f": {t(meaning)}")


def _findings(doc: Any, section: Any, lang: Lang) -> None:
    """The outside-in scan's findings and contradictions: the same tables as the PDF and Markdown."""
    from insurable.reports import findings as fs

    label = {k: v.get(lang) for k, v in fs.LABELS.items()}
    doc.add_heading(label["title"], level=1)
    doc.add_paragraph(fs.heading(section, lang))
    doc.add_heading(label["findings"], level=2)
    header, rows = fs.finding_table(section, lang)
    if rows:
        _table(doc, header, rows)
    else:
        doc.add_paragraph(label["none"])
    if section.contradictions:
        doc.add_heading(label["contradictions"], level=2)
        header, rows = fs.contradiction_table(section, lang)
        _table(doc, header, rows)
    doc.add_paragraph(label["indicative"])
