"""The fuzzing harness reuses the service test fixtures for the API checks."""

from tests.service.conftest import app, client, db_url, engine, make_user  # noqa: F401
