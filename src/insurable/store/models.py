"""The tables, as SQLAlchemy 2 typed declarative models.

Conventions: integer surrogate keys; timestamps are :class:`UTCDateTime`; money is integer cents
(``*_cents``); constraint and index names come from :data:`NAMING` so that Alembic migrations can
name them on every database (SQLite batch mode needs stable names). The schema itself is created by
the migrations in ``migrations/versions``; a test checks that the models and migrations agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from insurable.store.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Kinds of account. ``user`` works for organisations it is a member of; ``broker`` and
#: ``underwriter`` see only organisations shared with them; ``admin`` sees everything.
ACCOUNT_KINDS = ("user", "broker", "underwriter", "admin")
#: Roles inside one organisation.
MEMBER_ROLES = ("owner", "member")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON()}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="user")
    password_hash: Mapped[str] = mapped_column(String(200))
    #: Failed logins since the last success, from any source (shown to administrators; the throttle
    #: that slows guessing lives in :class:`LoginThrottle`, per account and source).
    failed_logins: Mapped[int] = mapped_column(default=0)
    #: Unused since the per-source throttle replaced the account lockout (kept for old databases).
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Set by an administrator: the account can neither log in nor use its sessions and tokens.
    disabled_at: Mapped[dt.datetime | None]


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Profile fields of :class:`insurable.profile.Organisation`, without the answers.
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Share(Base):
    """An organisation shared with a broker or underwriter (deleted on revoke; the audit keeps it)."""

    __tablename__ = "shares"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Answer(Base):
    """The current draft answer to one question; one row per (organisation, question)."""

    __tablename__ = "answers"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    """An immutable snapshot of one submission: the input, the result and the catalogue versions."""

    __tablename__ = "assessments"
    __table_args__ = (Index(None, "org_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    verdict: Mapped[str | None] = mapped_column(String(40))
    premium_cents: Mapped[int | None] = mapped_column(BigInteger)
    deductible_cents: Mapped[int | None] = mapped_column(BigInteger)
    limit_cents: Mapped[int | None] = mapped_column(BigInteger)
    catalog_versions: Mapped[dict[str, Any]]
    input: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]
    engine_version: Mapped[str] = mapped_column(String(40))
    #: The stored scan whose findings were the evidence (issue 16); a plain id, the snapshot outlives it.
    scan_id: Mapped[int | None]


class ApiToken(Base):
    """A personal API token; only its SHA-256 hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    #: When the token stops working (``None`` only for tokens made before expiry existed).
    expires_at: Mapped[dt.datetime | None]
    #: ``read`` (safe methods only) or ``write``.
    scope: Mapped[str] = mapped_column(String(20), default="write")


class LoginSession(Base):
    """A browser session behind the session cookie; the cookie value is stored hashed."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    #: Last request seen on this session (updated at most once a minute), for the idle timeout.
    last_seen_at: Mapped[dt.datetime | None]


class LoginThrottle(Base):
    """Failed logins for one account name from one source address, with the delay they earned.

    Keyed by the e-mail as typed (lower-cased), so unknown accounts are throttled exactly like
    known ones and the answer reveals nothing. A guesser elsewhere slows only themselves.
    """

    __tablename__ = "login_throttles"

    account: Mapped[str] = mapped_column(String(254), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    """An offer to join an organisation (as owner or member) or to see it (a share), by e-mail.

    Nothing changes until the invitee, logged in with that e-mail, accepts; the inviter learns
    nothing about whether the account exists.
    """

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("org_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    #: ``owner``, ``member`` (for user accounts) or ``share`` (for brokers and underwriters).
    role: Mapped[str] = mapped_column(String(20))
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]


class AuditEvent(Base):
    """One line of the append-only audit trail: who did what to which organisation, and when.

    Nothing in the code updates or deletes these rows, and the migrations install database
    triggers that refuse UPDATE, DELETE, TRUNCATE (PostgreSQL) and INSERT OR REPLACE (SQLite);
    docs/security.md describes the separate PostgreSQL role that keeps the app from dropping them.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "org_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Plain ids, not foreign keys: the trail outlives the rows it talks about.
    actor_id: Mapped[int | None]
    actor_email: Mapped[str | None] = mapped_column(String(254))
    org_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    via: Mapped[str] = mapped_column(String(20), default="")


# The supplier-chain tables (issue 15) live in their own module on the same metadata.
from insurable.store import supplier_models as _supplier_models  # noqa: E402,F401
from insurable.store.offer_models import StoredOffer  # noqa: E402,F401 - offers (issue 14) register on Base
from insurable.store.portfolio_models import PortfolioRun  # noqa: E402,F401 - portfolio runs (issue 17) register on Base
from insurable.store.scan_models import StoredScan  # noqa: E402,F401 - scans (issue 16) register on Base
