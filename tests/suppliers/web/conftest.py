"""The web app fixtures (a fresh database, the app with the full catalogue, accounts) for the supplier pages."""

from __future__ import annotations

from tests.web.conftest import make_account, web_app, web_db_url, web_engine  # noqa: F401 - fixtures
