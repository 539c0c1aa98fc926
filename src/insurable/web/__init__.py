"""The web app: questionnaire, results and reports in Dutch and English (docs/web.md).

Server-rendered Jinja2 enhanced by a vendored htmx (no CDN; every form also works without
JavaScript). It runs inside the service's FastAPI app and uses its login session, CSRF token,
tenant gate (:mod:`insurable.store.access`), repositories and audit trail. :func:`install` is
called once from :func:`insurable.api.app.create_app`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Add the web pages, the static files and the HTML error pages to ``app``."""
    from insurable.web import account, interchange, offers, pages, portfolio, results, scans, sharing, suppliers
    from insurable.web.app_support import login_url
    from insurable.web.i18n import _
    from insurable.web.render import page
    from insurable.web.session import LoginRequired, WebError

    messages = {
        "not_found": _("This page does not exist, or it is not shared with you."),
        "forbidden": _("Your role does not allow this."),
        "csrf": _("The form expired or came from elsewhere. Go back, reload the page and try again."),
    }

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        return RedirectResponse(login_url(request), status_code=303)

    @app.exception_handler(WebError)
    async def _error(request: Request, exc: WebError) -> Response:
        return page(request, "error.html", status_code=exc.status, message=messages.get(exc.message, exc.message))

    app.include_router(pages.router)
    app.include_router(account.router)
    app.include_router(results.router)
    app.include_router(interchange.router)  # Excel workbook download/upload (docs/interchange.md)
    app.include_router(offers.router)
    app.include_router(suppliers.router)
    app.include_router(sharing.router)
    app.include_router(scans.router)  # outside-in scans (issue 16)
    app.include_router(portfolio.router)  # the book under systemic events (docs/portfolio.md)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


__all__ = ["install"]
