"""Login and logout: rate-limited per address, throttled per account and address, a session cookie
with a CSRF token, and "log out everywhere".

The password check (argon2, tens of milliseconds by design) runs with no database transaction
open, so a login flood never holds SQLite's write lock; the failure count is one atomic statement.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import delete, update

from insurable.api.clients import client_address, client_scheme
from insurable.api.deps import DB, SESSION_COOKIE, Caller
from insurable.api.problems import ApiProblem
from insurable.api.schemas import LoginIn, LoginOut, UserOut
from insurable.api.security import hash_password, needs_rehash, new_token, token_hash, verify_password
from insurable.api.settings import Settings
from insurable.store import repo, throttle
from insurable.store.models import ApiToken, LoginSession, User
from insurable.store.types import utcnow

router = APIRouter(prefix="/auth", tags=["auth"])

BAD_LOGIN = "wrong e-mail or password"
SLOW_DOWN = "too many failed logins for this account from your address; wait and retry"


def secure_cookies(request: Request, settings: Settings) -> bool:
    """Whether cookies get the ``Secure`` flag: over https (or a trusted proxy's https), or always."""
    if settings.cookie_secure == "auto":
        return client_scheme(request, settings.trusted_proxies) == "https"
    return settings.cookie_secure == "always"


def _limited(seconds: float, detail: str) -> ApiProblem:
    return ApiProblem(429, detail, headers={"Retry-After": str(int(seconds) + 1)})


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, session: DB) -> LoginOut:
    """Log in with e-mail and password; sets an HttpOnly, SameSite=Strict session cookie.

    Unknown e-mail, wrong password and a disabled account all answer the same 401. After
    ``lockout_after`` failures for one account from one address, that address waits (429 with
    ``Retry-After``), doubling per further failure; other addresses are not affected.
    """
    settings: Settings = request.app.state.settings
    client = client_address(request, settings.trusted_proxies)
    wait = request.app.state.login_limiter.hit(client)
    if wait is not None:
        raise _limited(wait, "too many login attempts; wait and retry")
    account = body.email.strip().lower()[:254]
    now = utcnow()
    blocked = throttle.blocked_for(session, account, client, now)
    if blocked:
        raise _limited(blocked, SLOW_DOWN)
    user = repo.user_by_email(session, account)
    session.commit()  # no transaction is open while argon2 runs
    valid = verify_password(user.password_hash if user else None, body.password)
    if user is None or user.disabled_at is not None or not valid:
        failures = throttle.record_failure(
            session,
            account,
            client,
            now,
            free=settings.lockout_after,
            base=settings.throttle_base_seconds,
            cap=settings.lockout_seconds,
        )
        wait = throttle.delay(
            failures, free=settings.lockout_after, base=settings.throttle_base_seconds, cap=settings.lockout_seconds
        )
        detail = {"client": client, "failures": failures, "wait_seconds": wait}
        if user is not None and user.disabled_at is not None:
            detail["disabled"] = True
        repo.audit(session, user, "login.failure", target=account[:200], detail=detail)
        session.commit()
        raise ApiProblem(401, BAD_LOGIN)
    throttle.clear(session, account, client)
    if needs_rehash(user.password_hash):
        session.execute(update(User).where(User.id == user.id).values(password_hash=hash_password(body.password)))
    cookie = new_token()
    expires = now + dt.timedelta(seconds=settings.session_seconds)
    created = LoginSession(
        user_id=user.id, token_hash=token_hash(cookie), csrf_token=new_token(), expires_at=expires, last_seen_at=now
    )
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
        secure=secure_cookies(request, settings),
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


@router.post("/logout-everywhere", status_code=204)
def logout_everywhere(
    principal: Caller,
    session: DB,
    response: Response,
    tokens: Annotated[bool, Query(description="also revoke every API token of the account")] = False,
) -> None:
    """End every session of your account, on every device (and with ``tokens=true`` every API token)."""
    end_sessions(session, principal.user, revoke_tokens=tokens)
    repo.audit(
        session, principal.user, "logout.everywhere", target=f"user:{principal.user.id}", detail={"tokens": tokens}
    )
    session.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")


def end_sessions(session: DB, user: User, *, revoke_tokens: bool, keep: LoginSession | None = None) -> None:
    """Delete the account's login sessions (but ``keep``), and revoke its tokens if asked."""
    query = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    session.execute(query)
    if revoke_tokens:
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
