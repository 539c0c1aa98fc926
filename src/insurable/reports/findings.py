"""The findings section of the reports (issue 16): what an outside-in scan saw, and where it
contradicts the answers, in every format (web page, HTML/PDF board report, Markdown, text, JSON).

:func:`findings_section` is pure: a saved scan, the answers and the catalogue in; the findings
(worst first, only what counts as a problem) and the contradictions (both values and the check's
severity) out. The renderers here write it as Markdown; the web templates read the same model.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from pydantic import Field

from insurable.catalog.exposure import SEVERITY_ORDER, ExposureFile, Severity
from insurable.catalog.header import Frozen
from insurable.catalog.loader import Catalog
from insurable.evidence import Consent, ScanResult, reconcile
from insurable.text import Lang, Text

LABELS: dict[str, Text] = {
    "title": Text(nl="Scan van buitenaf", en="Outside-in scan"),
    "scan_of": Text(nl="Scan %(id)s van %(when)s", en="Scan %(id)s of %(when)s"),
    "used": Text(
        nl="Deze beoordeling gebruikte de bevindingen als feiten.",
        en="This assessment used its findings as facts.",
    ),
    "not_used": Text(
        nl="De laatste scan; deze beoordeling gebruikte hem niet (hij kwam later).",
        en="The latest scan; this assessment did not use it (it came later).",
    ),
    "findings": Text(nl="Bevindingen", en="Findings"),
    "none": Text(nl="Geen bevindingen.", en="No findings."),
    "contradictions": Text(nl="Tegenstrijdig met uw antwoorden", en="Contradicting your answers"),
    "severity": Text(nl="Ernst", en="Severity"),
    "check": Text(nl="Controle", en="Check"),
    "target": Text(nl="Doel", en="Target"),
    "seen": Text(nl="Gezien", en="Seen"),
    "fix": Text(nl="Oplossing", en="Fix"),
    "question": Text(nl="Vraag", en="Question"),
    "declared": Text(nl="Geantwoord", en="Answered"),
    "observed": Text(nl="Gezien door de scan", en="Observed by the scan"),
    "hash": Text(nl="Inhoudshash", en="Content hash"),
    "indicative": Text(
        nl="Indicatief: een momentopname van buitenaf; docs/scanner.md zegt wat elke controle wel en niet bewijst.",
        en="Indicative: a snapshot from the outside; docs/scanner.md says what each check does and does not prove.",
    ),
    "yes": Text(nl="ja", en="yes"),
    "no": Text(nl="nee", en="no"),
}

SEVERITY_TEXT: dict[str, Text] = {
    "critical": Text(nl="kritiek", en="critical"),
    "high": Text(nl="hoog", en="high"),
    "medium": Text(nl="middel", en="medium"),
    "low": Text(nl="laag", en="low"),
    "info": Text(nl="info", en="info"),
}


class FindingRow(Frozen):
    check: str
    name: Text
    severity: Severity
    target: str
    detail: str = ""
    cves: tuple[str, ...] = ()
    fix: Text


class ContradictionRow(Frozen):
    check: str
    severity: Severity
    question: str
    question_text: Text | None = None
    declared: Any
    observed: Any
    targets: tuple[str, ...]
    text: Text
    fix: Text


class FindingsSection(Frozen):
    """One scan as a report section: which scan, whether the assessment used it, what it saw."""

    scan_id: int | None = None
    source: str = ""
    started: dt.datetime
    finished: dt.datetime
    content_hash: str = ""
    kev_catalogue: str = ""
    used: bool = Field(default=True, description="the assessment took these findings as facts")
    consent: tuple[Consent, ...] = ()
    targets: tuple[str, ...] = ()
    findings: tuple[FindingRow, ...] = ()
    contradictions: tuple[ContradictionRow, ...] = ()


def findings_section(
    result: ScanResult,
    answers: dict[str, Any],
    catalog: Catalog,
    exposure: ExposureFile,
    *,
    scan_id: int | None = None,
    source: str = "",
    content_hash: str = "",
    used: bool = True,
) -> FindingsSection:
    """The scan's problem findings (worst first) and its contradictions with ``answers``."""
    checks = exposure.by_id()
    questions = catalog.questionnaire.by_id() if "questionnaire.yaml" in catalog.files else {}
    rows = [
        FindingRow(
            check=f.check,
            name=checks[f.check].name,
            severity=checks[f.check].severity,
            target=f.target,
            detail=f.detail,
            cves=f.cves,
            fix=checks[f.check].fix,
        )
        for f in result.findings
        if f.check in checks and (f.value is True or f.value in checks[f.check].bad_values)
    ]
    rows.sort(key=lambda r: (-SEVERITY_ORDER.index(r.severity), r.check, r.target))
    rec = reconcile(answers, result, exposure)
    contradictions = [
        ContradictionRow(
            check=c.check,
            severity=c.severity,
            question=c.question,
            question_text=questions[c.question].text if c.question in questions else None,
            declared=c.declared,
            observed=c.observed,
            targets=c.targets,
            text=c.text,
            fix=checks[c.check].fix,
        )
        for c in rec.contradictions
    ]
    return FindingsSection(
        scan_id=scan_id,
        source=source,
        started=result.started,
        finished=result.finished,
        content_hash=content_hash,
        kev_catalogue=result.kev_catalogue,
        used=used,
        consent=result.consent,
        targets=result.targets,
        findings=tuple(rows),
        contradictions=tuple(contradictions),
    )


