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
from sqlalchemy.orm import Session

from insurable.api.deps import CSRF_HEADER, SESSION_COOKIE, Principal, audit_denial, session_user
from insurable.api.security import same
from insurable.store import repo
from insurable.store.access import Capability, NoAccess, Relation, authorise
from insurable.store.models import Organisation, User

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
    """The logged-in user behind the session cookie, or ``None`` (expired, idle too long, disabled)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    login, user = session_user(request, session, cookie)
    if login is None or user is None:
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


def org_for(
    session: Session, who: Principal, org_id: int, need: Capability, *, viewing: str = "", target: str = ""
) -> WebOrg:
    """The organisation if ``who`` has capability ``need`` on it; 404 when it is none of theirs.

    A refusal leaves an ``access.denied`` audit line; ``viewing`` names the audit action of a page
    view (``profile.view``, ...), written and committed at once.
    """
    try:
        org, found = authorise(session, who.user, org_id, need)
    except NoAccess as exc:
        audit_denial(session, who.user, org_id, need, "web", visible=exc.visible)
        raise WebError(403 if exc.visible else 404, "forbidden" if exc.visible else "not_found") from exc
    if viewing:
        repo.audit(session, who.user, viewing, org_id=org.id, target=target or viewing.split(".")[0], via="web")
        session.commit()
    return WebOrg(session=session, principal=who, org=org, relation=found)


def can(relation: Relation, need: Capability) -> bool:
    from insurable.store.access import CAPABILITIES

    return need in CAPABILITIES[relation]
