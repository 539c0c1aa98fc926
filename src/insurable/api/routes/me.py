"""The caller's own account and personal API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from insurable.api.deps import DB, MAX_ID, Caller
from insurable.api.problems import ApiProblem
from insurable.api.schemas import TokenCreated, TokenIn, TokenOut, UserOut
from insurable.api.security import new_token, token_hash
from insurable.store import repo
from insurable.store.models import ApiToken
from insurable.store.types import utcnow

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", response_model=UserOut)
def me(principal: Caller) -> UserOut:
    return UserOut.model_validate(principal.user, from_attributes=True)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(principal: Caller, session: DB) -> list[TokenOut]:
    return [TokenOut.model_validate(t, from_attributes=True) for t in repo.tokens(session, principal.user)]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, principal: Caller, session: DB) -> TokenCreated:
    """Create a personal API token for machine clients; the secret is returned once, stored hashed."""
    secret = new_token()
    token = ApiToken(user_id=principal.user.id, name=body.name, token_hash=token_hash(secret), prefix=secret[:8])
    session.add(token)
    session.flush()
    repo.audit(session, principal.user, "token.create", target=f"token:{token.id}", via=principal.via)
    session.commit()
    return TokenCreated(**TokenOut.model_validate(token, from_attributes=True).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Annotated[int, Path(ge=1, le=MAX_ID)], principal: Caller, session: DB) -> None:
    """Revoke one of your tokens; it stops working at once."""
    token = repo.own_token(session, principal.user, token_id)
    if token is None:
        raise ApiProblem(404, "no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        repo.audit(session, principal.user, "token.revoke", target=f"token:{token.id}", via=principal.via)
        session.commit()
