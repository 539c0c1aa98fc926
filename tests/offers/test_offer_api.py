"""The offers API: enter, extract (PDF upload), confirm, check, compare; 422 naming the field; tenant
scope; an audit line for every action."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from insurable.api import create_app
from insurable.api.settings import Settings
from insurable.catalog.loader import load_catalog
from insurable.store.db import make_engine
from tests.offers.helpers import MSP, OFFERS, offer_data
from tests.offers.pdfs import DUTCH_WORDING, render, render_without_text
from tests.service.conftest import PROFILE, Account, MakeUser, database_url, fake_assess, make_user, new_org

__all__ = ["make_user"]  # the service tests' fixture, used here

BASE = "/api/v1/organisations"


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    yield from database_url(tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app(engine: Engine, db_url: str) -> FastAPI:
    settings = Settings(database_url=db_url, login_rate=1000)
    full = load_catalog()
    return create_app(settings, engine=engine, catalog=lambda: full, assessor=fake_assess)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def owner(make_user: MakeUser) -> Account:
    return make_user("owner@example.test")


def example(name: str) -> dict:
    data = yaml.safe_load((OFFERS / f"{name}.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))  # dates as ISO text, as a JSON client sends them


def msp_org(client: TestClient, owner: Account) -> int:
    org_id = new_org(client, owner, "Beheerpartners Veluwe B.V.")
    data = yaml.safe_load(MSP.read_text(encoding="utf-8"))
    answers = data.pop("answers")
    profile = {**PROFILE, **data}
    assert client.put(f"{BASE}/{org_id}/profile", json=profile, headers=owner.auth).status_code == 200
    for question, value in answers.items():
        saved = client.put(f"{BASE}/{org_id}/answers/{question}", json={"value": value}, headers=owner.auth)
        assert saved.status_code == 200, saved.text
    return org_id


def audit_actions(client: TestClient, owner: Account, org_id: int) -> list[str]:
    trail = client.get(f"{BASE}/{org_id}/audit", params={"limit": 1000}, headers=owner.auth)
    assert trail.status_code == 200, trail.text
    body = trail.json()
    events = body["events"] if isinstance(body, dict) else body
    return [e["action"] for e in events]


def test_enter_check_compare_with_audit(client: TestClient, owner: Account) -> None:
    org_id = msp_org(client, owner)
    ids = []
    for name in ("specialist-cyber", "vendor-bundle", "pi-cyber-package", "pi-cyber-excess"):
        created = client.post(f"{BASE}/{org_id}/offers", json=example(name), headers=owner.auth)
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    listed = client.get(f"{BASE}/{org_id}/offers", headers=owner.auth).json()
    assert [o["offer_id"] for o in listed] == [
        "specialist-cyber",
        "vendor-bundle",
        "pi-cyber-package",
        "pi-cyber-excess",
    ]
    checked = client.get(f"{BASE}/{org_id}/offers/check", params={"offer": ids[1]}, headers=owner.auth)
    assert checked.status_code == 200, checked.text
    rules = {r["rule"]: r["status"] for r in checked.json()["offers"][0]["checklist"]}
    assert rules["chk.vendor_conflict"] == "not_met"
    compared = client.post(
        f"{BASE}/{org_id}/offers/compare", json={"offers": ids, "trials": 2000, "seed": 3}, headers=owner.auth
    )
    assert compared.status_code == 200, compared.text
    body = compared.json()
    assert [r["rank"] for r in body["results"]] == [1, 2, 3]
    assert {r["programme"] for r in body["results"]} == {"specialist-cyber", "vendor-bundle", "hanze-tower"}
    actions = audit_actions(client, owner, org_id)
    assert actions.count("offer.create") == 4
    assert "offers.check" in actions and "offers.compare" in actions


def test_bad_offer_is_422_naming_every_field(client: TestClient, owner: Account) -> None:
    org_id = new_org(client, owner)
    bad = offer_data(limit_eur="veel", coverages=[{"coverage": "cov.nope"}], premium={"net_eur": -1})
    response = client.post(f"{BASE}/{org_id}/offers", json=bad, headers=owner.auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"data.limit_eur", "data.premium.net_eur"} <= fields


def test_extract_confirm_then_compare(client: TestClient, owner: Account, tmp_path: Path) -> None:
    org_id = msp_org(client, owner)
    pdf = render(DUTCH_WORDING, tmp_path / "polis.pdf")
    with pdf.open("rb") as handle:
        uploaded = client.post(
            f"{BASE}/{org_id}/offers/extract",
            files={"file": ("polis.pdf", handle, "application/pdf")},
            headers=owner.auth,
        )
    assert uploaded.status_code == 201, uploaded.text
    draft = uploaded.json()
    assert draft["confirmed"] is False and draft["source"] == "extracted"
    proposals = {p["field"]: p for p in draft["extraction"]["proposals"]}
    assert proposals["deductible_eur"]["status"] == "found"
    assert proposals["deductible_eur"]["clause"]["page"] == 1
    # An unconfirmed draft is not compared.
    refused = client.post(f"{BASE}/{org_id}/offers/compare", json={"offers": [draft["id"]]}, headers=owner.auth)
    assert refused.status_code == 422
    data = {**draft["data"], "id": "polis-nl"}
    confirmed = client.put(f"{BASE}/{org_id}/offers/{draft['id']}", json=data, headers=owner.auth)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed"] is True
    compared = client.post(
        f"{BASE}/{org_id}/offers/compare", json={"offers": [draft["id"]], "trials": 1000}, headers=owner.auth
    )
    assert compared.status_code == 200, compared.text
    actions = audit_actions(client, owner, org_id)
    assert "offer.extract" in actions and "offer.confirm" in actions


def test_scan_upload_is_422(client: TestClient, owner: Account, tmp_path: Path) -> None:
    org_id = new_org(client, owner)
    pdf = render_without_text(tmp_path / "scan.pdf")
    with pdf.open("rb") as handle:
        response = client.post(
            f"{BASE}/{org_id}/offers/extract",
            files={"file": ("scan.pdf", handle, "application/pdf")},
            headers=owner.auth,
        )
    assert response.status_code == 422
    assert "no text layer" in response.json()["errors"][0]["reason"]


def test_offers_stay_in_their_tenant(client: TestClient, owner: Account, make_user: MakeUser) -> None:
    other = make_user("other@example.test")
    org_id = new_org(client, owner)
    created = client.post(f"{BASE}/{org_id}/offers", json=example("vendor-bundle"), headers=owner.auth)
    offer_id = created.json()["id"]
    their_org = new_org(client, other, "Other BV")
    assert client.get(f"{BASE}/{org_id}/offers/{offer_id}", headers=other.auth).status_code == 404
    assert client.get(f"{BASE}/{their_org}/offers/{offer_id}", headers=other.auth).status_code == 404
    deleted = client.delete(f"{BASE}/{org_id}/offers/{offer_id}", headers=owner.auth)
    assert deleted.status_code == 204
    assert client.get(f"{BASE}/{org_id}/offers/{offer_id}", headers=owner.auth).status_code == 404
