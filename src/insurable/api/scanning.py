"""Scans in the service (issue 16): upload a scan file, run a scan, use the latest as evidence.

The use cases the API routes (:mod:`insurable.api.routes.scans`) and the web pages
(:mod:`insurable.web.scans`) share. A scan run by the service passes the same consent gate as the
CLI (:func:`insurable.scanner.consent.authorise`): only the profile's declared ``scan_targets``,
each proven by its DNS TXT or ``/.well-known/`` token or attested by the logged-in user (recorded
with the user's e-mail and the time). The gate is checked in the request, so a refusal answers at
once naming every target; the scan itself then runs after the response (a background task, outside
the request's transaction) and finishes its row as ``done``, ``refused`` or ``failed``. A network
error is never a 500: timeouts are findings, and anything else ends the scan as ``failed``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from insurable.api.problems import ApiProblem
from insurable.catalog.exposure import ExposureFile
from insurable.catalog.loader import Catalog, default_directory, load_catalog
from insurable.errors import InputError, Problem, problems_from_validation
from insurable.evidence import ScanResult, finding_values
from insurable.profile import Organisation as Profile
from insurable.profile import parse_organisation
from insurable.store import scans as scan_repo
from insurable.store.models import Organisation, User
from insurable.store.scan_models import StoredScan

#: A queued scan older than this is taken to have died with its process (it no longer blocks new ones).
STALE_AFTER = dt.timedelta(minutes=30)
MAX_TARGETS = 64


@cache
def _packaged_exposure() -> ExposureFile:
    return load_catalog(default_directory()).get("exposure.yaml", ExposureFile)


def exposure_of(catalog: Catalog) -> ExposureFile:
    """The catalogue's exposure checks, or the packaged ones when the catalogue has none."""
    if "exposure.yaml" in catalog.files:
        return catalog.get("exposure.yaml", ExposureFile)
    return _packaged_exposure()


def parsed_result(row: StoredScan) -> ScanResult | None:
    """The stored scan as a :class:`ScanResult` (``None`` for a scan without a result)."""
    if row.result is None:
        return None
    try:
        return ScanResult.model_validate(row.result)
    except ValidationError:
        return None


def declared_profile(org: Organisation) -> Profile:
    """The organisation's stored profile with ``scan_targets`` (answers are not needed to scan)."""
    return parse_organisation(dict(org.profile))


def _declared(profile: Profile) -> tuple[set[str], list[Any]]:
    import ipaddress

    targets = profile.scan_targets
    domains = {d.lower().rstrip(".") for d in (targets.domains if targets else ())}
    ranges = [ipaddress.ip_network(r, strict=False) for r in (targets.ip_ranges if targets else ())]
    return domains, ranges


def _covered(target: str, domains: set[str], ranges: list[Any]) -> bool:
    import ipaddress

    name = target.lower().rstrip(".")
    if name in domains:
        return True
    try:
        net = ipaddress.ip_network(name, strict=False)
    except ValueError:
        return False
    return any(net.subnet_of(r) for r in ranges if r.version == net.version)


def validate_upload(data: Any, org: Organisation, catalog: Catalog, max_bytes: int) -> tuple[ScanResult, str]:
    """A scan file as the CLI writes it, checked against its schema, the catalogue and the profile.

    Every problem is reported at once (:class:`InputError`, 422); an oversize file is 413. The scan
    must be of this organisation, of targets its profile declares, and name only known checks.
    """
    if not isinstance(data, dict):
        raise InputError([Problem("", "expected a scan result object (the JSON that insurable scan --out writes)")])
    try:
        result = ScanResult.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc)) from None
    dumped = result.model_dump(mode="json")
    if len(scan_repo.canonical(dumped).encode("utf-8")) > max_bytes:
        raise ApiProblem(413, f"the scan is larger than {max_bytes} bytes")
    problems: list[Problem] = []
    if result.format != "insurable.scan/1":
        problems.append(Problem("format", f"{result.format!r} is not a known scan format (insurable.scan/1)"))
    if result.organisation != org.name:
        problems.append(
            Problem("organisation", f"the scan is of {result.organisation!r}, not of this organisation ({org.name!r})")
        )
    try:
        profile = declared_profile(org)
    except InputError:
        profile = None
    domains, ranges = _declared(profile) if profile is not None else (set(), [])
    if not domains and not ranges:
        problems.append(Problem("consent", "the profile declares no scan_targets; declare what was scanned first"))
    else:
        for i, consent in enumerate(result.consent):
            if not _covered(consent.target, domains, ranges):
                problems.append(Problem(f"consent.{i}.target", f"{consent.target} is not declared in scan_targets"))
    if not result.consent:
        problems.append(Problem("consent", "the scan records no consent (proof of control) for any target"))
    checks = exposure_of(catalog).by_id()
    for i, finding in enumerate(result.findings):
        if finding.check not in checks:
            problems.append(Problem(f"findings.{i}.check", f"{finding.check!r} is not an exposure check"))
    for i, check in enumerate(result.checks_run):
        if check not in checks:
            problems.append(Problem(f"checks_run.{i}", f"{check!r} is not an exposure check"))
    if result.finished < result.started:
        problems.append(Problem("finished", "the scan finished before it started"))
    if problems:
        raise InputError(problems)
    return result, scan_repo.content_hash(dumped)


def store_upload(session: Session, org: Organisation, user: User, result: ScanResult, digest: str) -> StoredScan:
    """Keep an uploaded scan (flushed, not committed); 409 when the same scan is already stored."""
    same = scan_repo.by_hash(session, org, digest)
    if same is not None:
        raise ApiProblem(409, f"this scan is already stored as scan {same.id}")
    row = StoredScan(
        org_id=org.id,
        created_by=user.id,
        created_by_email=user.email,
        source="upload",
        status="done",
        targets=list(result.targets),
        consent=[c.model_dump(mode="json") for c in result.consent],
        finished_at=result.finished,
        result=result.model_dump(mode="json"),
        content_hash=digest,
        problems=[],
    )
    session.add(row)
    session.flush()
    return row


def evidence_for(session: Session, org: Organisation, catalog: Catalog) -> tuple[StoredScan | None, dict[str, Any]]:
    """The organisation's latest finished scan and its findings as facts for the engine."""
    row = scan_repo.latest_done(session, org)
    result = parsed_result(row) if row is not None else None
    if row is None or result is None:
        return None, {}
    return row, dict(finding_values(result, exposure_of(catalog)))


def report_section(session: Session, org: Organisation, assessment: Any, catalog: Catalog) -> Any:
    """The findings section for an assessment's reports: the scan it used, else the latest scan.

    Reconciled with the answers of the snapshot, so the report says what was true when it was
    assessed. ``None`` when the organisation has no finished scan.
    """
    from insurable.reports.findings import findings_section

    row = scan_repo.scan(session, org, assessment.scan_id) if assessment.scan_id is not None else None
    used = row is not None
    if row is None:
        row = scan_repo.latest_done(session, org)
    result = parsed_result(row) if row is not None else None
    if row is None or result is None:
        return None
    answers = dict((assessment.input or {}).get("answers") or {})
    return findings_section(
        result,
        answers,
        catalog,
        exposure_of(catalog),
        scan_id=row.id,
        source=row.source,
        content_hash=row.content_hash,
        used=used,
    )
