"""Login and logout: rate-limited, with account lockout, issuing a session cookie and a CSRF token."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from sqlalchemy import delete

from insurable.api.deps import DB, SESSION_COOKIE, Caller
from insurable.api.problems import ApiProblem
from insurable.api.schemas import LoginIn, LoginOut, UserOut
from insurable.api.security import hash_password, needs_rehash, new_token, token_hash, verify_password
from insurable.api.settings import Settings
from insurable.store import repo
from insurable.store.models import LoginSession
from insurable.store.types import utcnow

router = APIRouter(prefix="/auth", tags=["auth"])

BAD_LOGIN = "wrong e-mail or password, or the account is locked for a while after repeated failures"


def _secure(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure == "auto":
        return request.url.scheme == "https"
    return settings.cookie_secure == "always"


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, session: DB) -> LoginOut:
    """Log in with e-mail and password; sets an HttpOnly, SameSite=Strict session cookie."""
    settings: Settings = request.app.state.settings
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.login_limiter.hit(client)
    if wait is not None:
        raise ApiProblem(429, "too many login attempts; wait and retry", headers={"Retry-After": str(int(wait) + 1)})
    user = repo.user_by_email(session, body.email)
    now = utcnow()
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    valid = verify_password(user.password_hash if user else None, body.password)
    if user is None or locked or not valid:
        if user is not None and not locked:
            user.failed_logins += 1
            if user.failed_logins >= settings.lockout_after:
                user.locked_until = now + dt.timedelta(seconds=settings.lockout_seconds)
                user.failed_logins = 0
                repo.audit(session, user, "login.locked", target=f"user:{user.id}")
        repo.audit(session, user, "login.failure", target=body.email[:200], detail={"client": client})
        session.commit()
        raise ApiProblem(401, BAD_LOGIN)
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(body.password)
    cookie = new_token()
    expires = now + dt.timedelta(seconds=settings.session_seconds)
    created = LoginSession(user_id=user.id, token_hash=token_hash(cookie), csrf_token=new_token(), expires_at=expires)
    session.add(created)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at < now))
    repo.audit(session, user, "login.success", target=f"user:{user.id}", detail={"client": client}, via="cookie")
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=settings.session_seconds,
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
        path="/",
    )
    return LoginOut(
        user=UserOut.model_validate(user, from_attributes=True), csrf_token=created.csrf_token, expires_at=expires
    )


@router.post("/logout", status_code=204)
def logout(principal: Caller, session: DB, response: Response) -> None:
    """End the cookie session (API tokens are revoked at /me/tokens instead)."""
    if principal.login is not None:
        session.execute(delete(LoginSession).where(LoginSession.id == principal.login.id))
    repo.audit(session, principal.user, "logout", target=f"user:{principal.user.id}", via=principal.via)
    session.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
