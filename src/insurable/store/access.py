"""Tenant isolation, in one place: who may do what with which organisation.

Every organisation-scoped request resolves the caller's relation to the organisation here
(:func:`relation`) and checks it against :data:`CAPABILITIES`. An organisation the caller may not
read does not exist for them (404, so ids cannot be probed); one they may read but not change
answers 403. The API's ``org_scope`` dependency is the only caller; repositories then filter every
query by the organisation it returns. ``tests/service/test_tenant_isolation.py`` enumerates the
routes to prove that no endpoint bypasses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from insurable.store.models import Membership, Organisation, Share, User

Relation = Literal["owner", "member", "broker", "underwriter", "admin"]
Capability = Literal["read", "edit", "submit", "manage", "audit"]

#: What each relation to an organisation allows. Brokers help their clients fill in and submit;
#: underwriters review; owners (and administrators) manage members and shares and read the audit.
CAPABILITIES: dict[Relation, frozenset[Capability]] = {
    "owner": frozenset({"read", "edit", "submit", "manage", "audit"}),
    "member": frozenset({"read", "edit", "submit"}),
    "broker": frozenset({"read", "edit", "submit"}),
    "underwriter": frozenset({"read"}),
    "admin": frozenset({"read", "edit", "submit", "manage", "audit"}),
}


class NoAccess(Exception):
    """The caller may not do this; ``visible`` says whether they may at least see the organisation."""

    def __init__(self, visible: bool) -> None:
        super().__init__("forbidden" if visible else "not found")
        self.visible = visible


def relation(session: Session, user: User, org_id: int) -> Relation | None:
    """The caller's relation to an organisation, or ``None`` when it is none of their business."""
    if user.kind == "admin":
        exists = session.get(Organisation, org_id) is not None
        return "admin" if exists else None
    if user.kind in ("broker", "underwriter"):
        share = session.scalar(select(Share.id).where(Share.org_id == org_id, Share.user_id == user.id))
        return ("broker" if user.kind == "broker" else "underwriter") if share is not None else None
    role = session.scalar(select(Membership.role).where(Membership.org_id == org_id, Membership.user_id == user.id))
    return "owner" if role == "owner" else "member" if role == "member" else None


def authorise(session: Session, user: User, org_id: int, need: Capability) -> tuple[Organisation, Relation]:
    """The organisation and the caller's relation to it, if the caller has capability ``need``."""
    if user.kind not in ("admin", "broker", "underwriter"):
        # members (every request of the questionnaire): the membership and the organisation in one query
        row = session.execute(
            select(Organisation, Membership.role)
            .join(Membership, Membership.org_id == Organisation.id)
            .where(Organisation.id == org_id, Membership.user_id == user.id)
        ).first()
        role = row[1] if row is not None else None
        member: Relation | None = "owner" if role == "owner" else "member" if role == "member" else None
        if row is None or member is None:
            raise NoAccess(visible=False)
        if need not in CAPABILITIES[member]:
            raise NoAccess(visible=True)
        return row[0], member
    found = relation(session, user, org_id)
    if found is None:
        raise NoAccess(visible=False)
    if need not in CAPABILITIES[found]:
        raise NoAccess(visible=True)
    org = session.get(Organisation, org_id)
    if org is None:  # deleted between the two reads
        raise NoAccess(visible=False)
    return org, found


def visible_organisations(session: Session, user: User) -> Sequence[Organisation]:
    """Every organisation the caller may read, by id."""
    query = select(Organisation).order_by(Organisation.id)
    if user.kind != "admin":
        member = select(Membership.org_id).where(Membership.user_id == user.id)
        shared = select(Share.org_id).where(Share.user_id == user.id)
        query = query.where(or_(Organisation.id.in_(member), Organisation.id.in_(shared)))
    return session.scalars(query).all()
