"""Stateful schemathesis against the running service (uvicorn on 127.0.0.1): it follows the schema's
OpenAPI links (a new organisation's id into its profile, answers, members, submit; a submitted
assessment's id into reading it back), so requests reach real resources instead of 404s.

Time-boxed: ``INSURABLE_STATEFUL_EXAMPLES`` scenarios of at most ``INSURABLE_STATEFUL_STEPS`` calls
(default 30 x 8 in ``make test``; ``.ci/run`` runs a deeper pass under ``timeout``). No response may be
a 5xx and every response must match its documented status, content type and schema.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.service.conftest import MakeUser
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


def test_stateful_walk_through_the_running_service(app: FastAPI, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    with live_server(app) as base:
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
        # Logging out or revoking the caller's own token would end the walk early.
        schema = schema.exclude(path_regex=r"/(auth/logout|me/tokens/\{token_id\}|auth/logout-everywhere)")
        machine = schema.as_state_machine()
        reached: list[tuple[str, str, int]] = []

        class Walk(machine):  # type: ignore[misc, valid-type]
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
