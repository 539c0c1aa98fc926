"""What changed between two assessments of one organisation, as a renewal "year-over-year changes"
sheet shows it (issue 12, item 9): the answers that changed (question text, before, after), the
reasons (rules) that appeared or went away, and the terms and premium (the figures table).

Read from the two stored snapshots only: the input each was assessed on and its result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from insurable.catalog.loader import Catalog
from insurable.underwriting import Assessment
from insurable.web.i18n import Formatter, _, gettext


@dataclass
class AnswerChange:
    question: Any  # a bilingual text, or the id when the catalogue no longer has the question
    before: str
    after: str


@dataclass
class ReasonChange:
    rule_id: str
    text: Any
    kind: str  # "added" or "removed"


def answer_changes(
    left: Mapping[str, Any], right: Mapping[str, Any], catalog: Catalog, fmt: Formatter
) -> list[AnswerChange]:
    """Answers that differ between the two snapshot inputs, in questionnaire order."""
    la, ra = left.get("answers") or {}, right.get("answers") or {}
    questions = catalog.questionnaire.by_id()
    order = {q.id: i for i, q in enumerate(catalog.questionnaire.questions)}
    changed = sorted((k for k in set(la) | set(ra) if la.get(k) != ra.get(k)), key=lambda k: (order.get(k, 10**6), k))
    out = []
    for qid in changed:
        q = questions.get(qid)
        out.append(AnswerChange(q.text if q else qid, _shown(q, la.get(qid), fmt), _shown(q, ra.get(qid), fmt)))
    return out


def reason_changes(la: Assessment | None, ra: Assessment | None) -> list[ReasonChange]:
    """Rules that fired in one snapshot and not in the other (by rule id, never by wording)."""
    if la is None or ra is None:
        return []
    before = {r.rule_id: r for r in la.reasons() if not r.standard}
    after = {r.rule_id: r for r in ra.reasons() if not r.standard}
    added = [ReasonChange(k, after[k].text, "added") for k in after if k not in before]
    removed = [ReasonChange(k, before[k].text, "removed") for k in before if k not in after]
    return added + removed


def _shown(question: Any, value: Any, fmt: Formatter) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return gettext(fmt.lang, _("Yes") if value else _("No"))
    if question is not None and question.options:
        names = {o.id: fmt.text(o.text) for o in question.options}
        if isinstance(value, list):
            return ", ".join(names.get(v, str(v)) for v in value)
        return names.get(str(value), str(value))
    if isinstance(value, int | float):
        return (
            fmt.money(value)
            if question is not None and question.type == "money"
            else fmt.number(value, 0 if float(value).is_integer() else 2)
        )
    return str(value)
