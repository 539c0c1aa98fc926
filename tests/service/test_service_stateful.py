"""Stateful schemathesis against the running service (uvicorn on 127.0.0.1): it follows the schema's
OpenAPI links (a new organisation's id into its profile, answers, members, submit; a submitted
assessment's id into reading it back), so requests reach real resources instead of 404s.

Time-boxed: ``INSURABLE_STATEFUL_EXAMPLES`` scenarios of at most ``INSURABLE_STATEFUL_STEPS`` calls
(default 30 x 8 in ``make test``; ``.ci/run`` runs a deeper pass under ``timeout``). No response may be
a 5xx and every response must match its documented status, content type and schema.

Every scenario starts from the same state: a fresh database (a SQLite file, or a PostgreSQL schema),
migrated, holding only the walking user and its token, and a fresh login limiter. Hypothesis replays
and extends earlier scenarios' choices and requires the same choices to lead to the same draws; on a
database that kept the earlier scenarios' organisations, scans and refusals, the same calls answered
differently, a link's bundle stayed empty, and Hypothesis stopped the walk with
``FlakyStrategyDefinition`` (seen once in CI on PostgreSQL).
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import Engine, select

from insurable.api.security import RateLimiter
from insurable.store.db import make_engine, make_sessionmaker, upgrade
from insurable.store.models import ApiToken, User
from tests.service.conftest import Account, MakeUser, database_url
from tests.service.live import live_server

EXAMPLES = int(os.environ.get("INSURABLE_STATEFUL_EXAMPLES", "30"))
STEPS = int(os.environ.get("INSURABLE_STATEFUL_STEPS", "8"))


def test_links_name_real_operations(app: FastAPI) -> None:
    schema = app.openapi()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    links = [
        link
        for path in schema["paths"].values()
        for op in path.values()
        for response in op["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) >= 11
    assert {link["operationId"] for link in links} <= operations


@contextmanager
def fresh_database(directory: Path, sessions: Any, owner: Account) -> Iterator[Engine]:
    """A new, migrated database holding only ``owner`` and its token, copied from the database of
    ``sessions`` (so the same id, password hash and bearer token)."""
    directory.mkdir()
    urls = database_url(directory)
    engine = make_engine(next(urls))
    try:
        upgrade(engine)
        with sessions() as old, make_sessionmaker(engine)() as new:
            user = old.get(User, owner.id)
            token = old.scalars(select(ApiToken).where(ApiToken.user_id == owner.id)).one()
            assert user is not None
            new.add(
                User(id=user.id, email=user.email, name=user.name, kind=user.kind, password_hash=user.password_hash)
            )
            new.flush()
            new.add(ApiToken(user_id=user.id, name=token.name, token_hash=token.token_hash, prefix=token.prefix))
            new.commit()
        yield engine
    finally:
        # the server thread returns a request's connection just after its response went out
        deadline = time.monotonic() + 10
        while getattr(engine.pool, "checkedout", lambda: 0)() and time.monotonic() < deadline:
            time.sleep(0.005)
        engine.dispose()
        urls.close()  # drops the PostgreSQL schema


def test_stateful_walk_through_the_running_service(app: FastAPI, make_user: MakeUser, tmp_path: Path) -> None:
    owner = make_user("owner@example.nl")
    original = (app.state.engine, app.state.sessions, app.state.login_limiter)
    scenarios = itertools.count()
    with live_server(app) as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        # Logging out or revoking the caller's own token would end the walk early.
        schema = schema.exclude(path_regex=r"/(auth/logout|me/tokens/\{token_id\}|auth/logout-everywhere)")
        machine = schema.as_state_machine()
        reached: list[tuple[str, str, int]] = []

        class Walk(machine):  # type: ignore[misc, valid-type]
            def setup(self) -> None:  # each scenario: a fresh database and login limiter
                super().setup()
                self.database = fresh_database(tmp_path / f"scenario-{next(scenarios)}", original[1], owner)
                engine = self.database.__enter__()
                limits = app.state.settings
                app.state.engine = engine
                app.state.sessions = make_sessionmaker(engine)
                app.state.login_limiter = RateLimiter(limits.login_rate, limits.login_window_seconds)

            def teardown(self) -> None:
                app.state.engine, app.state.sessions, app.state.login_limiter = original
                self.database.__exit__(None, None, None)
                super().teardown()

            def after_call(self, response: Any, case: Any) -> None:
                super().after_call(response, case)
                reached.append((case.method, case.path, response.status_code))

            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                return {"headers": owner.auth}

            def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
                case.validate_response(response, excluded_checks=[positive_data_acceptance])

        Walk.run(
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
        )
    linked = {(m, p) for m, p, status in reached if "{org_id}" in p and status < 300}
    assert linked, "the walk never reached an organisation it had created: are the links followed?"
