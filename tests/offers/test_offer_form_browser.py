"""The offer form in a browser (Chromium, as tests/web/test_web_browser_v2.py): at 390 px nothing
scrolls sideways and axe-core finds no serious or critical violation, on the empty form, with
every problem shown beside its field in Dutch, and on the pre-filled edit form; the form then saves
and the offer page shows it; the comparison page (liability, downloads) fits and passes axe too."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.test_web_browser import ARTIFACTS
from tests.web.test_web_browser_v2 import (
    CHROMIUM_REASON,
    HAVE_CHROMIUM,
    _login,
    _new_org,
    _phone,
    assert_accessible,
    assert_fits,
    browser,
    served,
    server,
)

__all__ = ["browser", "served", "server"]  # the browser tests' fixtures, used here
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not HAVE_CHROMIUM, reason=CHROMIUM_REASON)]


def test_offer_form_on_a_phone_in_dutch(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = _phone(browser)
    _login(page, server)
    org = _new_org(page, "Beheer Oost B.V.")
    for label, value in (("NACE-code", "62.03"), ("Medewerkers", "25"), ("Jaaromzet (EUR)", "3.500.000")):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Land", exact=True).select_option("NL")
    page.get_by_role("button", name="Opslaan en naar de vragenlijst").click()
    page.wait_for_url("**/topics/**")
    page.goto(f"{org}/offers")
    page.get_by_role("link", name="Offerte veld voor veld invullen").click()
    page.wait_for_url("**/offers/new")
    expect(page.locator("label[for=of-limit_eur]")).to_have_text("Verzekerd bedrag per aanspraak (EUR) *")
    assert_fits(page)
    assert_accessible(page)

    page.locator("#of-product").fill("Cyber MKB")
    page.locator("#of-limit_eur").fill("veel")
    page.locator("#of-deductible_eur").fill("€ 2.500")
    page.locator("#of-premium-net_eur").fill("2.400")
    page.get_by_role("button", name="Opslaan").click()
    problems = page.locator("#offer-problems")
    expect(problems).to_contain_text("niet opgeslagen")
    expect(page.locator("#of-insurer-err")).to_have_text("Vul dit veld in.")
    expect(page.locator("#of-limit_eur-err")).to_contain_text("Vul een bedrag in")
    expect(page.locator("#of-coverages")).to_contain_text("ten minste één")
    expect(page.locator("#of-limit_eur")).to_have_value("veel")  # kept for correction
    page.js_errors.clear()  # the refused save answered 422 on purpose
    assert_fits(page)
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "phone-offer-form-errors.png", full_page=True)

    page.locator("#of-insurer").fill("Polder Verzekeringen N.V.")
    page.locator("#of-limit_eur").fill("€ 1 mln")
    page.locator("#of-cov-extortion-covered").check()
    page.locator("#of-cov-extortion-sublimit_eur").fill("250.000")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/offers/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Polder Verzekeringen N.V.")
    assert_fits(page)  # the offer page with its checklist
    offer_id = str(page.url).rsplit("/", 1)[1]
    page.get_by_role("link", name="Bewerken").click()
    page.wait_for_url("**/edit")
    expect(page.locator("#of-limit_eur")).to_have_value("1.000.000")
    expect(page.locator("#of-cov-extortion-sublimit_eur")).to_have_value("250.000")
    assert_fits(page)
    assert_accessible(page)

    page.goto(f"{org}/offers")  # the list, with the saved offer
    assert_fits(page)
    assert_accessible(page)

    # The comparison of the saved offer, with who pays each liability loss and the downloads.
    page.goto(f"{org}/offers/compare?offer={offer_id}")
    expect(page.get_by_role("heading", name="Aansprakelijkheid: wie betaalt")).to_be_visible()
    expect(page.get_by_role("link", name="Word (DOCX)")).to_be_visible()
    assert_fits(page)
    assert_accessible(page)
    assert not page.js_errors, page.js_errors
    page.context.close()
