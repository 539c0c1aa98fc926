"""Login throttling per account *and* source address, with progressive delay (issue 13, items 6 and 9).

A failed login from one address counts against that address only. After ``free`` failures each
further attempt from there must wait ``base`` seconds, doubling per failure up to ``cap``. So a
guesser slows only themselves: the real user, elsewhere, logs in as usual, and nobody can lock an
account by guessing at it. An administrator clears every throttle of an account at once.

Counts are kept with one atomic statement (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), so
parallel guesses on PostgreSQL cannot lose updates the way a read-then-increment in Python did.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from insurable.store.models import LoginThrottle, User


def delay(failures: int, *, free: int, base: float, cap: float) -> float:
    """Seconds to wait after ``failures`` failures: none for the first ``free``, then doubling."""
    if failures < free:
        return 0.0
    return float(min(cap, base * 2 ** min(failures - free, 40)))


def blocked_for(session: Session, account: str, source: str, now: dt.datetime) -> float:
    """Seconds this source must still wait before trying this account again (0 when it may)."""
    until = session.scalar(
        select(LoginThrottle.blocked_until).where(LoginThrottle.account == account, LoginThrottle.source == source)
    )
    return max(0.0, (until - now).total_seconds()) if until is not None else 0.0


def record_failure(
    session: Session, account: str, source: str, now: dt.datetime, *, free: int, base: float, cap: float
) -> int:
    """Count one failure atomically and set the delay it earns; returns the failures so far."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = insert(LoginThrottle).values(account=account, source=source, failures=1, updated_at=now)
    upsert = values.on_conflict_do_update(
        index_elements=[LoginThrottle.account, LoginThrottle.source],
        set_={"failures": LoginThrottle.failures + 1, "updated_at": now},
    ).returning(LoginThrottle.failures)
    failures = int(session.execute(upsert).scalar_one())
    wait = delay(failures, free=free, base=base, cap=cap)
    if wait:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.account == account, LoginThrottle.source == source)
            .values(blocked_until=now + dt.timedelta(seconds=wait))
        )
    session.execute(update(User).where(User.email == account).values(failed_logins=User.failed_logins + 1))
    return failures


def clear(session: Session, account: str, source: str | None = None) -> None:
    """Forget the failures of an account from one source (after a good login) or from all (unlock)."""
    query = delete(LoginThrottle).where(LoginThrottle.account == account)
    if source is not None:
        query = query.where(LoginThrottle.source == source)
    session.execute(query)
    session.execute(update(User).where(User.email == account, User.failed_logins != 0).values(failed_logins=0))
