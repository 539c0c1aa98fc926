"""The NIS2 part of the profile form (entity types, flags, partner and linked enterprises) and the
results page's NIS2 section and charts in the interface language."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from insurable.web.charts import localise_lec
from tests.web.conftest import PROFILE, MakeAccount, csrf_of, login, new_org

MSP = "A1.9.0.1"


def _nis2_form(token: str, **extra: Any) -> dict[str, Any]:
    return {"csrf_token": token, "nis2_shown": "1", "group_rows": "2", **extra}


def _parent(i: int, employees: int, turnover: int, balance: int, relation: str = "linked", share: str = "100") -> dict:
    return {
        f"group-{i}-relation": relation,
        f"group-{i}-share": share,
        f"group-{i}-name": "Moeder Holding BV",
        f"group-{i}-employees": str(employees),
        f"group-{i}-annual_turnover_eur": str(turnover),
        f"group-{i}-balance_sheet_total_eur": str(balance),
    }


def _field(html: str, dom_id: str) -> str:
    """The ``.field`` block around the element with ``dom_id`` (up to the next field or fieldset end)."""
    at = html.index(f'id="{dom_id}"')
    start = html.rindex('<div class="field">', 0, at)
    ends = [e for e in (html.find('<div class="field">', at), html.find("</fieldset>", at)) if e > 0]
    return html[start : min(ends)]


def test_profile_shows_the_nis2_fields_with_catalogue_labels(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    page = client.get(f"/orgs/{org}/profile").text
    assert "NIS2-entiteitstypen" in page and "Partner- en verbonden ondernemingen" in page  # vocabulary.yaml
    assert "Aanbieders van beheerde diensten" in page and "Bijlage I" in page  # nis2.yaml, grouped by annex
    assert f'name="nis2_entity_types" value="{MSP}"' in page
    assert 'name="nis2_flags.public_administration"' in page and 'name="group-1-share"' in page
    assert 'for="f-group-0-share"' in page  # every field labelled
    client.cookies.set("insurable_lang", "en")
    page = client.get(f"/orgs/{org}/profile").text
    assert "NIS2 entity types" in page and "Managed service providers" in page and "Annex II" in page


def test_msp_with_a_linked_parent_is_classified_in_both_languages(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    token = csrf_of(client.get(f"/orgs/{org}/profile").text)
    saved = client.post(
        f"/orgs/{org}/profile",
        data=_nis2_form(token, nis2_entity_types=[MSP], go="save", **_parent(0, 400, 80_000_000, 60_000_000)),
    )
    assert saved.status_code == 303, saved.text
    profile = client.get(f"/api/v1/organisations/{org}/profile").json()
    assert profile["nis2_entity_types"] == [MSP]
    assert profile["group"] == [
        {
            "relation": "linked",
            "share": 1.0,
            "name": "Moeder Holding BV",
            "employees": 400,
            "annual_turnover_eur": 80_000_000,
            "balance_sheet_total_eur": 60_000_000,
            "control": None,  # added in NIS2 v2 (issue 11), shown with their defaults
            "consolidated": False,
        }
    ]
    page = client.get(f"/orgs/{org}/profile").text
    assert re.search(rf'value="{re.escape(MSP)}" checked', page)
    assert 'name="group-0-employees" inputmode="decimal" value="400"' in page
    assert 'name="group_rows" value="3"' in page  # the saved row and two blank ones

    token = csrf_of(client.get(f"/orgs/{org}").text)
    results = client.get(client.post(f"/orgs/{org}/submit", data={"csrf_token": token}).headers["location"])
    nis2 = results.text[results.text.index('id="h-nis2"') :]
    assert "Essentiële entiteit" in nis2 and "grote onderneming" in nis2
    assert "op eigen cijfers een kleine onderneming" in nis2 and "Aanbieders van beheerde diensten" in nis2
    assert ">large<" not in nis2 and ">small<" not in nis2
    client.cookies.set("insurable_lang", "en")
    english = client.get(results.url).text
    nis2 = english[english.index('id="h-nis2"') :]
    assert "Essential entity" in nis2 and "large enterprise" in nis2 and "Managed service providers" in nis2

    # a smaller parent makes the group medium-sized: an important entity
    token = csrf_of(client.get(f"/orgs/{org}/profile").text)
    saved = client.post(
        f"/orgs/{org}/profile",
        data=_nis2_form(
            token, nis2_entity_types=[MSP], group_rows="3", go="save", **_parent(0, 100, 20_000_000, 15_000_000)
        ),
    )
    assert saved.status_code == 303, saved.text
    token = csrf_of(client.get(f"/orgs/{org}").text)
    results = client.get(client.post(f"/orgs/{org}/submit", data={"csrf_token": token}).headers["location"])
    nis2 = results.text[results.text.index('id="h-nis2"') :]
    assert "Important entity" in nis2 and "medium-sized enterprise" in nis2
    client.cookies.set("insurable_lang", "nl")
    nis2 = client.get(results.url).text
    assert "Belangrijke entiteit" in nis2 and "middelgrote onderneming" in nis2


def test_bad_nis2_values_are_reported_next_to_their_field(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    token = csrf_of(client.get(f"/orgs/{org}/profile").text)
    before = client.get(f"/api/v1/organisations/{org}/profile").json()
    bad = {
        **_parent(0, 10, 1_000_000, 1_000_000, relation="partner", share="60"),
        **_parent(1, -5, 1_000_000, 1_000_000, relation="linked", share="40"),
        "nis2_flags.public_administration": "central",
        "nis2_flags.qualified_trust_service_provider": "true",
        "employees": "55",
    }
    response = client.post(f"/orgs/{org}/profile", data=_nis2_form(token, nis2_entity_types=[MSP], **bad))
    assert response.status_code == 422
    html = response.text
    assert "tussen 25% en 50%: 60% valt daarbuiten" in _field(html, "f-group-0-share")
    # exactly 50 % is no longer a majority (issue 11): the message says "more than 50%"
    assert "meer dan 50% (precies 50% is geen meerderheid)" in _field(html, "f-group-1-share")
    assert "40% is te weinig zonder die band" in _field(html, "f-group-1-share")
    assert "Vul een getal in, 0 of meer." in _field(html, "f-group-1-employees")
    assert "Centrale overheid heeft ook een entiteitstype" in _field(html, "f-nis2_flags-public_administration")
    assert "A1.8.0.7" in _field(html, "f-nis2_flags-qualified_trust_service_provider")
    assert 'id="f-group-0-share" name="group-0-share" inputmode="decimal" value="60" aria-invalid="true"' in html
    assert re.search(rf'value="{re.escape(MSP)}" checked', html)  # the posted choice is shown, not lost
    after = client.get(f"/api/v1/organisations/{org}/profile").json()
    assert after == {**before, "employees": 55}  # the valid field is saved, the NIS2 fields are not

    client.cookies.set("insurable_lang", "en")
    response = client.post(f"/orgs/{org}/profile", data=_nis2_form(token, nis2_entity_types=["A9.9.9.9", MSP], **bad))
    html = response.text
    assert "between 25% and 50%: 60% is outside" in _field(html, "f-group-0-share")
    assert "Enter a number, 0 or more." in _field(html, "f-group-1-employees")
    assert "Unknown NIS2 entity type: A9.9.9.9." in html
    assert 'id="f-nis2_entity_types-err"' in html
    designation = client.post(
        f"/orgs/{org}/profile",
        data=_nis2_form(token, **{"nis2_flags.member_state_designation": "essential"}),
    )
    assert designation.status_code == 422
    assert "choose that entity type too" in _field(designation.text, "f-nis2_flags-member_state_designation")
    central = client.post(f"/orgs/{org}/profile", data=_nis2_form(token, nis2_entity_types=["A1.10.0.1"]))
    assert central.status_code == 422 and "is a central government entity" in central.text
    assert client.get(f"/api/v1/organisations/{org}/profile").json() == after


def test_group_rows_are_added_and_removed_without_javascript(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    token = csrf_of(client.get(f"/orgs/{org}/profile").text)
    rows = {**_parent(0, 10, 1, 1), **_parent(1, 20, 2, 2, relation="partner", share="30")}
    assert client.post(f"/orgs/{org}/profile", data=_nis2_form(token, **rows)).status_code == 303
    page = client.get(f"/orgs/{org}/profile").text
    assert 'name="group_rows" value="4"' in page  # two saved rows, two blank ones
    more = {**rows, **_parent(2, 30, 3, 3, relation="partner", share="25"), "group-0-remove": "1", "group_rows": "4"}
    assert client.post(f"/orgs/{org}/profile", data=_nis2_form(token, **more)).status_code == 303
    group = client.get(f"/api/v1/organisations/{org}/profile").json()["group"]
    assert [(g["relation"], g["share"], g["employees"]) for g in group] == [("partner", 0.3, 20), ("partner", 0.25, 30)]
    # a post without the NIS2 section (an older form) leaves the NIS2 fields alone
    assert client.post(f"/orgs/{org}/profile", data={"csrf_token": token, "employees": "41"}).status_code == 303
    assert client.get(f"/api/v1/organisations/{org}/profile").json()["group"] == group
    # clearing every row removes the list
    empty = {"group-0-remove": "1", "group-1-remove": "1", **_parent(0, 20, 2, 2, "partner", "30")}
    empty.update(_parent(1, 30, 3, 3, "partner", "25"))
    assert client.post(f"/orgs/{org}/profile", data=_nis2_form(token, **empty)).status_code == 303
    assert not client.get(f"/api/v1/organisations/{org}/profile").json().get("group")


def test_loss_chart_amounts_follow_the_language() -> None:
    svg = (
        '<svg><text x="1" y="2" font-size="13" font-weight="bold">Annual loss exceedance '
        "(20,000 trial-years, seed 7)</text>"
        '<text x="74" y="334.0" text-anchor="end">€0</text>'
        '<text x="74" y="34.0" text-anchor="end">€1.2M</text>'
        '<text x="74" y="94.0" text-anchor="end">€250k</text>'
        '<text x="300" y="366" text-anchor="middle">1000</text></svg>'
    )
    nl = localise_lec(svg, "nl")
    # below a million in full (issue 12, item 7: "€ 250K" beside "€ 1,2 mln." read as two languages)
    assert "€\u00a01,2\u00a0mln." in nl and "€\u00a0250.000" in nl and ">€\u00a00<" in nl
    assert "20.000 gesimuleerde jaren" in nl and ">1.000<" in nl and "trial-years" not in nl
    en = localise_lec(svg, "en")
    assert "€1.2m" in en and "€250,000" in en and "20,000 simulated years, seed 7" in en and ">1,000<" in en


def test_results_charts_use_compact_local_amounts(web_app: FastAPI, make_account: MakeAccount) -> None:
    client: TestClient = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    token = csrf_of(client.get(f"/orgs/{org}").text)
    results = client.get(client.post(f"/orgs/{org}/submit", data={"csrf_token": token}).headers["location"]).text
    axis = re.findall(r'text-anchor="end">([^<]+)<', results)
    assert axis and all(a.startswith("€\u00a0") for a in axis)  # Dutch currency pattern on both charts
    assert not any(re.search(r"\d[MkK]$|\d\.(?!\d{3}(\D|$))", a) for a in axis)  # no "€1.2M" or "€ 50K" left
