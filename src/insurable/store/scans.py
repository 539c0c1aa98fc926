"""Repository of stored scans (issue 16), every query scoped to the organisation it is given.

Like :mod:`insurable.store.repo`, nothing here decides whether a caller may act, and writes are
flushed, not committed: the caller commits the row and its audit line together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from insurable.store.models import AuditEvent, Organisation
from insurable.store.scan_models import StoredScan


def content_hash(result: dict[str, Any]) -> str:
    """SHA-256 of the scan's canonical JSON (sorted keys, no spaces): the same scan, the same hash."""
    return hashlib.sha256(canonical(result).encode("utf-8")).hexdigest()


def canonical(result: dict[str, Any]) -> str:
    return json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def scans(session: Session, org: Organisation, *, limit: int = 100) -> Sequence[StoredScan]:
    """The organisation's scans, newest first."""
    query = select(StoredScan).where(StoredScan.org_id == org.id).order_by(StoredScan.id.desc()).limit(limit)
    return session.scalars(query).all()


def scan(session: Session, org: Organisation, scan_id: int) -> StoredScan | None:
    found = session.get(StoredScan, scan_id)
    return found if found is not None and found.org_id == org.id else None


def latest_done(session: Session, org: Organisation, *, before: int | None = None) -> StoredScan | None:
    """The newest finished scan (optionally older than scan ``before``): the evidence a submission uses."""
    query = select(StoredScan).where(StoredScan.org_id == org.id, StoredScan.status == "done")
    if before is not None:
        query = query.where(StoredScan.id < before)
    return session.scalars(query.order_by(StoredScan.id.desc()).limit(1)).first()


def by_hash(session: Session, org: Organisation, digest: str) -> StoredScan | None:
    query = select(StoredScan).where(StoredScan.org_id == org.id, StoredScan.content_hash == digest)
    return session.scalars(query.limit(1)).first()


def started_since(session: Session, org: Organisation, since: dt.datetime) -> int:
    """Service scans started for the organisation since ``since`` (the per-organisation rate limit)."""
    query = select(func.count(StoredScan.id)).where(
        StoredScan.org_id == org.id, StoredScan.source == "service", StoredScan.created_at >= since
    )
    return int(session.scalar(query) or 0)


def refused_since(session: Session, org: Organisation, since: dt.datetime) -> int:
    """Consent checks that refused a scan of the organisation since ``since`` (from the audit trail)."""
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.org_id == org.id, AuditEvent.action == "scan.refused", AuditEvent.at >= since
    )
    return int(session.scalar(query) or 0)


def running(session: Session, org: Organisation, since: dt.datetime) -> StoredScan | None:
    """A service scan of the organisation still queued (started after ``since``; older ones are stale)."""
    query = select(StoredScan).where(
        StoredScan.org_id == org.id, StoredScan.status == "queued", StoredScan.created_at >= since
    )
    return session.scalars(query.limit(1)).first()
