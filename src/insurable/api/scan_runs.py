"""Running a scan from the service (issue 16): settings -> options, the rate limit, the consent
gate in the request, and the scan itself in a background task that finishes the stored row.

See :mod:`insurable.api.scanning` for the shared use cases and docs/scanner.md ("In the service").
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from insurable.api.problems import ApiProblem
from insurable.api.scanning import STALE_AFTER, declared_profile
from insurable.api.settings import Settings
from insurable.catalog.exposure import ExposureFile
from insurable.errors import InputError, Problem
from insurable.profile import Organisation as Profile
from insurable.store import repo
from insurable.store import scans as scan_repo
from insurable.store.models import Organisation, User
from insurable.store.scan_models import StoredScan
from insurable.store.types import utcnow

log = logging.getLogger("insurable.scans")


def scan_options(settings: Settings, *, attest_user: str | None, targets: tuple[str, ...]) -> Any:
    """The scanner's options from the service settings (``INSURABLE_SCAN_*``); a bad setting is a 500-free 503."""
    from insurable.scanner.engine import ScanOptions
    from insurable.scanner.sweep import parse_ports

    problems: list[Problem] = []
    ports: tuple[int, ...] | None = None
    if settings.scan_ports.strip():
        try:
            ports = tuple(parse_ports(settings.scan_ports))
        except ValueError as exc:
            problems.append(Problem("INSURABLE_SCAN_PORTS", str(exc)))
    well_known: list[tuple[int, bool]] = []
    for spec in filter(None, (s.strip() for s in settings.scan_well_known_ports.split(","))):
        number, _, scheme = spec.partition("/")
        if not number.isdigit() or not 1 <= int(number) <= 65535 or scheme not in ("", "http", "https"):
            problems.append(
                Problem("INSURABLE_SCAN_WELL_KNOWN_PORTS", f"{spec!r} is not PORT, PORT/http or PORT/https")
            )
        else:
            well_known.append((int(number), scheme == "https"))
    if problems:
        log.error("scan settings: %s", "; ".join(f"{p.path}: {p.reason}" for p in problems))
        raise ApiProblem(503, "scanning is misconfigured on this server; the administrator has been told")
    return ScanOptions(
        ports=ports,
        attest_user=attest_user,
        allow_private=settings.scan_allow_private,
        only=targets,
        nameserver=settings.scan_dns_server or None,
        well_known=tuple(well_known) or ((443, True), (80, False)),
        timeout=float(settings.scan_timeout_seconds),
        ca_file=settings.scan_ca_file or None,
    )


#: Consent checks (each reads DNS and fetches ``/.well-known/`` on the declared domains) allowed per
#: started scan: refusals count too, so the server cannot be made to knock on a domain without end.
CHECKS_PER_SCAN = 3


def check_rate(session: Session, org: Organisation, settings: Settings) -> None:
    """At most ``scans_per_hour`` service scans per organisation, one at a time, and at most
    ``CHECKS_PER_SCAN`` times as many consent checks, refused ones included (429 / 409)."""
    now = utcnow()
    busy = scan_repo.running(session, org, now - STALE_AFTER)
    if busy is not None:
        raise ApiProblem(409, f"scan {busy.id} of this organisation is still running; wait for it to finish")
    hour_ago = now - dt.timedelta(hours=1)
    started = scan_repo.started_since(session, org, hour_ago)
    refused = scan_repo.refused_since(session, org, hour_ago)
    if started >= settings.scans_per_hour or started + refused >= CHECKS_PER_SCAN * settings.scans_per_hour:
        raise ApiProblem(
            429,
            f"at most {settings.scans_per_hour} scans per organisation per hour "
            f"(and {CHECKS_PER_SCAN * settings.scans_per_hour} attempts, refusals included); try again later",
            headers={"Retry-After": "3600"},
        )


def start(
    session: Session,
    org: Organisation,
    user: User,
    settings: Settings,
    *,
    attest: bool,
    targets: tuple[str, ...],
    via: str,
) -> tuple[StoredScan, Profile, Any]:
    """Check the rate limit and the consent gate, then keep a queued scan (committed).

    Raises :class:`InputError` (422, every target and reason) when consent is missing; the refusal
    is audited. The gate reads DNS and ``/.well-known/`` over the network, outside any transaction.
    """
    from insurable.scanner.consent import authorise
    from insurable.scanner.dnscheck import Lookup

    check_rate(session, org, settings)
    profile = declared_profile(org)
    options = scan_options(settings, attest_user=user.email if attest else None, targets=targets)
    session.commit()  # end the read: the consent check waits on the network
    try:
        consents, _targets, _domains = authorise(
            profile,
            Lookup(options.nameserver, options.timeout),
            attest_user=options.attest_user,
            allow_private=options.allow_private,
            only=options.only,
            well_known=options.well_known,
            timeout=options.timeout,
        )
    except InputError as exc:
        repo.audit(
            session,
            user,
            "scan.refused",
            org_id=org.id,
            target="scans",
            detail={"problems": [{"path": p.path, "reason": p.reason} for p in exc.problems][:20]},
            via=via,
        )
        session.commit()
        raise
    except (OSError, ValueError) as exc:
        raise InputError([Problem("scan_targets", f"the proof of control could not be checked: {exc}")]) from None
    row = StoredScan(
        org_id=org.id,
        created_by=user.id,
        created_by_email=user.email,
        source="service",
        status="queued",
        targets=list(targets),
        consent=[c.model_dump(mode="json") for c in consents],
        problems=[],
    )
    session.add(row)
    session.flush()
    repo.audit(
        session,
        user,
        "scan.start",
        org_id=org.id,
        target=f"scan:{row.id}",
        detail={"attested": attest, "targets": list(targets), "proof": sorted({c.method for c in consents})},
        via=via,
    )
    session.commit()
    return row, profile, options


def run(sessions: Any, scan_id: int, profile: Profile, exposure: ExposureFile, options: Any) -> None:
    """The scan itself (a background task): finish the row as done, refused or failed; never raise."""
    from insurable.scanner.engine import run_scan

    status, result, problems = "failed", None, []
    try:
        result = run_scan(profile, exposure, options).model_dump(mode="json")
        status = "done"
    except InputError as exc:  # consent changed between the request and the scan
        status, problems = "refused", [{"path": p.path, "reason": p.reason} for p in exc.problems]
    except Exception as exc:  # noqa: BLE001 - a background task has nobody to raise to: record it
        log.exception("scan %s failed", scan_id)
        problems = [{"path": "", "reason": f"the scan stopped: {type(exc).__name__}: {exc}"[:500]}]
    with sessions() as session:
        row = session.get(StoredScan, scan_id)
        if row is None:
            return
        row.status = status
        row.finished_at = utcnow()
        row.problems = problems
        if result is not None:
            row.result = result
            row.content_hash = scan_repo.content_hash(result)
            row.consent = list(result.get("consent") or [])
        user = session.get(User, row.created_by) if row.created_by is not None else None
        repo.audit(
            session,
            user,
            f"scan.{status}",
            org_id=row.org_id,
            target=f"scan:{row.id}",
            detail={"findings": len((result or {}).get("findings") or []), "hash": row.content_hash},
            via="service",
        )
        session.commit()
