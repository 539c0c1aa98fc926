"""The portfolio page in a real browser (Playwright on Debian's Chromium, as tests/web): a broker
starts a run, htmx polls until the result replaces the progress, the stored run is listed with its
downloads, the page fits a 390 px phone
without scrolling sideways and axe-core finds no serious or critical violation, in Dutch and in
English, with no console error (a CSP refusal would be one)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import PASSWORD, seed_example
from tests.web.test_web_browser import ARGS, CHROMIUM, HAVE_CHROMIUM, start_server
from tests.web.test_web_browser_v2 import _phone, assert_accessible, assert_fits

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM, reason="Chromium not found (apt-get install -y chromium; CI installs it)"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    url, app, stop = start_server(tmp_path_factory.mktemp("portfolio") / "browser.sqlite3")
    yield url, app
    stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_a_broker_runs_the_portfolio_on_a_phone(served: tuple[str, Any], browser: Any) -> None:
    from playwright.sync_api import expect

    from insurable.api.security import hash_password
    from insurable.store.models import Share, User

    server, app = served
    orgs = [
        seed_example(app, "ann@example.nl", "dutch-msp.yaml", name="Klant Een BV"),
        seed_example(app, "ann@example.nl", "accounting-firm.yaml", name="Klant Twee BV"),
    ]
    with app.state.sessions() as session:
        user = User(email="bob@broker.example", name="Bob", kind="broker", password_hash=hash_password(PASSWORD))
        session.add(user)
        session.flush()
        for org in orgs:
            session.add(Share(org_id=org, user_id=user.id))
        session.commit()
    page = _phone(browser)
    page.goto(f"{server}/login")
    page.get_by_label("E-mailadres").fill("bob@broker.example")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", level=1).wait_for()
    page.get_by_role("link", name="Portefeuille").click()
    page.get_by_role("heading", name="Portefeuille", level=1).wait_for()
    assert_fits(page)
    assert_accessible(page)
    page.get_by_label("Gesimuleerde jaren").select_option("2000")
    page.get_by_role("button", name="Portefeuille doorrekenen").click()
    # htmx polls the progress until the result replaces it (no reload)
    expect(page.locator("#pf-ep")).to_be_visible(timeout=120_000)
    expect(page.locator("figure.chart svg")).to_be_visible()
    expect(page.locator("#pf-spof")).to_contain_text("Klant Een BV")
    # the stored run: listed in the history, with its downloads (issue 17)
    expect(page.locator("#pf-history tbody tr")).to_have_count(1)
    expect(page.locator("#pf-history")).to_contain_text("klaar")
    with page.expect_download() as download:
        page.locator("#pf-downloads").get_by_role("link", name="overschrijdingscurve (CSV)").click()
    assert download.value.suggested_filename.endswith("-ep.csv")
    assert_fits(page)
    assert_accessible(page)
    page.reload()  # read back from the database, not from the request that started it
    expect(page.locator("#pf-ep")).to_be_visible()
    assert_fits(page)
    page.goto(f"{server}/lang/en?next=/portfolio")
    page.get_by_role("heading", name="Portfolio", level=1).wait_for()
    expect(page.locator("#pf-scenarios")).to_contain_text("MSP or RMM tool compromise")
    assert_fits(page)
    assert_accessible(page)
    assert not page.js_errors, page.js_errors
    page.context.close()
