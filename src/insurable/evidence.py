"""Observed evidence beside declared answers, and their reconciliation (pure, no I/O).

A scan (:mod:`insurable.scanner`, the adapter) produces a :class:`ScanResult`: the checks it ran
and the findings it made, each naming an exposure check of ``exposure.yaml``. Here it becomes:

- **facts** for the underwriting engine (:func:`finding_values`): check id -> observed value, read
  by the ``finding`` predicate of rule conditions just as ``q`` reads an answer;
- **reconciliation** (:func:`reconcile`): each finding mapped to the questions it evidences, and
  every contradiction between what was observed and what was answered, with both values and the
  check's severity;
- **the fix-path for findings** (:func:`finding_fixes`): the engine re-run with each observed
  finding closed, so closing what the scan saw is ranked by its effect like any control.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import Field

from insurable.catalog.exposure import SEVERITY_ORDER, ExposureFile, Severity
from insurable.catalog.header import Frozen
from insurable.conditions import evaluate
from insurable.text import Text

if TYPE_CHECKING:
    from insurable.catalog.guideline import GuidelineFile
    from insurable.catalog.loader import Catalog
    from insurable.profile import Organisation
    from insurable.underwriting.model import Assessment


class Finding(Frozen):
    """One observation: a check that found something on a target."""

    check: str = Field(description="exposure check id, e.g. exp.rdp_exposed")
    target: str = Field(description="host, host:port or domain the observation is about")
    value: bool | str = Field(default=True, description="observed value: true, or the option of a choice check")
    detail: str = Field(default="", description="what was seen: banner, version, record, error")
    cves: tuple[str, ...] = ()


class Consent(Frozen):
    """How the owner's consent to scan each target was established."""

    target: str
    method: str = Field(description="dns-txt, well-known, attestation")
    by: str | None = Field(default=None, description="attesting user (attestation)")
    at: dt.datetime


class ScanResult(Frozen):
    """A saved scan: what ran, against what, with which consent, and what it found."""

    format: str = "insurable.scan/1"
    organisation: str
    started: dt.datetime
    finished: dt.datetime
    user_agent: str
    consent: tuple[Consent, ...] = ()
    targets: tuple[str, ...] = ()
    checks_run: tuple[str, ...] = Field(default=(), description="check ids that ran (absent findings mean not seen)")
    findings: tuple[Finding, ...] = ()
    open_ports: dict[str, tuple[int, ...]] = Field(default_factory=dict)
    kev_catalogue: str = Field(default="", description="version of the KEV copy the versions were matched against")


class ContradictionOut(Frozen):
    check: str
    severity: Severity
    question: str
    declared: Any
    observed: Any
    targets: tuple[str, ...]
    text: Text


class Reconciliation(Frozen):
    """Findings mapped to questions, and the contradictions with the answers."""

    evidenced: dict[str, tuple[str, ...]] = Field(description="question id -> check ids that observed it")
    contradictions: tuple[ContradictionOut, ...]


def finding_values(scan: ScanResult, exposure: ExposureFile) -> dict[str, bool | str]:
    """Check id -> observed value over all targets, for checks that ran.

    A yes/no check is true when any target showed it and false when it ran and nothing showed it.
    A choice check takes the worst observed value (the ``values`` list runs best to worst).
    """
    checks = exposure.by_id()
    values: dict[str, bool | str] = {}
    for check_id in scan.checks_run:
        check = checks.get(check_id)
        if check is not None and not check.values:
            values[check_id] = False
    for finding in scan.findings:
        check = checks.get(finding.check)
        if check is None:
            continue
        if check.values:
            current = values.get(finding.check)
            order = list(check.values)
            if not isinstance(current, str) or (
                isinstance(finding.value, str) and order.index(finding.value) > order.index(current)
            ):
                values[finding.check] = finding.value
        else:
            values[finding.check] = True
    return values


def reconcile(answers: dict[str, Any], scan: ScanResult, exposure: ExposureFile) -> Reconciliation:
    """Map findings to questions and list every contradiction with the declared answers."""
    values = finding_values(scan, exposure)
    evidenced: dict[str, list[str]] = {}
    contradictions: list[ContradictionOut] = []
    for check in exposure.checks:
        if check.id not in values:
            continue
        observed_value = values[check.id]
        if observed_value is True or (check.values and observed_value in check.bad_values):
            for qid in check.questions:
                evidenced.setdefault(qid, []).append(check.id)
        for contra in check.contradicts:
            seen = evaluate(contra.observed, answers, _no_profile, values)
            said = evaluate(contra.declared, answers, _no_profile, values)
            if not (seen.value and said.value):
                continue
            for fact in said.facts:
                contradictions.append(
                    ContradictionOut(
                        check=check.id,
                        severity=check.severity,
                        question=fact.id,
                        declared=fact.value,
                        observed=observed_value,
                        targets=tuple(
                            sorted(
                                {f.target for f in scan.findings if f.check == check.id and f.value == observed_value}
                            )
                        ),
                        text=contra.text,
                    )
                )
    contradictions.sort(key=lambda c: (-SEVERITY_ORDER.index(c.severity), c.check))
    return Reconciliation(
        evidenced={q: tuple(sorted(ids)) for q, ids in sorted(evidenced.items())},
        contradictions=tuple(contradictions),
    )


