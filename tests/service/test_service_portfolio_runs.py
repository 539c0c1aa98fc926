"""Stored portfolio runs (issue 17) in the store, on SQLite and on PostgreSQL (.ci/with-postgres):
the JSON result round-trips, queries are scoped to the user, a dead run is finished once as
interrupted, old runs are pruned, and the stale rule reads the stored organisation ids."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from insurable.store import portfolio_runs
from insurable.store.db import make_sessionmaker, upgrade
from insurable.store.models import User
from insurable.store.portfolio_models import INTERRUPTED, PortfolioRun
from insurable.store.types import utcnow

RESULT = {
    "format": 1,
    "report": {"years": 1000, "curve": [{"return_period": 200.0, "aep": 1234567.891011, "oep": 0.1}]},
    "names": {"org-1": "Klant Één BV", "org-2": 'Klant "Twee" BV'},
}


def _users(session: Session) -> tuple[User, User]:
    a, b = (User(email=f"{n}@broker.example", name=n, kind="broker", password_hash="x") for n in ("a", "b"))
    session.add_all([a, b])
    session.flush()
    return a, b


def _run(user: User, state: str = "done", **values: object) -> PortfolioRun:
    return PortfolioRun(user_id=user.id, org_ids=[1, 2], years=1000, seed=20261201, state=state, **values)


def test_runs_are_stored_per_user_with_their_result(engine: Engine) -> None:
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        a, b = _users(session)
        session.add(_run(a, result=RESULT, left_out=[{"org_id": 3, "name": "Half BV", "problems": []}]))
        session.add(_run(a, state="failed", error="boom"))
        session.add(_run(b))
        session.commit()
        a_id, b_id = a.id, b.id
    with sessions() as session:
        a, b = session.get(User, a_id), session.get(User, b_id)
        assert a is not None and b is not None
        mine = portfolio_runs.runs(session, a)
        assert [r.state for r in mine] == ["failed", "done"]  # newest first, only a's
        done = mine[1]
        assert done.result == RESULT and done.left_out[0]["name"] == "Half BV"
        assert done.started_at.tzinfo is not None and done.finished_at is None
        assert portfolio_runs.run(session, a, done.id) is not None
        assert portfolio_runs.run(session, b, done.id) is None  # b never reads a's run
        theirs = portfolio_runs.runs(session, b)[0]
        assert portfolio_runs.run(session, a, theirs.id) is None
        assert portfolio_runs.covers(done, [1, 2, 5]) and not portfolio_runs.covers(done, [2, 5])


def test_an_interrupted_run_is_finished_once_and_old_runs_are_pruned(engine: Engine) -> None:
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        a, _b = _users(session)
        rows = [_run(a, state="running", worker="gone:1:x")] + [_run(a) for _ in range(4)]
        session.add_all(rows)
        session.commit()
        now = utcnow()
        assert portfolio_runs.interrupt(session, rows[0], now) is True
        session.commit()
        assert rows[0].state == "failed" and rows[0].error == INTERRUPTED and rows[0].finished_at is not None
        assert portfolio_runs.interrupt(session, rows[0], now + dt.timedelta(seconds=1)) is False  # only once
        running = _run(a, state="running")
        session.add(running)
        session.flush()
        assert portfolio_runs.prune(session, a, keep=2) == 4  # the oldest finished ones; a running one stays
        session.commit()
        assert [r.id for r in portfolio_runs.runs(session, a)] == [running.id, rows[-1].id]
        assert portfolio_runs.prune(session, a, keep=0) == 1  # keep=0: every finished run, never a running one
        session.commit()
        assert [r.id for r in portfolio_runs.runs(session, a)] == [running.id]
