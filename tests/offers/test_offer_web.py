"""The offers web pages: enter an offer as YAML, upload a policy PDF and confirm its values beside
their quotes, compare offers; bad input is shown with its field; tenants stay apart."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi import FastAPI
from pypdf import PdfReader

from tests.offers.helpers import OFFERS
from tests.offers.pdfs import DUTCH_UNREADABLE, render, render_without_text
from tests.web.conftest import (
    PROFILE,
    MakeAccount,
    csrf_of,
    login,
    make_account,
    new_org,
    web_app,
    web_db_url,
    web_engine,
)

__all__ = ["make_account", "web_app", "web_db_url", "web_engine"]  # the web tests' fixtures, used here


def enter(client, org: int, name: str):
    page = client.get(f"/orgs/{org}/offers")
    text = (OFFERS / f"{name}.yaml").read_text(encoding="utf-8")
    return client.post(f"/orgs/{org}/offers", data={"offer": text, "csrf_token": csrf_of(page.text)})


def test_enter_and_compare(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    overview = client.get(f"/orgs/{org}")
    assert f'href="/orgs/{org}/offers"' in overview.text  # the link from the organisation page
    ids = []
    for name in ("specialist-cyber", "vendor-bundle"):
        saved = enter(client, org, name)
        assert saved.status_code == 303, saved.text
        ids.append(int(saved.headers["location"].rsplit("/", 1)[1]))
    detail = client.get(f"/orgs/{org}/offers/{ids[1]}")
    assert detail.status_code == 200
    assert "Schildwacht EDR" in detail.text  # the checklist's vendor-conflict finding
    compared = client.get(f"/orgs/{org}/offers/compare", params={"offer": ids})
    assert compared.status_code == 200, compared.text
    assert "vendor-bundle" in compared.text and "specialist-cyber" in compared.text
    markdown = client.get(f"/orgs/{org}/offers/compare.md", params={"offer": ids})
    assert markdown.status_code == 200 and markdown.text.startswith("# ")
    pdf = client.get(f"/orgs/{org}/offers/compare.pdf", params={"offer": ids})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "vendor-bundle" in "".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())


def test_bad_yaml_offer_shows_every_field(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    page = client.get(f"/orgs/{org}/offers")
    bad = (
        "id: x\ninsurer: X\nproduct: Y\nlimit_eur: veel\ndeductible_eur: -1\n"
        "coverages: [{coverage: cov.nope}]\npremium: {net_eur: 1}\n"
    )
    response = client.post(f"/orgs/{org}/offers", data={"offer": bad, "csrf_token": csrf_of(page.text)})
    assert response.status_code == 422
    assert "limit_eur" in response.text and "deductible_eur" in response.text
    forged = client.post(f"/orgs/{org}/offers", data={"offer": bad})
    assert forged.status_code == 403


def test_upload_confirm_beside_the_quote(web_app: FastAPI, make_account: MakeAccount, tmp_path: Path) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    page = client.get(f"/orgs/{org}/offers")
    pdf = render(DUTCH_UNREADABLE, tmp_path / "polis.pdf")
    with pdf.open("rb") as handle:
        uploaded = client.post(
            f"/orgs/{org}/offers/upload",
            data={"csrf_token": csrf_of(page.text)},
            files={"file": ("polis.pdf", handle, "application/pdf")},
        )
    assert uploaded.status_code == 303, uploaded.text
    draft_url = uploaded.headers["location"]
    draft = client.get(draft_url)
    assert draft.status_code == 200
    # The value and the sentence it was read from, side by side; the unreadable clause quoted.
    assert 'name="f:limit_eur" value="1000000"' in draft.text
    assert "Het verzekerd bedrag per aanspraak bedraagt € 1.000.000." in draft.text
    assert "polisblad bij de rubriek" in draft.text
    token = csrf_of(draft.text)
    # Confirming without the deductible (ambiguous) fails naming it; with it, the offer is stored.
    fields = {
        "csrf_token": token,
        "offer_id": "polis-nl",
        "f:limit_eur": "1000000",
        "f:insurer": "Veluwe Specialty",
        "f:product": "CyberZeker",
        "f:premium.net_eur": "6800",
        "f:cov.extortion.sublimit_eur": "€ 250.000",
    }
    missing = client.post(f"{draft_url}/confirm", data=fields)
    assert missing.status_code == 422 and "deductible_eur" in missing.text
    done = client.post(f"{draft_url}/confirm", data={**fields, "f:deductible_eur": "€ 10.000"})
    assert done.status_code == 303, done.text
    confirmed = client.get(draft_url)
    assert "deductible_eur: 10000" in confirmed.text


def test_scan_upload_is_refused(web_app: FastAPI, make_account: MakeAccount, tmp_path: Path) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    page = client.get(f"/orgs/{org}/offers")
    pdf = render_without_text(tmp_path / "scan.pdf")
    with pdf.open("rb") as handle:
        response = client.post(
            f"/orgs/{org}/offers/upload",
            data={"csrf_token": csrf_of(page.text)},
            files={"file": ("scan.pdf", handle, "application/pdf")},
        )
    assert response.status_code == 422
    assert "no text layer" in response.text


def test_offers_of_another_tenant_are_not_found(web_app: FastAPI, make_account: MakeAccount) -> None:
    ann = login(web_app, make_account("ann@example.nl"))
    org = new_org(ann, profile=PROFILE)
    saved = enter(ann, org, "vendor-bundle")
    offer_url = saved.headers["location"]
    bob = login(web_app, make_account("bob@example.nl"))
    assert bob.get(offer_url).status_code == 404
    assert bob.get(f"/orgs/{org}/offers").status_code == 404
