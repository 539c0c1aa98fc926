"""The supplier pages: the client's dashboard (status, reasons, alerts, concentration) in Dutch and
English, the request form, and the supplier's page to share or revoke; an outsider gets 404."""

from __future__ import annotations

import datetime as dt

import yaml
from fastapi import FastAPI

from tests.suppliers.conftest import HOSPITAL
from tests.web.conftest import PROFILE, csrf_of, login, new_org

API = "/api/v1"


def _suppliers() -> list[dict]:
    data = yaml.safe_load(HOSPITAL.read_text(encoding="utf-8"))
    shift = dt.datetime.now(dt.UTC).date() - dt.date(2026, 12, 1)

    def fix(v):
        if isinstance(v, dt.date):
            return (v + shift).isoformat()
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        return v

    return [fix({k: v for k, v in s.items() if k != "shared"}) for s in data["suppliers"]]


def test_dashboard_request_share_revoke(web_app: FastAPI, make_account) -> None:
    owner = login(web_app, make_account("ciso@zkh.example"))
    org = new_org(
        owner,
        name="Ziekenhuis Rivierenland (fictional)",
        profile={**PROFILE, "name": "Ziekenhuis Rivierenland (fictional)"},
    )
    token = csrf_of(owner.get("/").text)
    api = {"X-CSRF-Token": token}
    ids = {}
    for s in _suppliers():
        ids[s["id"]] = owner.post(f"{API}/organisations/{org}/suppliers", json=s, headers=api).json()["supplier_id"]
    owner.cookies.set("insurable_lang", "nl")
    page = owner.get(f"/orgs/{org}/suppliers")
    assert page.status_code == 200
    html = page.text
    assert "Leveranciers op" in html and "tekortkoming" in html and "verloopt" in html
    assert "leverancier verklaart niet verzekerd te zijn" in html  # the reason, in Dutch
    assert "Fortinet FortiGate" in html and "Nieuwe meldingen" in html
    assert f'href="/orgs/{org}/suppliers" aria-current="page"' in html  # the nav link
    owner.cookies.set("insurable_lang", "en")
    english = owner.get(f"/orgs/{org}/suppliers").text
    assert "the supplier declares it is not insured" in english and "New alerts" in english
    # alerts: marked as reported, then none pending
    done = owner.post(f"/orgs/{org}/suppliers/alerts", data={"csrf_token": token})
    assert done.status_code == 303
    assert "No new alerts." in owner.get(f"/orgs/{org}/suppliers").text
    # ask the EPD supplier; it shares a summary through its own page, then revokes
    sent = owner.post(
        f"/orgs/{org}/suppliers/{ids['zorgdossier-cloud']}/request",
        data={"csrf_token": token, "email": "compliance@zorgdossier.example"},
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("done=requested")
    supplier = login(web_app, make_account("compliance@zorgdossier.example"))
    own = new_org(supplier, name="Zorgdossier Cloud B.V.", profile={**PROFILE, "name": "Zorgdossier Cloud B.V."})
    stoken = csrf_of(supplier.get("/").text)
    listing = supplier.get("/supplier-requests").text
    assert "Ziekenhuis Rivierenland (fictional)" in listing and "Noordkust" not in listing
    rid = int(listing.split('action="/supplier-requests/')[1].split("/")[0])
    refused = supplier.post(
        f"/supplier-requests/{rid}/share", data={"csrf_token": stoken, "organisation_id": str(own), "level": "summary"}
    )
    assert refused.status_code == 422  # nothing submitted yet
    assert supplier.post(f"/orgs/{own}/submit", data={"csrf_token": stoken}).status_code == 303
    shared = supplier.post(
        f"/supplier-requests/{rid}/share", data={"csrf_token": stoken, "organisation_id": str(own), "level": "summary"}
    )
    assert shared.status_code == 303
    seen = owner.get(f"{API}/organisations/{org}/suppliers/{ids['zorgdossier-cloud']}").json()
    assert seen["shared"]["level"] == "summary"
    # the real assessment (underwriting v2 through insurable.assessment) feeds the summary
    assert seen["shared"]["controls_in_place"] or seen["shared"]["controls_missing"]
    assert seen["shared"]["nis2"] != "not_assessed" and seen["shared"]["reference"].startswith("assessment:")
    assert supplier.post(f"/supplier-requests/{rid}/revoke", data={"csrf_token": stoken}).status_code == 303
    assert owner.get(f"{API}/organisations/{org}/suppliers/{ids['zorgdossier-cloud']}").json()["shared"] is None
    # an outsider sees neither the dashboard nor the request
    outsider = login(web_app, make_account("outsider@example.nl"))
    otoken = csrf_of(outsider.get("/").text)
    assert outsider.get(f"/orgs/{org}/suppliers").status_code == 404
    assert outsider.post(f"/supplier-requests/{rid}/revoke", data={"csrf_token": otoken}).status_code == 404
    assert "Ziekenhuis" not in outsider.get("/supplier-requests").text


def test_requirements_page_shows_clauses_and_saves_own_amounts(web_app: FastAPI, make_account) -> None:
    owner = login(web_app, make_account("ciso@zkh.example"))
    org = new_org(owner, name="Ziekenhuis", profile={**PROFILE, "name": "Ziekenhuis"})
    owner.cookies.set("insurable_lang", "nl")
    page = owner.get(f"/orgs/{org}/suppliers/requirements")
    assert page.status_code == 200
    assert "ten minste EUR 2.500.000" in page.text and "binnen 24 uur" in page.text
    token = csrf_of(page.text)
    saved = owner.post(
        f"/orgs/{org}/suppliers/requirements",
        data={"csrf_token": token, "critical.cyber_limit_eur": "5 mln", "critical.pi_limit_eur": "2.500.000"},
    )
    assert saved.status_code == 303
    api = owner.get(f"/api/v1/organisations/{org}/supplier-settings").json()
    assert api["requirements"]["critical"]["insurance"] == {"cyber_limit_eur": 5_000_000, "pi_limit_eur": 2_500_000}
    again = owner.get(f"/orgs/{org}/suppliers/requirements").text
    assert "ten minste EUR 5.000.000" in again
    bad = owner.post(f"/orgs/{org}/suppliers/requirements", data={"csrf_token": token, "high.cyber_limit_eur": "veel"})
    assert bad.status_code == 422 and "2,5 mln" in bad.text
    outsider = login(web_app, make_account("outsider@example.nl"))
    assert outsider.get(f"/orgs/{org}/suppliers/requirements").status_code == 404


def test_supplier_signup_page(web_app: FastAPI, make_account) -> None:
    from insurable.mail import MemoryMailer

    web_app.state.mailer = MemoryMailer()
    owner = login(web_app, make_account("ciso@zkh.example"))
    org = new_org(owner, name="Ziekenhuis", profile={**PROFILE, "name": "Ziekenhuis"})
    token = csrf_of(owner.get("/").text)
    made = owner.post(
        f"/api/v1/organisations/{org}/suppliers",
        json={"id": "epd", "name": "EPD B.V.", "tier": "critical"},
        headers={"X-CSRF-Token": token},
    )
    sid = made.json()["supplier_id"]
    owner.post(f"/orgs/{org}/suppliers/{sid}/request", data={"csrf_token": token, "email": "epd@epd.example"})
    link = web_app.state.mailer.sent[-1].get_content().split("http://testserver")[-1].split()[0]
    assert link.startswith("/supplier-signup?token=")
    from fastapi.testclient import TestClient

    anon = TestClient(web_app, follow_redirects=False)
    form = anon.get(link)
    assert form.status_code == 200 and 'name="token"' in form.text
    signup_token = link.split("token=")[1]
    differ = anon.post(
        "/supplier-signup",
        data={"token": signup_token, "name": "EPD", "password": "paars konijn fietst", "password2": "x"},
    )
    assert differ.status_code == 422
    done = anon.post(
        "/supplier-signup",
        data={
            "token": signup_token,
            "name": "EPD",
            "password": "paars konijn fietst naar Zwolle",
            "password2": "paars konijn fietst naar Zwolle",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/login?next=/supplier-requests"
    assert (
        anon.post(
            "/supplier-signup",
            data={
                "token": signup_token,
                "name": "EPD",
                "password": "paars konijn fietst naar Zwolle",
                "password2": "paars konijn fietst naar Zwolle",
            },
        ).status_code
        == 404
    )
    supplier = TestClient(web_app, follow_redirects=False)
    signed_in = supplier.post(
        "/api/v1/auth/login", json={"email": "epd@epd.example", "password": "paars konijn fietst naar Zwolle"}
    )
    assert signed_in.status_code == 200
    assert "Ziekenhuis" in supplier.get("/supplier-requests").text


def test_import_register_file_on_the_dashboard(web_app: FastAPI, make_account) -> None:
    owner = login(web_app, make_account("ciso@zkh.example"))
    org = new_org(owner, name="Ziekenhuis", profile={**PROFILE, "name": "Ziekenhuis"})
    token = csrf_of(owner.get(f"/orgs/{org}/suppliers").text)
    csv = "id,name,tier,supports_essential_service\nmsp,Beheer B.V.,critical,ja\nprint,Print B.V.,low,nee\n"
    done = owner.post(
        f"/orgs/{org}/suppliers/import",
        data={"csrf_token": token},
        files={"file": ("leveranciers.csv", csv.encode(), "text/csv")},
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=imported")
    page = owner.get(f"/orgs/{org}/suppliers").text
    assert "Beheer B.V." in page and "Print B.V." in page
    bad = owner.post(
        f"/orgs/{org}/suppliers/import",
        data={"csrf_token": token},
        files={"file": ("x.csv", b"id,name,tier\nBAD ID,,gold\n", "text/csv")},
    )
    assert bad.status_code == 422 and "row 2, column tier" in bad.text
    outsider = login(web_app, make_account("outsider@example.nl"))
    otoken = csrf_of(outsider.get("/").text)
    refused = outsider.post(
        f"/orgs/{org}/suppliers/import",
        data={"csrf_token": otoken},
        files={"file": ("x.csv", csv.encode(), "text/csv")},
    )
    assert refused.status_code == 404
