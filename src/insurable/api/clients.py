"""Who is on the other end: the client address and scheme, believing proxies only when configured.

``X-Forwarded-For`` is a header anyone can send. It is read only when the TCP peer is one of the
configured ``trusted_proxies`` (none by default), and then from the right: the first address that
is not itself a trusted proxy is the client. So a local process cannot rotate the header to dodge
the login rate limit, and ``insurable serve`` runs uvicorn with its own proxy handling off.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def networks(raw: str) -> tuple[Network, ...]:
    """The trusted proxies of a setting string (validated by :class:`Settings`)."""
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in raw.split(",") if p.strip())


def _trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(request: HTTPConnection, trusted_proxies: str) -> str:
    """The client's address: the TCP peer, or what trusted proxies say is behind them."""
    peer = request.client.host if request.client else "unknown"
    trusted = networks(trusted_proxies)
    if not trusted or not _trusted(peer, trusted):
        return peer[:64]
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop[:64]
    return (hops[0] if hops else peer)[:64]


def client_scheme(request: HTTPConnection, trusted_proxies: str) -> str:
    """``https`` or ``http``: the request's own scheme, or a trusted proxy's ``X-Forwarded-Proto``."""
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if forwarded in ("http", "https") and _trusted(peer, networks(trusted_proxies)):
        return forwarded
    return request.url.scheme
