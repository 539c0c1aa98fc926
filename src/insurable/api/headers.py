"""Security headers on every response, web and API alike (an ASGI middleware).

- ``Content-Security-Policy``: scripts, styles, images, fonts and forms from this site only (the
  web app vendors htmx; no CDN), no plugins, no ``<base>`` games, and ``frame-ancestors 'none'``
  so no other site can frame a page (clickjacking). Neither inline scripts nor inline styles run
  (``style-src 'self'``): pages take their look from ``/static/app.css`` and the server-drawn SVG
  charts use presentation attributes (``fill=``, ``stroke=``), which CSP does not govern. The one
  standalone document, the downloadable HTML board report, carries its own stylesheet (it must
  look right opened from disk and in WeasyPrint's PDF); it is served as an attachment under
  :func:`document_csp`, which admits exactly that stylesheet by its hash and nothing else.
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (older browsers),
  ``Referrer-Policy: no-referrer`` (organisation ids in URLs stay here).
- ``Strict-Transport-Security`` when the request came over https (directly or through a trusted
  proxy), so a browser never falls back to plain http.
- ``Cache-Control: no-store`` on everything except the static files: pages, reports, API answers
  and the reply that shows a new token's secret hold tenant data that no shared or browser cache
  may keep.

The middleware wraps the whole application, Starlette's error middleware included
(:class:`insurable.api.app.Service`), so a 500 answer from an unexpected exception carries the
same headers and ``no-store`` as any other.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from insurable.api.clients import client_scheme

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIX = "/static/"
_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def document_csp(html: str) -> str:
    """The policy for a standalone HTML document served as a download (the board report): nothing
    may load or run except the document's own ``<style>`` blocks, admitted by their SHA-256 hash."""
    hashes = (
        " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode("ascii") + "'"
            for block in _STYLE_BLOCK.findall(html)
        )
        or "'none'"
    )
    return (
        f"default-src 'none'; style-src {hashes}; img-src data:; "
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    )


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
