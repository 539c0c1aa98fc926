"""Repositories: every read and write the API makes, each scoped to an organisation it is given.

Functions here never decide *whether* a caller may act (that is :mod:`insurable.store.access`); they
take the organisation the access check returned and filter by its id. Writes are flushed but not
committed: the caller commits once per request so that a change and its audit line land together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from insurable.store.models import (
    Answer,
    ApiToken,
    Assessment,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    Share,
    User,
)
from insurable.store.types import utcnow


def audit(
    session: Session,
    actor: User | None,
    action: str,
    *,
    org_id: int | None = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
    via: str = "",
) -> None:
    """Append one line to the audit trail (in the caller's transaction)."""
    session.add(
        AuditEvent(
            at=utcnow(),
            actor_id=actor.id if actor else None,
            actor_email=actor.email if actor else None,
            org_id=org_id,
            action=action,
            target=target[:200],
            detail=detail or {},
            via=via,
        )
    )


def audit_trail(session: Session, org_id: int | None, *, after: int = 0, limit: int = 100) -> Sequence[AuditEvent]:
    """Audit lines in order, for one organisation or (``None``) for all; ``after`` pages by id."""
    query = select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(limit)
    if org_id is not None:
        query = query.where(AuditEvent.org_id == org_id)
    return session.scalars(query).all()


# --- organisations and members -------------------------------------------------------------------


def create_organisation(session: Session, owner: User, name: str, profile: dict[str, Any]) -> Organisation:
    org = Organisation(name=name, profile=profile)
    session.add(org)
    session.flush()
    session.add(Membership(org_id=org.id, user_id=owner.id, role="owner"))
    session.flush()
    return org


def members(session: Session, org: Organisation) -> Sequence[tuple[Membership, User]]:
    rows = session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id).where(Membership.org_id == org.id)
    )
    return [(m, u) for m, u in rows]


def membership(session: Session, org: Organisation, user_id: int) -> Membership | None:
    return session.scalar(select(Membership).where(Membership.org_id == org.id, Membership.user_id == user_id))


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def shares(session: Session, org: Organisation) -> Sequence[tuple[Share, User]]:
    rows = session.execute(select(Share, User).join(User, User.id == Share.user_id).where(Share.org_id == org.id))
    return [(s, u) for s, u in rows]


def share(session: Session, org: Organisation, user_id: int) -> Share | None:
    return session.scalar(select(Share).where(Share.org_id == org.id, Share.user_id == user_id))


# --- answers -------------------------------------------------------------------------------------


def answers(session: Session, org: Organisation) -> Sequence[Answer]:
    return session.scalars(select(Answer).where(Answer.org_id == org.id).order_by(Answer.question_id)).all()


def answer(session: Session, org: Organisation, question_id: str) -> Answer | None:
    """The stored answer, read from the database (never a stale copy from this session)."""
    return session.get(Answer, (org.id, question_id), populate_existing=True)


_ANSWERS = cast(Table, Answer.__table__)
_ORGANISATIONS = cast(Table, Organisation.__table__)
_AUDIT_EVENTS = cast(Table, AuditEvent.__table__)
_UPSERT: dict[str, Any] = {}


def _answer_upsert(dialect: str) -> Any:
    """The insert-or-update of one answer, built once per dialect (its compiled form is then cached)."""
    statement = _UPSERT.get(dialect)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = _ANSWERS
        upsert = insert(table)
        statement = upsert.on_conflict_do_update(
            index_elements=[table.c.org_id, table.c.question_id],
            set_={c: upsert.excluded[c] for c in ("value", "updated_by", "updated_at")},
        )
        _UPSERT[dialect] = statement
    return statement


_TOUCH = (
    update(_ORGANISATIONS)
    .where(_ORGANISATIONS.c.id == bindparam("b_org", type_=Integer))
    .values(updated_at=bindparam("b_at", type_=_ORGANISATIONS.c.updated_at.type))
)
_AUDIT = insert(_AUDIT_EVENTS)


def save_answer(session: Session, org: Organisation, question_id: str, value: Any, user: User) -> dt.datetime:
    """Insert or replace one draft answer in a single statement (no read-modify-write race).

    Returns the time it was saved."""
    now = utcnow()
    row = {"org_id": org.id, "question_id": question_id, "value": value, "updated_by": user.id, "updated_at": now}
    session.execute(_answer_upsert(session.get_bind().dialect.name), row)  # autoflushes pending rows first
    return now


