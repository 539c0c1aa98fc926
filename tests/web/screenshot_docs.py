"""Regenerate docs/screenshots/results.png: the results page for examples/saas-provider.yaml.

Run ``.venv/bin/python -m tests.web.screenshot_docs`` (needs /usr/bin/chromium). Not a test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from insurable.profile import load_organisation
from insurable.store import repo
from insurable.store.models import User
from tests.web import test_web_browser as bt
from tests.web.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    from playwright.sync_api import sync_playwright

    example = load_organisation(ROOT / "examples" / "saas-provider.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        base, app, stop = bt.start_server(Path(tmp) / "docs.sqlite3")
        with app.state.sessions() as session:
            user = session.query(User).filter_by(email="ann@example.nl").one()
            org = repo.create_organisation(session, user, example.name or "", {})
            org.profile = example.model_dump(mode="json", exclude={"answers"}, exclude_defaults=True)
            for qid, value in example.answers.items():
                repo.save_answer(session, org, qid, value, user)
            session.commit()
            org_id = org.id
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=bt.CHROMIUM, args=bt.ARGS)
            page = browser.new_page(locale="nl-NL", viewport={"width": 1200, "height": 1500})
            page.goto(f"{base}/login")
            page.get_by_label("E-mailadres").fill("ann@example.nl")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            page.goto(f"{base}/orgs/{org_id}")
            page.get_by_role("button", name="Indienen voor beoordeling").click()
            page.locator("#h-verdict").wait_for()
            target = ROOT / "docs" / "screenshots" / "results.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=target)
            browser.close()
        stop()


if __name__ == "__main__":
    main()