def shown(value: Any, lang: Lang) -> str:
    """A declared or observed value for people: yes/no, else the value as written."""
    if value is True:
        return LABELS["yes"].get(lang)
    if value is False:
        return LABELS["no"].get(lang)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _plain(text: str) -> str:
    return text


def _code(text: str) -> str:
    return f"`{text}`"


def heading(section: FindingsSection, lang: Lang, code: Callable[[str], str] = _plain) -> str:
    """Which scan, when, whether the assessment used it, and its content hash: one sentence."""
    label = {k: v.get(lang) for k, v in LABELS.items()}
    when = section.finished.strftime("%Y-%m-%d %H:%M UTC")
    head = label["scan_of"] % {"id": section.scan_id if section.scan_id is not None else "", "when": when}
    line = f"{head.replace('  ', ' ')}. {label['used' if section.used else 'not_used']}"
    if section.content_hash:
        line += f" {label['hash']}: {code(section.content_hash[:16])}."
    return line


def finding_table(
    section: FindingsSection, lang: Lang, code: Callable[[str], str] = _plain
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The findings as a header and rows of text (Markdown and Word write the same table; ``code``
    marks ids, e.g. as Markdown code spans)."""
    label = {k: v.get(lang) for k, v in LABELS.items()}
    header: tuple[str, ...] = (label["severity"], label["check"], label["target"], label["seen"], label["fix"])
    rows: list[tuple[str, ...]] = [
        (
            SEVERITY_TEXT[f.severity].get(lang),
            f"{f.name.get(lang)} ({code(f.check)})",
            f.target,
            " ".join(filter(None, [f.detail, ", ".join(f.cves)])),
            f.fix.get(lang),
        )
        for f in section.findings
    ]
    return header, rows


def contradiction_table(
    section: FindingsSection, lang: Lang, code: Callable[[str], str] = _plain
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The contradictions, both values side by side, as a header and rows of plain text."""
    label = {k: v.get(lang) for k, v in LABELS.items()}
    header: tuple[str, ...] = (label["severity"], label["question"], label["declared"], label["observed"], "")
    rows: list[tuple[str, ...]] = [
        (
            SEVERITY_TEXT[c.severity].get(lang),
            f"{c.question_text.get(lang)} ({code(c.question)})" if c.question_text else code(c.question),
            shown(c.declared, lang),
            f"{shown(c.observed, lang)} ({', '.join(c.targets)})",
            c.text.get(lang),
        )
        for c in section.contradictions
    ]
    return header, rows


def _markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def section_markdown(section: FindingsSection, lang: Lang) -> list[str]:
    """The section as Markdown lines (appended to the assessment's Markdown and text reports)."""
    label = {k: v.get(lang) for k, v in LABELS.items()}
    lines = [f"## {label['title']}", "", heading(section, lang, _code)]
    lines += ["", f"### {label['findings']}", ""]
    if not section.findings:
        lines += [label["none"], ""]
    else:
        lines += _markdown_table(*finding_table(section, lang, _code))
    if section.contradictions:
        lines += [f"### {label['contradictions']}", ""]
        lines += _markdown_table(*contradiction_table(section, lang, _code))
    lines += [f"_{label['indicative']}_", ""]
    return lines
