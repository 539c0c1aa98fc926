"""The portfolio page's background runs (issue 17): the worker, its heartbeat, and which stored runs
are still alive.

A run's state lives in the database (:class:`insurable.store.portfolio_models.PortfolioRun`): the
request that starts it inserts it ``running``; the worker (one thread per process, runs queue) writes
``done`` with the report or ``failed`` with the error. Only the progress of a run is kept in memory
(:data:`_LIVE`), and a heartbeat thread copies it to the row every :data:`HEARTBEAT_SECONDS`
together with ``heartbeat_at``. So any process can tell whether a ``running`` row is still being
worked on (:func:`alive`): it is in this process's worker, or another process refreshed it within
:data:`STALE_AFTER`. A row that is neither belongs to a process that died (a restart, a crash, an
out-of-memory kill); the next request that reads it finishes it as ``failed`` / ``interrupted``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from insurable.store.portfolio_models import INTERRUPTED, PortfolioRun
from insurable.store.types import utcnow

log = logging.getLogger("insurable.portfolio")

#: How often a live run's row is refreshed, and after how long without a refresh its process counts
#: as gone (several missed beats: a busy database or a long block does not end a run).
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = dt.timedelta(seconds=45)

Sessions = Callable[[], Session]
_TOKEN = secrets.token_hex(4)


def worker_id() -> str:
    """This process, as written into the rows it runs (host, pid and a random part: a restarted
    container reuses pids; the pid is read each time, so forked workers differ)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{_TOKEN}"


@dataclass
class Live:
    """A run this process's worker holds (queued or running): where its row is and its progress."""

    sessions: Sessions
    run_id: int
    done_years: int = 0


_LIVE: dict[tuple[str, int], Live] = {}
_LOCK = threading.Lock()
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="portfolio")
_BEAT: threading.Thread | None = None


def database_key(sessions: Sessions) -> str:
    """Which database a session factory writes to (run ids are unique per database only)."""
    bind = getattr(sessions, "kw", {}).get("bind")
    url = getattr(bind, "url", None)
    return url.render_as_string(hide_password=True) if url is not None else str(id(sessions))


def live(sessions: Sessions, run_id: int) -> Live | None:
    with _LOCK:
        return _LIVE.get((database_key(sessions), run_id))


def alive(sessions: Sessions, row: PortfolioRun, now: dt.datetime) -> bool:
    """Whether a ``running`` row is still being worked on, here or in another live process."""
    if row.state != "running":
        return False
    if live(sessions, row.id) is not None:
        return True
    if row.worker == worker_id():
        return False  # ours, and our worker no longer holds it: it stopped without finishing the row
    beat = row.heartbeat_at or row.started_at
    return now - beat < STALE_AFTER


def done_years(sessions: Sessions, row: PortfolioRun) -> int:
    """The run's progress: this process's figure if it runs here, else the one the heartbeat stored."""
    found = live(sessions, row.id)
    return max(row.done_years, found.done_years if found is not None else 0)


def reserve(sessions: Sessions, run_id: int) -> Live:
    """Hold run ``run_id`` in this process before its row is committed, so that no request in
    between takes the new ``running`` row for one whose process died."""
    entry = Live(sessions, run_id)
    with _LOCK:
        _LIVE[(database_key(sessions), run_id)] = entry
    return entry


def release(entry: Live) -> None:
    """Let go of a run this process holds (its row was not committed, or the worker finished it)."""
    with _LOCK:
        _LIVE.pop((database_key(entry.sessions), entry.run_id), None)


def submit(entry: Live, years: int, seed: int, insureds: Sequence[Any], names: dict[str, str], systemic: Any) -> None:
    """Queue a reserved run, whose ``running`` row is committed, on this process's worker."""
    _start_heartbeat()
    _POOL.submit(_simulate, entry, years, seed, insureds, names, systemic)


def _simulate(
    entry: Live, years: int, seed: int, insureds: Sequence[Any], names: dict[str, str], systemic: Any
) -> None:
    """The worker: analyse the book and finish the row as done or failed (never raises)."""
    from insurable.portfolio.pipeline import analyse
    from insurable.portfolio.report_io import report_to_json

    def progress(done: int, _total: int) -> None:
        entry.done_years = done

    state, error, result = "failed", "", None
    try:
        # every insured's contribution is kept (the CSV download lists them all; the page shows ten)
        analysis = analyse(insureds, systemic, years=years, seed=seed, threads=1, progress=progress, top=len(insureds))
        result = {**report_to_json(analysis.report), "names": names}
        state = "done"
    except Exception as exc:  # noqa: BLE001 - a background run has nobody to raise to: the row records it
        log.exception("portfolio run %s failed", entry.run_id)
        error = (str(exc) or type(exc).__name__)[:1000]
    try:
        with entry.sessions() as session:
            session.execute(
                update(PortfolioRun)
                # a run another process took for dead (a missed heartbeat) still gets its true outcome
                .where(PortfolioRun.id == entry.run_id, _unfinished())
                .values(
                    state=state,
                    error=error,
                    result=result,
                    finished_at=utcnow(),
                    heartbeat_at=utcnow(),
                    done_years=years if state == "done" else entry.done_years,
                )
            )
            session.commit()
    except Exception:  # noqa: BLE001 - the row stays running with our worker id: readers mark it interrupted
        log.exception("portfolio run %s: the result could not be stored", entry.run_id)
    finally:
        release(entry)


def _unfinished() -> Any:
    return or_(PortfolioRun.state == "running", and_(PortfolioRun.state == "failed", PortfolioRun.error == INTERRUPTED))


def _start_heartbeat() -> None:
    global _BEAT  # noqa: PLW0603 - one heartbeat thread per process, started with the first run
    with _LOCK:
        if _BEAT is not None:
            return
        _BEAT = threading.Thread(target=_heartbeat, name="portfolio-heartbeat", daemon=True)
        _BEAT.start()


def _heartbeat() -> None:
    """Refresh every live run's row (progress and ``heartbeat_at``) until none is left."""
    global _BEAT  # noqa: PLW0603 - cleared under the lock, so a run submitted now starts a new one
    stop = threading.Event()
    while True:
        with _LOCK:
            entries = list(_LIVE.values())
            if not entries:
                _BEAT = None
                return
        beat(entries)
        stop.wait(HEARTBEAT_SECONDS)


def beat(entries: Sequence[Live]) -> None:
    """One heartbeat for ``entries`` (a failure is logged: a missed beat is not an error)."""
    for entry in entries:
        try:
            with entry.sessions() as session:
                session.execute(
                    update(PortfolioRun)
                    .where(PortfolioRun.id == entry.run_id, PortfolioRun.state == "running")
                    .values(heartbeat_at=utcnow(), done_years=entry.done_years, worker=worker_id())
                )
                session.commit()
        except Exception:  # noqa: BLE001
            log.warning("portfolio run %s: heartbeat failed", entry.run_id, exc_info=True)
