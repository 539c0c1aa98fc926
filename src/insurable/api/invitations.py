"""Invitations: nobody joins or sees an organisation without accepting (issue 13, item 11).

An owner invites an e-mail address as owner, member or (for brokers and underwriters) to a share.
The answer is the same whether or not an account with that address exists, so inviting cannot be
used to find accounts. The invitee sees the invitation under ``/me/invitations`` and accepts or
declines it; only then is a membership or share created.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from insurable.api.deps import OrgContext, Principal
from insurable.api.problems import ApiProblem
from insurable.api.schemas import InvitationOut
from insurable.store import repo
from insurable.store.db import begin_write
from insurable.store.models import Invitation, Membership, Share
from insurable.store.types import utcnow

#: How long an invitation stays open.
VALID_DAYS = 14
#: Most open invitations one organisation may have: inviting is not a way to message many people.
MAX_OPEN = 50


def out(invitation: Invitation) -> InvitationOut:
    return InvitationOut.model_validate(invitation, from_attributes=True)


def invite(ctx: OrgContext, email: str, role: str) -> InvitationOut:
    """Record (or renew) an invitation of ``email`` to this organisation as ``role``."""
    now = utcnow()
    begin_write(ctx.session)
    found = ctx.session.scalar(select(Invitation).where(Invitation.org_id == ctx.org.id, Invitation.email == email))
    if found is None:
        open_now = ctx.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.org_id == ctx.org.id, Invitation.expires_at > now)
        )
        if (open_now or 0) >= MAX_OPEN:
            raise ApiProblem(409, f"this organisation has {MAX_OPEN} open invitations; withdraw some first")
        found = Invitation(org_id=ctx.org.id, email=email, role=role, invited_by=ctx.user.id, created_at=now)
        ctx.session.add(found)
    found.role = role
    found.invited_by = ctx.user.id
    found.expires_at = now + dt.timedelta(days=VALID_DAYS)
    ctx.session.flush()
    ctx.audit("invitation.create", target=f"invitation:{found.id}", detail={"email": email, "role": role})
    ctx.session.commit()
    return out(found)


def pending(ctx: OrgContext) -> list[InvitationOut]:
    rows = ctx.session.scalars(
        select(Invitation)
        .where(Invitation.org_id == ctx.org.id, Invitation.expires_at > utcnow())
        .order_by(Invitation.id)
    )
    return [out(i) for i in rows]


def withdraw(ctx: OrgContext, invitation_id: int) -> None:
    found = ctx.session.scalar(
        select(Invitation).where(Invitation.org_id == ctx.org.id, Invitation.id == invitation_id)
    )
    if found is None:
        raise ApiProblem(404, "no such invitation")
    ctx.session.delete(found)
    ctx.audit("invitation.withdraw", target=f"invitation:{invitation_id}")
    ctx.session.commit()


def _mine(session: Session, principal: Principal, invitation_id: int) -> Invitation:
    found = session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id,
            Invitation.email == principal.user.email,
            Invitation.expires_at > utcnow(),
        )
    )
    if found is None:
        raise ApiProblem(404, "no such invitation")
    return found


def accept(session: Session, principal: Principal, invitation_id: int) -> None:
    """Turn the caller's own invitation into a membership or share, and delete it."""
    begin_write(session)
    found = _mine(session, principal, invitation_id)
    user = principal.user
    if found.role == "share":
        if user.kind not in ("broker", "underwriter"):
            raise ApiProblem(409, "this invitation is for a broker or underwriter account")
        if session.scalar(select(Share).where(Share.org_id == found.org_id, Share.user_id == user.id)) is None:
            session.add(Share(org_id=found.org_id, user_id=user.id, granted_by=found.invited_by))
        action, detail = "share.grant", {"kind": user.kind}
    else:
        if user.kind != "user":
            raise ApiProblem(409, "only member accounts (kind 'user') join organisations")
        member = session.scalar(
            select(Membership).where(Membership.org_id == found.org_id, Membership.user_id == user.id)
        )
        if member is None:
            session.add(Membership(org_id=found.org_id, user_id=user.id, role=found.role))
        elif found.role == "owner":
            member.role = "owner"  # accepting never demotes
        action, detail = "member.add", {"role": found.role}
    session.delete(found)
    repo.audit(
        session,
        user,
        action,
        org_id=found.org_id,
        target=f"user:{user.id}",
        detail={**detail, "invitation": found.id},
        via=principal.via,
    )
    session.commit()


def decline(session: Session, principal: Principal, invitation_id: int) -> None:
    found = _mine(session, principal, invitation_id)
    session.delete(found)
    repo.audit(
        session,
        principal.user,
        "invitation.decline",
        org_id=found.org_id,
        target=f"invitation:{found.id}",
        via=principal.via,
    )
    session.commit()
