"""Accounts, managed by administrators."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from insurable.api.deps import DB, Admin
from insurable.api.problems import ApiProblem, FieldProblem
from insurable.api.schemas import UserIn, UserOut
from insurable.api.security import hash_password
from insurable.store import repo
from insurable.store.models import User

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=list[UserOut])
def list_users(_admin: Admin, session: DB) -> list[UserOut]:
    return [UserOut.model_validate(u, from_attributes=True) for u in session.scalars(select(User).order_by(User.id))]


@router.post("", response_model=UserOut, status_code=201)
def create_user(body: UserIn, admin: Admin, session: DB) -> UserOut:
    """Create an account: a ``user`` (organisation member), ``broker``, ``underwriter`` or ``admin``."""
    if repo.user_by_email(session, body.email) is not None:
        raise ApiProblem(409, "an account with this e-mail exists", [FieldProblem(field="email", reason="taken")])
    user = User(email=body.email, name=body.name, kind=body.kind, password_hash=hash_password(body.password))
    session.add(user)
    session.flush()
    repo.audit(session, admin.user, "user.create", target=f"user:{user.id}", detail={"kind": body.kind}, via=admin.via)
    session.commit()
    return UserOut.model_validate(user, from_attributes=True)
