"""Regenerate the screenshots in docs/screenshots/: the results page, the report's first page and the
broker's book, each at desktop (1366 px) and phone (390 px) width, in Dutch.

Run ``.venv/bin/python -m tests.web.screenshot_docs`` (needs /usr/bin/chromium). Not a test: the
browser tests check the same pages; this only takes the pictures for docs/web.md and the README.
Uses ``examples/dutch-msp.yaml`` shared with a demo broker, assessed twice (for the book and compare).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from insurable.api.security import hash_password
from insurable.store.models import Share, User
from tests.web import test_web_browser as bt
from tests.web.conftest import PASSWORD, seed_example

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", level=1).wait_for()


def main() -> None:
    from playwright.sync_api import sync_playwright

    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        base, app, stop = bt.start_server(Path(tmp) / "docs.sqlite3")
        org_id = seed_example(app, "ann@example.nl", name="Bakkerij De Korenaar")
        with app.state.sessions() as session:
            broker = User(email="bob@broker.example", name="Bob", kind="broker", password_hash=hash_password(PASSWORD))
            session.add(broker)
            session.flush()
            session.add(Share(org_id=org_id, user_id=broker.id))
            session.commit()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=bt.CHROMIUM, args=bt.ARGS)
            owner = browser.new_page(locale="nl-NL", viewport=SIZES["desktop"])
            _login(owner, base, "ann@example.nl")
            for _ in range(2):
                owner.goto(f"{base}/orgs/{org_id}")
                owner.get_by_role("button", name="Indienen voor beoordeling").click()
                owner.locator("#h-verdict").wait_for()
            results = owner.url
            for size, viewport in SIZES.items():
                owner.set_viewport_size(viewport)
                owner.goto(results)
                owner.screenshot(path=TARGET / f"results-{size}.png")
                report = owner.request.get(f"{results}/report.html").text()  # served as a download
                owner.set_content(report)
                owner.emulate_media(media="print")
                owner.locator("section.executive").screenshot(path=TARGET / f"report-{size}.png")
                owner.emulate_media(media="screen")
            page = browser.new_page(locale="nl-NL", viewport=SIZES["desktop"])
            _login(page, base, "bob@broker.example")
            for size, viewport in SIZES.items():
                page.set_viewport_size(viewport)
                page.goto(f"{base}/")
                page.screenshot(path=TARGET / f"book-{size}.png")
            browser.close()
        stop()
    old = TARGET / "results.png"
    if old.exists():
        old.unlink()


if __name__ == "__main__":
    main()
