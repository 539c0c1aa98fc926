"""Browser tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``; never a downloaded
browser) against the app served by uvicorn on a free 127.0.0.1 port with a temporary SQLite DB.

Screenshots of the key pages are written to ``test-artifacts/web/`` (gitignored). Skipped, with the
reason, when Chromium is not installed; ``.ci/run`` installs it so CI always runs them.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from insurable.api import create_app
from insurable.api.security import hash_password
from insurable.api.settings import Settings
from insurable.store.db import make_engine
from insurable.store.models import User
from tests.web.conftest import PASSWORD, full_catalog, real_assess

CHROMIUM = os.environ.get("INSURABLE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

HAVE_CHROMIUM = Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None
if not HAVE_CHROMIUM and os.environ.get("INSURABLE_REQUIRE_BROWSER"):
    raise RuntimeError(f"INSURABLE_REQUIRE_BROWSER is set but Chromium is not at {CHROMIUM}")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not HAVE_CHROMIUM, reason=f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; CI installs it)"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(db_path: Path) -> tuple[str, FastAPI, Callable[[], None]]:
    """The app on a free 127.0.0.1 port with a fresh SQLite DB and one user; returns url, app, stop."""
    import uvicorn

    url = f"sqlite:///{db_path}"
    app = create_app(Settings(database_url=url), engine=make_engine(url), catalog=full_catalog, assessor=real_assess)
    with app.state.sessions() as session:
        session.add(User(email="ann@example.nl", name="Ann", kind="user", password_hash=hash_password(PASSWORD)))
        session.commit()
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not runner.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)

    def stop() -> None:
        runner.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", app, stop


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, _app, stop = start_server(tmp_path_factory.mktemp("web") / "browser.sqlite3")
    yield url
    stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_questionnaire_results_and_pdf_in_a_browser(server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect
    from pypdf import PdfReader

    assert isinstance(browser, Browser)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    # log in
    page.goto(f"{server}/")
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    page.keyboard.press("Tab")  # keyboard first: the skip link, then the form fields
    expect(page.locator("a.skip")).to_be_focused()
    page.screenshot(path=ARTIFACTS / "login.png")
    page.get_by_label("E-mailadres").fill("ann@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Uw organisaties")).to_be_visible()

    # an organisation and its profile
    page.get_by_label("Naam van de organisatie").fill("Voorbeeld BV")
    page.get_by_role("button", name="Toevoegen").click()
    page.get_by_label("Land", exact=True).select_option("NL")  # a list since issue 12
    for label, value in (
        ("NACE-code", "62.02"),
        ("Medewerkers", "40"),
        ("Jaaromzet (EUR)", "6000000"),
        ("Balanstotaal (EUR)", "3000000"),
        ("Persoonsgegevens (records)", "20000"),
        ("Gewenst verzekerd bedrag (EUR)", "1000000"),
        ("Gewenst eigen risico (EUR)", "5000"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Opslaan en naar de vragenlijst").click()

    # answers across a skip-logic branch, saved by htmx as they change
    page.get_by_role("link", name="Schadeverleden").first.click()
    follow_up = page.locator('[data-question="q.hist.incident_cost_eur"]')
    expect(follow_up).to_have_count(0)
    incident = page.locator('[data-question="q.hist.incident_3y"]')
    with page.expect_response(lambda r: r.request.method == "POST" and "/topics/history" in r.url):
        incident.get_by_label("Ja").check()
    expect(follow_up).to_have_count(1)  # shown live, without a page load
    cost = follow_up.get_by_role("textbox")
    cost.fill("25000")
    with page.expect_response(lambda r: r.request.method == "POST" and "/topics/history" in r.url):
        cost.press("Tab")
    page.screenshot(path=ARTIFACTS / "questionnaire.png", full_page=True)

    # reload: every answer is still there
    page.reload()
    expect(page.locator('[data-question="q.hist.incident_3y"]').get_by_label("Ja")).to_be_checked()
    expect(page.locator('[data-question="q.hist.incident_cost_eur"]').get_by_role("textbox")).to_have_value("25000")

    # submit and read the verdict
    page.get_by_role("link", name="Overzicht").click()
    page.get_by_role("button", name="Indienen voor beoordeling").click()
    verdict = page.locator("#h-verdict")
    expect(verdict).to_contain_text("Oordeel")
    verdict_text = verdict.inner_text().split(":", 1)[1].strip()
    verdicts = (
        "Verzekerbaar",
        "Verzekerbaar onder voorwaarden",
        "Doorverwezen naar een acceptant",
        "Onvolledig: verplichte antwoorden ontbreken",
        "Afgewezen",
    )
    assert verdict_text in verdicts
    expect(page.locator("svg").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "results.png", full_page=True)

    # the PDF report carries the same verdict
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()
    pdf_path = ARTIFACTS / "report.pdf"
    download.value.save_as(pdf_path)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    assert "Rapport cyberverzekerbaarheid" in text and verdict_text in text

    # English on request, remembered
    page.get_by_role("link", name="English").click()
    expect(page.locator("#h-verdict")).to_contain_text("Verdict")
    page.goto(f"{server}/")
    expect(page.get_by_role("heading", name="Your organisations")).to_be_visible()
    context.close()
