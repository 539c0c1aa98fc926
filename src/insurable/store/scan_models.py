"""Stored outside-in scans (issue 16): an organisation's scan history.

One row per scan, uploaded (a file ``insurable scan --out`` wrote) or run by the service against the
profile's declared ``scan_targets``. ``result`` is the scan in the documented format
(:class:`insurable.evidence.ScanResult`, validated on every write) and ``content_hash`` the SHA-256
of its canonical JSON, so a report can name exactly which observations it used. A scan run by the
service is ``queued`` until the background task finishes it (``done``), or records why it could not
(``refused`` by the consent gate, ``failed`` on an error outside any probe) in ``problems``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from insurable.store.models import Base
from insurable.store.types import utcnow

#: How a scan came in.
SCAN_SOURCES = ("upload", "service")
#: Where a scan stands; only ``done`` scans carry a result and count as evidence.
SCAN_STATUSES = ("queued", "done", "refused", "failed")


class StoredScan(Base):
    __tablename__ = "scans"
    __table_args__ = (Index(None, "org_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The requesting user's e-mail as it was then (the account may be renamed or deleted later).
    created_by_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    #: Declared targets asked for (empty: every declared target).
    targets: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Proof used per target: the scan's consent records (method, attesting user, time).
    consent: Mapped[list[Any]] = mapped_column(JSON, default=list)
    finished_at: Mapped[dt.datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    #: Why a service scan was refused or failed: [{"path": ..., "reason": ...}].
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
