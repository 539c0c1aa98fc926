"""Tables of the supplier chain (issue 15): a client's register, its requirements, and the requests
that invite a supplier to share its own assessment.

A supplier row belongs to one client organisation (``org_id``): tenant isolation applies to it like
to answers. A :class:`SupplierRequest` is addressed to an e-mail; the supplier's account with that
e-mail sees the request (and nothing else of the client), and chooses to share a summary or the full
assessment of one of its own organisations, or nothing; revoking sets ``revoked_at``. Every change
has its audit line (in both organisations' trails where both are concerned).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from insurable.store.models import Base
from insurable.store.types import utcnow


class SupplierRow(Base):
    """One supplier in a client's register: the :class:`insurable.suppliers.model.Supplier` fields."""

    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: The supplier's id in the register (``Supplier.id``).
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SupplierSettings(Base):
    """A client's own requirements per tier, the alert recipients and what was last alerted."""

    __tablename__ = "supplier_settings"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    requirements: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alert_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(2), default="nl")
    #: :func:`insurable.suppliers.alerts.state_of` of the last alert run.
    alert_state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SupplierRequest(Base):
    """A client's request to a supplier (by e-mail) to share its assessment, and the supplier's answer."""

    __tablename__ = "supplier_requests"
    __table_args__ = (UniqueConstraint("supplier_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The supplier's answer: which of its organisations, at which level (``summary`` or ``full``).
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    supplier_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    level: Mapped[str | None] = mapped_column(String(10))
    shared_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    #: SHA-256 of the one-time sign-up token mailed with the request (cleared once used): whoever
    #: holds it controls the e-mail address and may create the account for it.
    signup_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    signup_expires_at: Mapped[dt.datetime | None]


class SupplierDocument(Base):
    """A document kept as evidence (the PDF of a certificate of insurance or of a security
    certificate), referenced from the supplier's record as ``document:<id>``."""

    __tablename__ = "supplier_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
