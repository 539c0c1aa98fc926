"""Stored portfolio runs (issue 17): a broker's or underwriter's runs of their book in the web app.

One row per run, kept for the user who started it. ``org_ids`` are the organisations the run
covered (the caller's visible organisations then): the page shows a run only while every one of them
is still visible to its owner. ``result`` is the report as data
(:func:`insurable.portfolio.report_io.report_to_json`) plus ``names``, the organisations' names as
they were, so a renamed client does not rewrite an old run. A run is ``running`` until its worker
finishes it as ``done`` or ``failed``; the worker's process (``worker``) refreshes ``heartbeat_at``
while it runs, so any process can tell a run whose process died (``failed``, ``error`` =
:data:`INTERRUPTED`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from insurable.store.models import Base
from insurable.store.types import utcnow

#: Where a run stands; only ``done`` runs carry a result.
RUN_STATES = ("running", "done", "failed")
#: ``error`` of a run whose process stopped before it finished (the page says so in nl and en).
INTERRUPTED = "interrupted"
#: ``error`` of a run with no organisation that could be modelled.
EMPTY = "empty"


class PortfolioRun(Base):
    __tablename__ = "portfolio_runs"
    __table_args__ = (Index(None, "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The user who started it; the run is theirs alone and goes with their account.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: Organisation ids covered (plain ids: the stale rule reads them, a deleted organisation hides the run).
    org_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    years: Mapped[int]
    seed: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(20))
    #: Simulated years so far (refreshed with the heartbeat while running).
    done_years: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    #: The process running it (host:pid:random) and when it last said it was alive.
    worker: Mapped[str] = mapped_column(String(120), default="")
    heartbeat_at: Mapped[dt.datetime | None]
    #: Why it failed: :data:`INTERRUPTED`, :data:`EMPTY` or the error's text.
    error: Mapped[str] = mapped_column(String(1000), default="")
    #: Organisations left out and why: [{"org_id", "name", "problems": [{"path", "reason"}]}].
    left_out: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: {"format", "report", "names"} once done (``report_io``), else null.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
