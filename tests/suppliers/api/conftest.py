"""The service fixtures (a fresh database, the app, users with tokens) for the supplier API tests."""

from __future__ import annotations

from tests.service.conftest import app, catalog, client, db_url, engine, make_user  # noqa: F401 - fixtures
