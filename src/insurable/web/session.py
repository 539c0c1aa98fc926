"""The web app's view of the service's login session: the same cookie, the same CSRF token.

A browser logs in through the API's own login handler (:func:`insurable.api.routes.auth.login`), so
web and API share one ``LoginSession`` row, one cookie and one synchronizer CSRF token. The API
expects that token in the ``X-CSRF-Token`` header; plain HTML forms send it as the ``csrf_token``
field instead (htmx requests send both). Organisation access always goes through
:func:`insurable.store.access.authorise`, the service's single tenant gate.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from insurable.api.deps import CSRF_HEADER, SESSION_COOKIE, Principal
from insurable.api.security import same, token_hash
from insurable.store.access import Capability, NoAccess, Relation, authorise
from insurable.store.models import LoginSession, Organisation, User
from insurable.store.types import utcnow

CSRF_FIELD = "csrf_token"
#: Double-submit cookie that protects the login form itself (there is no session yet).
LOGIN_CSRF_COOKIE = "insurable_login_csrf"


class WebError(Exception):
    """Answer with an HTML error page (``status`` 403, 404, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LoginRequired(Exception):
    """No valid session: send the browser to the login page."""


def principal(request: Request, session: Session) -> Principal | None:
    """The logged-in user behind the session cookie, or ``None``."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(cookie)))
    if login is None or login.expires_at <= utcnow():
        return None
    user = session.get(User, login.user_id)
    if user is None:
        return None
    return Principal(user=user, via="cookie", login=login)


def require(request: Request, session: Session) -> Principal:
    found = principal(request, session)
    if found is None:
        raise LoginRequired()
    return found


def check_csrf(request: Request, who: Principal, sent: str | None) -> None:
    """Refuse a state-changing web request without the session's CSRF token (field or header)."""
    token = sent or request.headers.get(CSRF_HEADER, "")
    assert who.login is not None
    if not token or not same(token, who.login.csrf_token):
        raise WebError(403, "csrf")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class WebOrg:
    """An organisation the caller may act on (from the service's tenant gate)."""

    session: Session
    principal: Principal
    org: Organisation
    relation: Relation

    @property
    def user(self) -> User:
        return self.principal.user


def org_for(session: Session, who: Principal, org_id: int, need: Capability) -> WebOrg:
    """The organisation if ``who`` has capability ``need`` on it; 404 when it is none of theirs."""
    try:
        org, found = authorise(session, who.user, org_id, need)
    except NoAccess as exc:
        raise WebError(403 if exc.visible else 404, "forbidden" if exc.visible else "not_found") from exc
    return WebOrg(session=session, principal=who, org=org, relation=found)


def can(relation: Relation, need: Capability) -> bool:
    from insurable.store.access import CAPABILITIES

    return need in CAPABILITIES[relation]
