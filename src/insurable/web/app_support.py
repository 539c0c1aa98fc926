"""Small pieces every web route uses: the database session, the catalogue, redirects, error pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from insurable.catalog.loader import Catalog


@contextmanager
def db(request: Request) -> Iterator[Session]:
    """A session per request, rolled back and closed at the end (as the API's ``db`` dependency)."""
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def catalog(request: Request) -> Catalog:
    found: Catalog = request.app.state.catalog()
    return found


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def local(url: str | None, default: str = "/") -> str:
    """``url`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url or "\x00" in url:
        return default
    return url


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="/")
