"""The API gets the profile bounds and amounts for free, through the shared profile model
(issue 13, items 1, 2, 4, 5 via the API): 422 naming the field, never a 500 or a hang."""

from __future__ import annotations

import json
import math

from fastapi.testclient import TestClient

from tests.service.conftest import PROFILE, MakeUser, new_org

API = "/api/v1"


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_put_profile_refuses_absurd_numbers_naming_each_field(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    url = f"{API}/organisations/{new_org(client, owner)}/profile"
    body = {**PROFILE, "requested_limit_eur": 1e308, "employees": 1e308, "records_held": 10**30}
    response = client.put(url, json=body, headers=owner.auth)
    assert response.status_code == 422, response.text
    assert {"requested_limit_eur", "employees", "records_held"} <= fields(response)
    raw = json.dumps({**PROFILE, "annual_turnover_eur": math.inf})  # "Infinity": Python's JSON reads it
    infinite = client.put(url, content=raw, headers={**owner.auth, "Content-Type": "application/json"})
    assert infinite.status_code == 422 and "annual_turnover_eur" in fields(infinite)
    tiny = client.put(url, json={**PROFILE, "requested_limit_eur": 0.01}, headers=owner.auth)
    assert tiny.status_code == 422 and "requested_limit_eur" in fields(tiny)
    thousands = client.put(url, json={**PROFILE, "annual_turnover_eur": 7.2}, headers=owner.auth)
    assert thousands.status_code == 422 and fields(thousands) == {"annual_turnover_eur"}
    inverted = {**PROFILE, "requested_limit_eur": 1_000_000, "requested_deductible_eur": 5_000_000}
    response = client.put(url, json=inverted, headers=owner.auth)
    assert response.status_code == 422
    assert "deductible" in response.text and "above the requested limit" in response.text


def test_patch_profile_reads_amounts_and_refuses_dutch_thousands(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    url = f"{API}/organisations/{new_org(client, owner)}/profile"
    read = client.patch(
        url, json={"annual_turnover_eur": "7.200.000", "balance_sheet_total_eur": "7,2 mln"}, headers=owner.auth
    )
    assert read.status_code == 200, read.text
    assert read.json()["annual_turnover_eur"] == 7_200_000 and read.json()["balance_sheet_total_eur"] == 7_200_000
    dutch = client.patch(url, json={"locale": "nl", "requested_deductible_eur": "2.500"}, headers=owner.auth)
    assert dutch.status_code == 200 and dutch.json()["requested_deductible_eur"] == 2500
    ambiguous = client.patch(url, json={"locale": None, "requested_deductible_eur": "2.500"}, headers=owner.auth)
    assert ambiguous.status_code == 422 and fields(ambiguous) == {"requested_deductible_eur"}
    assert "ambiguous" in ambiguous.text
    thousands = client.patch(url, json={"annual_turnover_eur": 7.2}, headers=owner.auth)
    assert thousands.status_code == 422 and "Dutch thousands" in thousands.text
    huge = client.patch(url, json={"requested_limit_eur": 1e30}, headers=owner.auth)
    assert huge.status_code == 422 and fields(huge) == {"requested_limit_eur"}


def test_answers_bounded_and_none_exclusive_through_the_api(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    base = f"{API}/organisations/{new_org(client, owner)}"
    huge = client.put(f"{base}/answers/q.hist.incident_cost_eur", json={"value": 1e30}, headers=owner.auth)
    assert huge.status_code == 422 and "above the maximum" in huge.text
    both = client.put(f"{base}/answers/q.data.sensitive_types", json={"value": ["none", "health"]}, headers=owner.auth)
    assert both.status_code == 422 and "cannot be combined" in both.text


def test_a_profile_stored_before_the_bounds_still_reads_and_submitting_names_it(
    app, client: TestClient, make_user: MakeUser
) -> None:
    from insurable.store.models import Organisation as OrgRow

    owner = make_user("owner@example.nl")
    org = new_org(client, owner)
    with app.state.sessions() as session:
        row = session.get(OrgRow, org)
        row.profile = {**row.profile, "requested_limit_eur": 0.01, "employees": 1e308}
        session.commit()
    read = client.get(f"{API}/organisations/{org}/profile", headers=owner.auth)
    assert read.status_code == 200, read.text
    assert read.json()["requested_limit_eur"] is None and read.json()["employees"] is None
    assert read.json()["country"] == PROFILE["country"]
    submitted = client.post(f"{API}/organisations/{org}/assessments", headers=owner.auth)
    assert submitted.status_code == 422, submitted.text
    assert {"requested_limit_eur", "employees"} <= fields(submitted)
