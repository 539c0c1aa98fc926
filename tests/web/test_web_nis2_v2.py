"""The NIS2 v2 fields of the profile form (issue 11): the EU link, Member States of establishment,
the representative, regional identification, registrars, DORA exemption, former operators of
essential services, and per enterprise the control link and consolidated accounts. Each saves, and
each bad value is reported beside its field in Dutch and English."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from tests.web.conftest import PROFILE, MakeAccount, csrf_of, login, new_org


def _form(token: str, **extra: Any) -> dict[str, Any]:
    return {"csrf_token": token, "nis2_shown": "1", "group_rows": "2", **extra}


def _row(i: int, relation: str, share: str, **extra: str) -> dict[str, str]:
    return {
        f"group-{i}-relation": relation,
        f"group-{i}-share": share,
        f"group-{i}-employees": "20",
        f"group-{i}-annual_turnover_eur": "1000000",
        f"group-{i}-balance_sheet_total_eur": "1000000",
        **{f"group-{i}-{k}": v for k, v in extra.items()},
    }


def _field(html: str, dom_id: str) -> str:
    at = html.index(f'id="{dom_id}"')
    start = html.rindex('<div class="field">', 0, at)
    ends = [e for e in (html.find('<div class="field">', at + 1), html.find("</fieldset>", at)) if e > 0]
    return html[start : min(ends)]


def test_new_nis2_fields_are_saved_and_shown(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile={**PROFILE, "country": "US"})
    page = client.get(f"/orgs/{org}/profile").text
    for name in (
        "eu_services",
        "eu_establishments",
        "representative_member_state",
        "domain_registration",
        "public_administration_identified",
        "former_operator_of_essential_services",
        "dora_exempt",
    ):
        assert f'name="nis2_flags.{name}"' in page, name
    assert 'name="group-0-control"' in page and 'name="group-0-consolidated"' in page
    token = csrf_of(page)
    posted = {
        "nis2_flags.eu_services": "true",
        "nis2_flags.representative_member_state": "ie",
        "nis2_flags.domain_registration": "registrar",
        **_row(0, "linked", "30", control="board_majority", consolidated="true"),
    }
    saved = client.post(f"/orgs/{org}/profile", data=_form(token, nis2_entity_types=["A1.8.0.4"], **posted))
    assert saved.status_code == 303, saved.text
    profile = client.get(f"/api/v1/organisations/{org}/profile").json()
    flags = profile["nis2_flags"]
    assert flags["eu_services"] is True and flags["representative_member_state"] == "IE"
    assert flags["domain_registration"] == "registrar"
    assert profile["group"][0]["control"] == "board_majority" and profile["group"][0]["consolidated"] is True
    page = client.get(f"/orgs/{org}/profile").text
    assert re.search(r'<option value="true" selected>ja</option>', _field(page, "f-nis2_flags-eu_services"))
    assert 'value="IE"' in _field(page, "f-nis2_flags-representative_member_state")
    assert 'value="board_majority" selected' in page
    assert re.search(r'id="f-group-0-consolidated" name="group-0-consolidated" value="true" checked', page)

    # a false answer (no EU activity) is kept, not dropped like an unticked box
    again = csrf_of(page)
    client.post(f"/orgs/{org}/profile", data=_form(again, **{"nis2_flags.eu_services": "false"}))
    assert client.get(f"/api/v1/organisations/{org}/profile").json()["nis2_flags"]["eu_services"] is False


def test_bad_new_values_are_reported_beside_their_fields(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)  # established in NL
    token = csrf_of(client.get(f"/orgs/{org}/profile").text)
    before = client.get(f"/api/v1/organisations/{org}/profile").json()
    codes = {"nis2_flags.eu_establishments": "NL, XX", "nis2_flags.representative_member_state": "US"}
    html = client.post(f"/orgs/{org}/profile", data=_form(token, **codes)).text
    assert "Geen code van een EU-lidstaat: XX." in _field(html, "f-nis2_flags-eu_establishments")
    assert "Geen code van een EU-lidstaat: US." in _field(html, "f-nis2_flags-representative_member_state")
    assert 'value="NL, XX"' in html  # what was typed is shown again

    rules = {
        "nis2_flags.eu_services": "false",
        "nis2_flags.public_administration_identified": "true",
        **_row(0, "partner", "30", control="board_majority"),
        **_row(1, "linked", "50"),
    }
    response = client.post(f"/orgs/{org}/profile", data=_form(token, **rules))
    assert response.status_code == 422
    html = response.text
    assert "verricht activiteiten in de EU" in _field(html, "f-nis2_flags-eu_services")
    assert "Alleen voor de regionale overheid" in _field(html, "f-nis2_flags-public_administration_identified")
    assert "geen partneronderneming" in _field(html, "f-group-0-control")
    assert "precies 50% is geen meerderheid" in _field(html, "f-group-1-share")
    assert client.get(f"/api/v1/organisations/{org}/profile").json() == before

    client.cookies.set("insurable_lang", "en")
    html = client.post(f"/orgs/{org}/profile", data=_form(token, **rules, **codes)).text
    assert "carries out activities in the EU" in _field(html, "f-nis2_flags-eu_services")
    assert "Not an EU Member State code: XX." in _field(html, "f-nis2_flags-eu_establishments")
    assert "not a partner" in _field(html, "f-group-0-control")
    assert "exactly 50% is not a majority" in _field(html, "f-group-1-share")
    dora = client.post(f"/orgs/{org}/profile", data=_form(token, **{"nis2_flags.dora_exempt": "true"})).text
    assert "Only for a bank or financial market infrastructure type (A1.3.0.1" in _field(
        dora, "f-nis2_flags-dora_exempt"
    )
    regional = client.post(f"/orgs/{org}/profile", data=_form(token, nis2_entity_types=["A1.10.0.2"])).text
    assert "is a regional government entity" in regional