def save_answer_audited(
    session: Session, org_id: int, question_id: str, value: Any, user: User, *, via: str
) -> dt.datetime:
    """The whole write of an answer save as three Core statements in the caller's transaction: the
    insert-or-update, the organisation's ``updated_at`` and the ``answer.save`` audit line (no ORM unit
    of work; the caller commits once, so the answer and its audit line land together or not at all).
    It does not autoflush: the session must hold no pending ORM changes.

    Returns the time it was saved."""
    now = utcnow()
    connection = session.connection()
    audit_row = {
        "at": now,
        "actor_id": user.id,
        "actor_email": user.email,
        "org_id": org_id,
        "action": "answer.save",
        "target": question_id[:200],
        "detail": {"value": value},
        "via": via,
    }
    if connection.dialect.name == "postgresql":  # one round trip: the three writes as one statement
        connection.execute(
            _pg_save_audited(),
            {**{f"a_{k}": v for k, v in audit_row.items()}, "s_question_id": question_id, "s_value": value},
        )
        return now
    row = {"org_id": org_id, "question_id": question_id, "value": value, "updated_by": user.id, "updated_at": now}
    connection.execute(_answer_upsert(connection.dialect.name), row)
    connection.execute(_TOUCH, {"b_org": org_id, "b_at": now})
    connection.execute(_AUDIT, audit_row)
    return now


@cache
def _pg_save_audited() -> Any:
    """PostgreSQL: ``WITH saved AS (INSERT .. ON CONFLICT DO UPDATE), touched AS (UPDATE organisations ..)
    INSERT INTO audit_events ..``: data-modifying CTEs, one statement, one round trip."""

    def param(table: Table, column: str, prefix: str) -> Any:
        return bindparam(f"{prefix}_{column}", type_=table.c[column].type)

    upsert = postgresql.insert(_ANSWERS).values(
        org_id=param(_AUDIT_EVENTS, "org_id", "a"),
        question_id=param(_ANSWERS, "question_id", "s"),
        value=param(_ANSWERS, "value", "s"),
        updated_by=param(_AUDIT_EVENTS, "actor_id", "a"),
        updated_at=param(_AUDIT_EVENTS, "at", "a"),
    )
    saved = upsert.on_conflict_do_update(
        index_elements=[_ANSWERS.c.org_id, _ANSWERS.c.question_id],
        set_={c: upsert.excluded[c] for c in ("value", "updated_by", "updated_at")},
    ).cte("saved")
    touched = (
        update(_ORGANISATIONS)
        .where(_ORGANISATIONS.c.id == param(_AUDIT_EVENTS, "org_id", "a"))
        .values(updated_at=param(_AUDIT_EVENTS, "at", "a"))
        .cte("touched")
    )
    columns = ("at", "actor_id", "actor_email", "org_id", "action", "target", "detail", "via")
    return (
        insert(_AUDIT_EVENTS).values({c: param(_AUDIT_EVENTS, c, "a") for c in columns}).add_cte(saved).add_cte(touched)
    )


def delete_answer(session: Session, org: Organisation, question_id: str) -> bool:
    result = session.execute(delete(Answer).where(Answer.org_id == org.id, Answer.question_id == question_id))
    return bool(getattr(result, "rowcount", 0))


# --- assessments ---------------------------------------------------------------------------------


def assessments(session: Session, org: Organisation, *, limit: int = 100) -> Sequence[Assessment]:
    return session.scalars(
        select(Assessment).where(Assessment.org_id == org.id).order_by(Assessment.id.desc()).limit(limit)
    ).all()


def assessment(session: Session, org: Organisation, assessment_id: int) -> Assessment | None:
    return session.scalar(select(Assessment).where(Assessment.org_id == org.id, Assessment.id == assessment_id))


# --- tokens --------------------------------------------------------------------------------------


def tokens(session: Session, user: User) -> Sequence[ApiToken]:
    return session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)).all()


def own_token(session: Session, user: User, token_id: int) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.id == token_id))


def touch(org: Organisation, when: dt.datetime | None = None) -> None:
    org.updated_at = when or utcnow()


def open_invitations(session: Session, email: str) -> int:
    """How many open invitations wait for this e-mail address."""
    query = (
        select(func.count()).select_from(Invitation).where(Invitation.email == email, Invitation.expires_at > utcnow())
    )
    return int(session.scalar(query) or 0)
