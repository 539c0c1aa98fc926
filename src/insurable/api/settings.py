"""Service settings: one declarative list, read from ``INSURABLE_*`` environment variables."""

from __future__ import annotations

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
    #: Login attempts allowed per client address within ``login_window_seconds``.
    login_rate: int = 10
    login_window_seconds: int = 60
    #: Consecutive failed logins after which an account is locked, and for how long (seconds).
    lockout_after: int = 5
    lockout_seconds: int = 15 * 60
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 1_000_000

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment; every malformed variable is reported at once."""
        values: dict[str, object] = {}
        problems: list[Problem] = []
        for f in fields(cls):
            raw = os.environ.get(f"INSURABLE_{f.name.upper()}")
            if raw is None:
                continue
            if isinstance(f.default, int):
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    problems.append(Problem(f"INSURABLE_{f.name.upper()}", f"expected a whole number, not {raw!r}"))
            else:
                values[f.name] = raw
        if values.get("cookie_secure", "auto") not in ("auto", "always", "never"):
            problems.append(Problem("INSURABLE_COOKIE_SECURE", "expected auto, always or never"))
        raise_if(problems)
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        if not settings.database_url:
            settings = cls(**{**values, "database_url": database_url()})  # type: ignore[arg-type]
        return settings
