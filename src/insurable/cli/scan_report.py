"""Rendering a scan for people (findings, contradictions, fixes) and the ``assess --scan`` glue.

Shared by ``insurable scan`` and ``insurable assess --scan``; the domain work (reconciliation, the
fix-path for findings) is in :mod:`insurable.evidence`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console

from insurable.catalog.exposure import ExposureFile
from insurable.catalog.loader import Catalog
from insurable.cli.app import guarded
from insurable.errors import InputError, Problem, problems_from_validation
from insurable.evidence import Reconciliation, ScanResult, reconcile

LABELS = {
    "consent": {"nl": "Toestemming", "en": "Consent"},
    "findings": {"nl": "Bevindingen", "en": "Findings"},
    "none": {"nl": "Geen bevindingen.", "en": "No findings."},
    "contradictions": {"nl": "Tegenstrijdig met uw antwoorden", "en": "Contradicting your answers"},
    "declared": {"nl": "U antwoordde", "en": "You answered"},
    "observed": {"nl": "de scan zag", "en": "the scan saw"},
    "fixes": {"nl": "Wat het sluiten van elke bevinding oplevert", "en": "What closing each finding changes"},
    "new": {"nl": "Nieuw", "en": "New"},
    "resolved": {"nl": "Opgelost", "en": "Resolved"},
    "not_rechecked": {"nl": "Niet opnieuw gecontroleerd", "en": "Not checked again"},
    "unchanged": {"nl": "Ongewijzigd", "en": "Unchanged"},
    "indicative": {
        "nl": "Indicatief: een momentopname van buitenaf; docs/scanner.md zegt wat elke controle wel en niet bewijst.",
        "en": "Indicative: a snapshot from the outside; docs/scanner.md says what each check does and does not prove.",
    },
}


def exposure_of(catalog: Catalog) -> ExposureFile:
    return guarded(lambda: catalog.get("exposure.yaml", ExposureFile))


def read_scan(path: Path) -> ScanResult:
    """Read a saved scan (``--out``); raise InputError naming the file and every problem."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem("", "file not found", str(path))]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem("", f"not a readable JSON scan result: {exc}", str(path))]) from None
    try:
        return ScanResult.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, file=str(path))) from None


def render_scan(out: Console, result: ScanResult, rec: Reconciliation, exposure: ExposureFile, lang: str) -> None:
    """Consent, findings (worst first) and contradictions as Rich tables."""
    out.print(f"[bold]{LABELS['consent'][lang]}[/]")
    for c in result.consent:
        by = f" by {c.by}" if c.by else ""
        out.print(f"  {c.target}: {c.method}{by} at {c.at:%Y-%m-%d %H:%M:%S}Z", markup=False)
    render_findings(out, result, exposure, lang)
    render_contradictions(out, rec, exposure, lang)
    out.print(f"{LABELS['indicative'][lang]} {result.kev_catalogue}. User agent: {result.user_agent}", markup=False)


def render_findings(out: Console, result: ScanResult, exposure: ExposureFile, lang: str) -> None:
    from insurable.catalog.exposure import SEVERITY_ORDER

    checks = exposure.by_id()
    out.print(f"[bold]{LABELS['findings'][lang]}[/]")
    shown = [
        f for f in result.findings if f.check in checks and (f.value is True or f.value in checks[f.check].bad_values)
    ]
    if not shown:
        out.print(f"  {LABELS['none'][lang]}")
        return
    shown.sort(key=lambda f: (-SEVERITY_ORDER.index(checks[f.check].severity), f.check, f.target))
    for f in shown:
        check = checks[f.check]
        detail = " ".join(filter(None, [f.detail, ", ".join(f.cves)]))
        line = f"  [{check.severity}] {check.name.get(text_lang(lang))} ({f.check}) {f.target}"
        out.print(f"{line}: {detail}" if detail else line, markup=False)


def render_contradictions(out: Console, rec: Reconciliation, exposure: ExposureFile, lang: str) -> None:
    if not rec.contradictions:
        return
    checks = exposure.by_id()
    out.print(f"[bold red]{LABELS['contradictions'][lang]}[/]")
    for c in rec.contradictions:
        check = checks[c.check]
        out.print(
            f"  [{c.severity}] {c.question}: {LABELS['declared'][lang]} {json.dumps(c.declared)}; "
            f"{LABELS['observed'][lang]} {json.dumps(c.observed)} ({c.check}: {', '.join(c.targets)}). "
            f"{c.text.get(text_lang(lang))} {check.fix.get(text_lang(lang))}",
            markup=False,
        )


def text_lang(lang: str) -> Any:
    return "nl" if lang == "nl" else "en"


def scan_evidence(path: Path, catalog: Catalog) -> dict[str, bool | str]:
    """For ``assess --scan``: the saved scan's findings as facts for the engine (exit 2 on a bad file)."""
    from insurable.evidence import finding_values

    return finding_values(guarded(lambda: read_scan(path)), exposure_of(catalog))


def _scan_parts(path: Path, org: Any, catalog: Catalog, assessment: Any) -> tuple[ScanResult, Reconciliation, Any]:
    from insurable.evidence import finding_fixes, finding_values

    exposure = exposure_of(catalog)
    result = guarded(lambda: read_scan(path))
    rec = reconcile(org.answers, result, exposure)
    fixes = guarded(lambda: finding_fixes(org, catalog, finding_values(result, exposure), result, assessment))
    return result, rec, fixes


def scan_payload(path: Path, org: Any, catalog: Catalog, assessment: Any) -> dict[str, Any]:
    """Findings, contradictions and the fix-path for findings, as JSON beside the assessment."""
    result, rec, fixes = _scan_parts(path, org, catalog, assessment)
    return {
        "file": str(path),
        "organisation": result.organisation,
        "finished": result.finished.isoformat(),
        "findings": [f.model_dump(mode="json") for f in result.findings],
        "contradictions": [c.model_dump(mode="json") for c in rec.contradictions],
        "evidenced": {q: list(ids) for q, ids in rec.evidenced.items()},
        "fixes": [f.model_dump(mode="json") for f in fixes],
    }


def findings_of(path: Path, org: Any, catalog: Catalog) -> Any:
    """For ``assess --scan`` in Markdown and text: the report's findings section (issue 16)."""
    from insurable.reports.findings import findings_section

    result = guarded(lambda: read_scan(path))
    return findings_section(result, org.answers, catalog, exposure_of(catalog))


def print_scan_section(path: Path, org: Any, catalog: Catalog, assessment: Any, lang: str) -> None:
    """What closing each finding changes, after the report (whose findings section shows the rest)."""
    result, _rec, fixes = _scan_parts(path, org, catalog, assessment)
    out = Console(highlight=False, soft_wrap=True)
    if fixes:
        out.print(f"[bold]{LABELS['fixes'][lang]}[/]")
    for fix in fixes:
        premium = ""
        if fix.premium_before_eur is not None and fix.premium_after_eur is not None:
            premium = f", EUR {fix.premium_before_eur:,.0f} -> {fix.premium_after_eur:,.0f}"
        out.print(
            f"  {fix.check} ({', '.join(fix.targets)}): {fix.verdict_before} -> {fix.verdict_after}{premium}; "
            f"lifts {', '.join(fix.rules_lifted)}. {fix.fix.get(text_lang(lang))}",
            markup=False,
        )
