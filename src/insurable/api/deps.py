"""Request dependencies: the database session, the authenticated caller and the organisation scope.

``org_scope(capability)`` is the single gate for organisation-scoped routes: it reads ``org_id``
from the path, asks :func:`insurable.store.access.authorise`, and hands the route an
:class:`OrgContext` whose organisation every repository call is then filtered by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from insurable.api.problems import ApiProblem
from insurable.api.security import same, token_hash
from insurable.store import repo
from insurable.store.access import Capability, NoAccess, Relation, authorise
from insurable.store.models import ApiToken, LoginSession, Organisation, User
from insurable.store.types import utcnow

#: Largest id a path accepts (PostgreSQL ``integer``); larger ones are simply not found.
MAX_ID = 2**31 - 1
SESSION_COOKIE = "insurable_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


DB = Annotated[Session, Depends(db)]


@dataclass
class Principal:
    """Who is calling and how they proved it (``token`` or ``cookie``)."""

    user: User
    via: Literal["token", "cookie"]
    login: LoginSession | None = None
    token: ApiToken | None = None


def current_principal(request: Request, session: DB) -> Principal:
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise ApiProblem(401, "use 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"})
        return _token_principal(request, session, credential.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return _cookie_principal(request, session, cookie)
    raise ApiProblem(401, "log in or send an API token", headers={"WWW-Authenticate": "Bearer"})


def _token_principal(request: Request, session: Session, credential: str) -> Principal:
    # the token and its owner in one query (every API request pays for this lookup)
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(credential))
    ).first()
    found, owner = (row[0], row[1]) if row is not None else (None, None)
    now = utcnow()
    unusable = found is None or found.revoked_at is not None
    if found is not None and found.expires_at is not None and found.expires_at <= now:
        unusable = True
    user = owner if not unusable else None
    if found is None or user is None or user.disabled_at is not None:
        raise ApiProblem(401, "the API token is unknown, expired or revoked", headers={"WWW-Authenticate": "Bearer"})
    if found.scope == "read" and request.method not in SAFE_METHODS:
        raise ApiProblem(403, "this API token may only read (its scope is 'read')")
    if found.last_used_at is None or now - found.last_used_at > dt.timedelta(minutes=1):
        found.last_used_at = now
        session.commit()
    return Principal(user=user, via="token", token=found)


def _cookie_principal(request: Request, session: Session, cookie: str) -> Principal:
    login, user = session_user(request, session, cookie)
    if login is None or user is None:
        raise ApiProblem(401, "the session has expired; log in again")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not same(sent, login.csrf_token):
            raise ApiProblem(403, f"cookie-authenticated writes need the {CSRF_HEADER} header from login")
    return Principal(user=user, via="cookie", login=login)


def session_user(request: Request, session: Session, cookie: str) -> tuple[LoginSession | None, User | None]:
    """The live session behind a cookie and its user; ``(None, None)`` when it has expired, sat
    idle longer than ``idle_seconds``, or belongs to a disabled account. Notes the visit (at most
    once a minute) so that the idle clock restarts."""
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(cookie)))
    now = utcnow()
    if login is None or login.expires_at <= now:
        return None, None
    idle = dt.timedelta(seconds=request.app.state.settings.idle_seconds)
    if now - (login.last_seen_at or login.created_at) > idle:
        return None, None
    user = session.get(User, login.user_id)
    if user is None or user.disabled_at is not None:
        return None, None
    if login.last_seen_at is None or now - login.last_seen_at > dt.timedelta(minutes=1):
        login.last_seen_at = now
        session.commit()
    return login, user


Caller = Annotated[Principal, Depends(current_principal)]


def require_admin(principal: Caller) -> Principal:
    if principal.user.kind != "admin":
        raise ApiProblem(403, "only an administrator may do this")
    return principal


Admin = Annotated[Principal, Depends(require_admin)]


def require_login_session(principal: Caller) -> Principal:
    """Account changes (new tokens, password) need a person's login, not an API token: a token
    cannot mint tokens that outlive it or change the password of its owner."""
    if principal.via != "cookie":
        raise ApiProblem(403, "log in with your password to do this; API tokens cannot")
    return principal


Person = Annotated[Principal, Depends(require_login_session)]


@dataclass
class OrgContext:
    """An organisation the caller may act on, with the session and the caller's relation to it."""

    session: Session
    principal: Principal
    org: Organisation
    relation: Relation

    @property
    def user(self) -> User:
        return self.principal.user

    def audit(self, action: str, *, target: str = "", detail: dict[str, Any] | None = None) -> None:
        """Append an audit line for this organisation, by this caller, through this channel."""
        repo.audit(
            self.session, self.user, action, org_id=self.org.id, target=target, detail=detail, via=self.principal.via
        )


def org_scope(need: Capability) -> Callable[..., OrgContext]:
    """A dependency that admits the caller to ``org_id`` only with capability ``need``."""

    def dependency(org_id: Annotated[int, Path(ge=1, le=MAX_ID)], principal: Caller, session: DB) -> OrgContext:
        try:
            org, found = authorise(session, principal.user, org_id, need)
        except NoAccess as exc:
            audit_denial(session, principal.user, org_id, need, principal.via, visible=exc.visible)
            if exc.visible:
                raise ApiProblem(403, f"your role may not {need} this organisation") from exc
            raise ApiProblem(404, "no such organisation") from exc
        return OrgContext(session=session, principal=principal, org=org, relation=found)

    return dependency


def audit_denial(session: Session, user: User, org_id: int, need: str, via: str, *, visible: bool) -> None:
    """Keep a line for a refused organisation request (committed now: the request then fails).

    The line carries the organisation id asked for, so its owners see probes in their trail.
    """
    session.rollback()
    repo.audit(
        session,
        user,
        "access.denied",
        org_id=org_id,
        target=f"org:{org_id}",
        detail={"need": need, "answer": 403 if visible else 404},
        via=via,
    )
    session.commit()


ReadOrg = Annotated[OrgContext, Depends(org_scope("read"))]
EditOrg = Annotated[OrgContext, Depends(org_scope("edit"))]
SubmitOrg = Annotated[OrgContext, Depends(org_scope("submit"))]
ManageOrg = Annotated[OrgContext, Depends(org_scope("manage"))]
AuditOrg = Annotated[OrgContext, Depends(org_scope("audit"))]
