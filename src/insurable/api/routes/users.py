"""Accounts, managed by administrators: create, reset a password, disable, enable, unlock."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select

from insurable.api.deps import DB, MAX_ID, Admin, Principal
from insurable.api.problems import ApiProblem, FieldProblem
from insurable.api.routes.auth import end_sessions
from insurable.api.schemas import PasswordReset, UserAdminOut, UserIn, UserOut
from insurable.api.security import hash_password, password_problem
from insurable.store import repo, throttle
from insurable.store.models import User
from insurable.store.types import utcnow

router = APIRouter(prefix="/users", tags=["users"])
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("", response_model=list[UserAdminOut])
def list_users(_admin: Admin, session: DB) -> list[UserAdminOut]:
    """Every account, with its failed logins and whether it is disabled."""
    return [
        UserAdminOut.model_validate(u, from_attributes=True) for u in session.scalars(select(User).order_by(User.id))
    ]


@router.post("", response_model=UserOut, status_code=201)
def create_user(body: UserIn, admin: Admin, session: DB) -> UserOut:
    """Create an account: a ``user`` (organisation member), ``broker``, ``underwriter`` or ``admin``."""
    weak = password_problem(body.password, email=body.email, name=body.name)
    if weak:
        raise ApiProblem(422, "the password is too weak", [FieldProblem(field="password", reason=weak)])
    if repo.user_by_email(session, body.email) is not None:
        raise ApiProblem(409, "an account with this e-mail exists", [FieldProblem(field="email", reason="taken")])
    user = User(email=body.email, name=body.name, kind=body.kind, password_hash=hash_password(body.password))
    session.add(user)
    session.flush()
    repo.audit(session, admin.user, "user.create", target=f"user:{user.id}", detail={"kind": body.kind}, via=admin.via)
    session.commit()
    return UserOut.model_validate(user, from_attributes=True)


def _user(session: DB, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise ApiProblem(404, "no such account")
    return user


def _done(session: DB, admin: Principal, action: str, user: User) -> UserAdminOut:
    repo.audit(session, admin.user, action, target=f"user:{user.id}", via=admin.via)
    session.commit()
    return UserAdminOut.model_validate(user, from_attributes=True)


@router.post("/{user_id}/password", response_model=UserAdminOut)
def reset_password(user_id: UserId, body: PasswordReset, admin: Admin, session: DB) -> UserAdminOut:
    """Set a new password for an account: ends all its sessions, revokes its tokens, clears throttles."""
    user = _user(session, user_id)
    weak = password_problem(body.new_password, email=user.email, name=user.name)
    if weak:
        raise ApiProblem(422, "the password is too weak", [FieldProblem(field="new_password", reason=weak)])
    user.password_hash = hash_password(body.new_password)
    end_sessions(session, user, revoke_tokens=True)
    throttle.clear(session, user.email)
    user.failed_logins = 0
    return _done(session, admin, "user.password_reset", user)


@router.post("/{user_id}/disable", response_model=UserAdminOut)
def disable(user_id: UserId, admin: Admin, session: DB) -> UserAdminOut:
    """Disable an account: it cannot log in, and its sessions and tokens stop working at once."""
    user = _user(session, user_id)
    if user.id == admin.user.id:
        raise ApiProblem(409, "you cannot disable your own account")
    if user.disabled_at is None:
        user.disabled_at = utcnow()
    end_sessions(session, user, revoke_tokens=False)
    return _done(session, admin, "user.disable", user)


@router.post("/{user_id}/enable", response_model=UserAdminOut)
def enable(user_id: UserId, admin: Admin, session: DB) -> UserAdminOut:
    """Enable a disabled account again (its old sessions stay ended)."""
    user = _user(session, user_id)
    user.disabled_at = None
    return _done(session, admin, "user.enable", user)


@router.post("/{user_id}/unlock", response_model=UserAdminOut)
def unlock(user_id: UserId, admin: Admin, session: DB) -> UserAdminOut:
    """Clear every login throttle of an account, from every address, at once."""
    user = _user(session, user_id)
    throttle.clear(session, user.email)
    user.failed_logins = 0
    return _done(session, admin, "user.unlock", user)
