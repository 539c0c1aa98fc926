"""The caller's own account: password, personal API tokens, and invitations to accept or decline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy import select

from insurable.api import invitations
from insurable.api.deps import DB, MAX_ID, Caller, Person
from insurable.api.problems import ApiProblem, FieldProblem
from insurable.api.routes.auth import end_sessions
from insurable.api.schemas import MyInvitationOut, PasswordChange, TokenCreated, TokenIn, TokenOut, UserOut
from insurable.api.security import hash_password, new_token, password_problem, token_hash, verify_password
from insurable.api.settings import Settings
from insurable.store import repo
from insurable.store.models import ApiToken, Invitation, Organisation, User
from insurable.store.types import utcnow

router = APIRouter(prefix="/me", tags=["me"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("", response_model=UserOut)
def me(principal: Caller) -> UserOut:
    return UserOut.model_validate(principal.user, from_attributes=True)


@router.post("/password", status_code=204)
def change_password(body: PasswordChange, principal: Person, session: DB) -> None:
    """Change your password (the current one is asked again); every other session of yours ends."""
    user = principal.user
    if not verify_password(user.password_hash, body.current_password):
        raise ApiProblem(
            422, "the current password is wrong", [FieldProblem(field="current_password", reason="wrong password")]
        )
    weak = password_problem(body.new_password, email=user.email, name=user.name)
    if weak:
        raise ApiProblem(422, "the new password is too weak", [FieldProblem(field="new_password", reason=weak)])
    found = session.get(User, user.id)
    assert found is not None
    found.password_hash = hash_password(body.new_password)
    end_sessions(session, user, revoke_tokens=False, keep=principal.login)
    repo.audit(session, user, "password.change", target=f"user:{user.id}", via=principal.via)
    session.commit()


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(principal: Caller, session: DB) -> list[TokenOut]:
    return [TokenOut.model_validate(t, from_attributes=True) for t in repo.tokens(session, principal.user)]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, request: Request, principal: Person, session: DB) -> TokenCreated:
    """Create a personal API token for machine clients; the secret is returned once, stored hashed.

    Needs a password login: a token cannot mint tokens. It expires after ``days`` (default 90, at
    most the service's ``token_max_days``); scope ``read`` allows GET requests only.
    """
    settings: Settings = request.app.state.settings
    days = body.days or settings.token_days
    if days > settings.token_max_days:
        raise ApiProblem(
            422,
            "the token would live too long",
            [FieldProblem(field="days", reason=f"at most {settings.token_max_days} days")],
        )
    secret = new_token()
    token = ApiToken(
        user_id=principal.user.id,
        name=body.name,
        token_hash=token_hash(secret),
        prefix=secret[:8],
        scope=body.scope,
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(token)
    session.flush()
    repo.audit(
        session,
        principal.user,
        "token.create",
        target=f"token:{token.id}",
        detail={"scope": body.scope, "days": days},
        via=principal.via,
    )
    session.commit()
    return TokenCreated(**TokenOut.model_validate(token, from_attributes=True).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, principal: Caller, session: DB) -> None:
    """Revoke one of your tokens; it stops working at once."""
    token = repo.own_token(session, principal.user, token_id)
    if token is None:
        raise ApiProblem(404, "no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        repo.audit(session, principal.user, "token.revoke", target=f"token:{token.id}", via=principal.via)
        session.commit()


@router.get("/invitations", response_model=list[MyInvitationOut])
def my_invitations(principal: Caller, session: DB) -> list[MyInvitationOut]:
    """Open invitations to your e-mail address: to join an organisation, or (brokers, underwriters) to see one."""
    rows = session.execute(
        select(Invitation, Organisation.name, User.name)
        .join(Organisation, Organisation.id == Invitation.org_id)
        .outerjoin(User, User.id == Invitation.invited_by)
        .where(Invitation.email == principal.user.email, Invitation.expires_at > utcnow())
        .order_by(Invitation.id)
    )
    return [
        MyInvitationOut(**invitations.out(i).model_dump(), organisation=org_name, invited_by=inviter)
        for i, org_name, inviter in rows
    ]


@router.post("/invitations/{invitation_id}/accept", status_code=204)
def accept(invitation_id: Id, principal: Caller, session: DB) -> None:
    """Accept an invitation: you become an owner or member, or (brokers, underwriters) get the share."""
    invitations.accept(session, principal, invitation_id)


@router.delete("/invitations/{invitation_id}", status_code=204)
def decline(invitation_id: Id, principal: Caller, session: DB) -> None:
    """Decline an invitation; it is deleted."""
    invitations.decline(session, principal, invitation_id)
