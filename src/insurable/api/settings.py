"""Service settings: one declarative list, read from ``INSURABLE_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, fields
from typing import Literal

from insurable.errors import Problem, raise_if
from insurable.store.db import database_url


@dataclass(frozen=True)
class Settings:
    """How the service runs. Each field can be set by ``INSURABLE_<FIELD NAME IN CAPITALS>``."""

    #: SQLAlchemy URL; default: SQLite in the user's data directory.
    database_url: str = ""
    #: Session cookie ``Secure`` flag: ``auto`` sets it when the request came over https.
    cookie_secure: Literal["auto", "always", "never"] = "auto"
    #: Lifetime of a login session, in seconds.
    session_seconds: int = 8 * 3600
    #: A session unused this long (seconds) ends, whatever its lifetime.
    idle_seconds: int = 30 * 60
    #: Login attempts allowed per client address within ``login_window_seconds``.
    login_rate: int = 10
    login_window_seconds: int = 60
    #: Failed logins for one account from one client address before each further attempt from
    #: there waits: ``throttle_base_seconds``, doubling per failure, at most ``lockout_seconds``.
    #: Other addresses (the real user's) are not slowed; an administrator can clear it at once.
    lockout_after: int = 5
    throttle_base_seconds: int = 30
    lockout_seconds: int = 15 * 60
    #: Worker processes that run submitted assessments (0: in the server process).
    assess_workers: int = 2
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 1_000_000
    #: Comma-separated addresses or networks of reverse proxies whose ``X-Forwarded-For`` and
    #: ``X-Forwarded-Proto`` are believed (e.g. ``127.0.0.1`` when nginx runs on this host). None by
    #: default: then the client address is the TCP peer, and nobody can spoof it with a header.
    trusted_proxies: str = ""
    #: Lifetime of a new API token when the request names none, and the longest allowed (days).
    token_days: int = 90
    token_max_days: int = 365
    #: Outside-in scans the service runs (docs/scanner.md). Private, loopback and other non-public
    #: addresses are refused unless this is on (``1``): for your own lab, and the tests.
    scan_allow_private: bool = False
    #: Scans the service may start for one organisation per hour (uploads are not counted).
    scans_per_hour: int = 4
    #: Largest scan file accepted for upload, in bytes (its canonical JSON).
    scan_max_bytes: int = 1_000_000
    #: Resolver ``HOST[:PORT]`` for service scans; empty: the system's.
    scan_dns_server: str = ""
    #: Ports swept, e.g. ``22,80,8000-8100``; empty: the insurers' critical-port list.
    scan_ports: str = ""
    #: Where the ``/.well-known/`` proof of control is fetched: ``PORT`` or ``PORT/https``, comma-separated.
    scan_well_known_ports: str = "443/https,80"
    #: Extra trusted CA certificates (PEM file) for the TLS checks.
    scan_ca_file: str = ""
    #: Seconds each network step of a service scan may take.
    scan_timeout_seconds: int = 3

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment; every malformed variable is reported at once."""
        values: dict[str, object] = {}
        problems: list[Problem] = []
        for f in fields(cls):
            raw = os.environ.get(f"INSURABLE_{f.name.upper()}")
            if raw is None:
                continue
            if isinstance(f.default, bool):
                if raw.strip().lower() not in ("0", "1", "true", "false", "yes", "no", "on", "off", ""):
                    problems.append(Problem(f"INSURABLE_{f.name.upper()}", f"expected 1 or 0 (on or off), not {raw!r}"))
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(f.default, int):
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    problems.append(Problem(f"INSURABLE_{f.name.upper()}", f"expected a whole number, not {raw!r}"))
            else:
                values[f.name] = raw
        if values.get("cookie_secure", "auto") not in ("auto", "always", "never"):
            problems.append(Problem("INSURABLE_COOKIE_SECURE", "expected auto, always or never"))
        problems += _proxy_problems(str(values.get("trusted_proxies", "")))
        raise_if(problems)
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        if not settings.database_url:
            settings = cls(**{**values, "database_url": database_url()})  # type: ignore[arg-type]
        return settings


def _proxy_problems(raw: str) -> list[Problem]:
    problems = []
    for item in filter(None, (p.strip() for p in raw.split(","))):
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            problems.append(Problem("INSURABLE_TRUSTED_PROXIES", f"{item!r} is not an IP address or network"))
    return problems
