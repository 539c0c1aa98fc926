"""The web app fixtures for the workbook page, shared with tests/web."""

from tests.web.conftest import make_account, web_app, web_db_url, web_engine  # noqa: F401
