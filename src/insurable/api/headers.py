"""Security headers on every response, web and API alike (an ASGI middleware).

- ``Content-Security-Policy``: scripts, styles, images, fonts and forms from this site only (the
  web app vendors htmx; no CDN), no plugins, no ``<base>`` games, and ``frame-ancestors 'none'``
  so no other site can frame a page (clickjacking). Inline styles stay allowed: the HTML report and
  the server-drawn SVG charts carry them; inline *scripts* do not run.
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (older browsers),
  ``Referrer-Policy: no-referrer`` (organisation ids in URLs stay here).
- ``Strict-Transport-Security`` when the request came over https (directly or through a trusted
  proxy), so a browser never falls back to plain http.
- ``Cache-Control: no-store`` on everything except the static files: pages, reports, API answers
  and the reply that shows a new token's secret hold tenant data that no shared or browser cache
  may keep.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from insurable.api.clients import client_scheme

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIX = "/static/"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, trusted_proxies: str = "") -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = client_scheme(HTTPConnection(scope), self.trusted_proxies) == "https"
        static = scope.get("path", "").startswith(STATIC_PREFIX)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
