"""Repository of stored portfolio runs (issue 17), every query scoped to the user it is given.

A run belongs to the user who started it and to nobody else (not even an administrator reads
another user's run here). Whether the user may still see it (every organisation in it still
visible) is the caller's check, :func:`covers`. Writes are flushed, not committed, as in
:mod:`insurable.store.repo`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from insurable.store.models import User
from insurable.store.portfolio_models import INTERRUPTED, PortfolioRun


def runs(session: Session, user: User, *, limit: int = 10) -> Sequence[PortfolioRun]:
    """The user's runs, newest first."""
    query = select(PortfolioRun).where(PortfolioRun.user_id == user.id).order_by(PortfolioRun.id.desc()).limit(limit)
    return session.scalars(query).all()


def run(session: Session, user: User, run_id: int) -> PortfolioRun | None:
    """The user's run ``run_id``; ``None`` when there is none or it is someone else's."""
    found = session.get(PortfolioRun, run_id)
    return found if found is not None and found.user_id == user.id else None


def covers(row: PortfolioRun, visible: Iterable[int]) -> bool:
    """Whether every organisation in the run is among ``visible`` (else the run is stale: hidden)."""
    return set(map(int, row.org_ids)) <= set(visible)


def interrupt(session: Session, row: PortfolioRun, now: dt.datetime) -> bool:
    """Finish a run whose process is gone as failed (:data:`INTERRUPTED`), once: ``False`` when
    another request or the worker finished it first."""
    done = session.execute(
        update(PortfolioRun)
        .where(PortfolioRun.id == row.id, PortfolioRun.state == "running")
        .values(state="failed", error=INTERRUPTED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return bool(getattr(done, "rowcount", 0))


def prune(session: Session, user: User, keep: int) -> int:
    """Delete the user's finished runs beyond the newest ``keep`` (running ones stay); how many went."""
    newest = select(PortfolioRun.id).where(PortfolioRun.user_id == user.id).order_by(PortfolioRun.id.desc())
    kept = set(session.scalars(newest.limit(keep)).all())
    old = [i for i in session.scalars(newest.where(PortfolioRun.state != "running")).all() if i not in kept]
    if old:
        session.execute(
            delete(PortfolioRun).where(PortfolioRun.id.in_(old)).execution_options(synchronize_session=False)
        )
    return len(old)