def _no_profile(_name: str) -> Any:
    return None


class FindingFix(Frozen):
    """What closing one observed finding changes: the same engine re-run with the finding closed."""

    check: str
    severity: Severity
    fix: Text
    targets: tuple[str, ...]
    rules_lifted: tuple[str, ...]
    verdict_before: str
    verdict_after: str
    premium_before_eur: float | None
    premium_after_eur: float | None


def finding_fixes(
    org: Organisation,
    catalog: Catalog,
    evidence: Mapping[str, bool | str],
    scan: ScanResult,
    before: Assessment,
    guideline: GuidelineFile | None = None,
) -> tuple[FindingFix, ...]:
    """The fix-path for observed findings: for each finding a fired rule read, close it and re-assess.

    Closing means the check ran and saw nothing (a yes/no check becomes false, a choice check its
    best value). Like the improvement plan, nothing is estimated separately: the engine decides.
    Ranked by verdict gain, then premium saving.
    """
    from insurable.underwriting.engine import assess
    from insurable.underwriting.model import VERDICT_ORDER

    exposure = catalog.get("exposure.yaml", ExposureFile)
    checks = exposure.by_id()
    read = sorted({f.id for r in before.reasons() for f in r.facts if f.kind == "finding" and f.id in checks})
    required = frozenset(c.control_id for c in before.controls if c.legally_required)
    fixes: list[FindingFix] = []
    for check_id in read:
        check = checks[check_id]
        closed = dict(evidence)
        closed[check_id] = check.values[0] if check.values else False
        after = assess(
            org,
            catalog,
            guideline=guideline,
            legally_required=required,
            nis2=before.nis2 or {},
            evidence=closed,
        )
        lifted = {r.rule_id for r in before.reasons()} - {r.rule_id for r in after.reasons()}
        if not lifted:
            continue
        fixes.append(
            FindingFix(
                check=check_id,
                severity=check.severity,
                fix=check.fix,
                targets=tuple(sorted({f.target for f in scan.findings if f.check == check_id})),
                rules_lifted=tuple(sorted(lifted)),
                verdict_before=before.verdict,
                verdict_after=after.verdict,
                premium_before_eur=before.premium.point_eur if before.premium else None,
                premium_after_eur=after.premium.point_eur if after.premium else None,
            )
        )
    fixes.sort(
        key=lambda f: (
            VERDICT_ORDER.index(f.verdict_after) - VERDICT_ORDER.index(f.verdict_before),
            (f.premium_after_eur or 0.0) - (f.premium_before_eur or 0.0),
            f.check,
        )
    )
    return tuple(fixes)


class ScanDiff(Frozen):
    """What changed between two scans of the same organisation (the service's re-scan history uses it)."""

    before: dt.datetime
    after: dt.datetime
    new: tuple[Finding, ...] = Field(description="seen now, not before")
    resolved: tuple[Finding, ...] = Field(description="seen before, not now, where the check ran again")
    unchanged: tuple[Finding, ...]
    not_rechecked: tuple[Finding, ...] = Field(description="seen before; the check did not run this time")


def diff_scans(before: ScanResult, after: ScanResult) -> ScanDiff:
    """Compare two scans finding by finding (check, target and value; details may differ)."""

    def key(f: Finding) -> tuple[str, str, str]:
        return (f.check, f.target, str(f.value))

    old = {key(f): f for f in before.findings}
    new = {key(f): f for f in after.findings}
    gone = [f for k, f in old.items() if k not in new]
    return ScanDiff(
        before=before.started,
        after=after.started,
        new=tuple(f for k, f in new.items() if k not in old),
        resolved=tuple(f for f in gone if f.check in after.checks_run or f.check not in before.checks_run),
        unchanged=tuple(f for k, f in new.items() if k in old),
        not_rechecked=tuple(f for f in gone if f.check in before.checks_run and f.check not in after.checks_run),
    )
