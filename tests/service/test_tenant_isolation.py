"""Zero leaks between tenants: every endpoint, tried by an outsider and by a broker without a share.

The test walks ``app.routes``; a route it has no request body for fails the test, so a new endpoint
cannot be added without being swept here too.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from tests.service.conftest import Account, MakeUser, join, mint_token, new_org

API = "/api/v1"
SECRET = "Zeldzaam Geheim BV"
SECRET_ANSWER = "secret-business-description-7f3a"
QUESTION = "q.org.business_description"

#: A valid body per (method, path) for every route that takes one.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", f"{API}/auth/login"): {"email": "nobody@example.nl", "password": "x"},
    ("POST", f"{API}/me/tokens"): {"name": "probe"},
    ("POST", f"{API}/users"): {"email": "probe@example.nl", "name": "P", "password": "long enough password"},
    ("POST", f"{API}/me/password"): {"current_password": "x", "new_password": "long enough password"},
    ("POST", f"{API}/users/{{user_id}}/password"): {"new_password": "long enough password"},
    ("POST", f"{API}/organisations"): {"name": "Probe BV"},
    ("PUT", f"{API}/organisations/{{org_id}}/profile"): {"name": "Hijacked", "country": "NL"},
    ("PATCH", f"{API}/organisations/{{org_id}}/profile"): {"name": "Hijacked"},
    ("POST", f"{API}/organisations/{{org_id}}/members"): {"email": "outsider@example.nl", "role": "owner"},
    ("POST", f"{API}/organisations/{{org_id}}/shares"): {"email": "broker@example.nl"},
    ("PUT", f"{API}/organisations/{{org_id}}/answers/{{question_id}}"): {"value": "overwritten"},
    ("POST", f"{API}/organisations/{{org_id}}/offers"): {"id": "probe", "insurer": "P", "product": "P"},
    ("PUT", f"{API}/organisations/{{org_id}}/offers/{{offer_id}}"): {"id": "probe", "insurer": "P", "product": "P"},
    ("POST", f"{API}/organisations/{{org_id}}/offers/extract"): {},
    ("POST", f"{API}/organisations/{{org_id}}/offers/compare"): {"offers": [1]},
    # supplier chain (issue 15)
    ("POST", f"{API}/organisations/{{org_id}}/suppliers"): {"id": "probe", "name": "Probe BV", "tier": "low"},
    ("PUT", f"{API}/organisations/{{org_id}}/suppliers/{{supplier_id}}"): {
        "id": "x",
        "name": "Hijacked",
        "tier": "low",
    },
    ("PUT", f"{API}/organisations/{{org_id}}/supplier-settings"): {"alert_emails": ["probe@example.nl"]},
    ("POST", f"{API}/organisations/{{org_id}}/suppliers/{{supplier_id}}/requests"): {"email": "probe@example.nl"},
    ("PUT", f"{API}/me/supplier-requests/{{request_id}}/share"): {"organisation_id": 1, "level": "full"},
    ("POST", f"{API}/supplier-signup"): {"token": "x" * 40, "name": "Probe", "password": "long enough password"},
    # outside-in scans (issue 16)
    ("POST", f"{API}/organisations/{{org_id}}/scans"): {"format": "insurable.scan/1", "organisation": "Probe"},
    ("POST", f"{API}/organisations/{{org_id}}/scans/run"): {"attest": True},
}
#: A scan file of the victim's declared domain (issue 16).
SCAN = {
    "organisation": SECRET,
    "started": "2026-11-30T09:00:00Z",
    "finished": "2026-11-30T09:00:20Z",
    "user_agent": "insurable-scan/0.1",
    "consent": [{"target": "secret.example", "method": "dns-txt", "at": "2026-11-30T09:00:00Z"}],
    "targets": ["secret.example"],
    "checks_run": ["exp.rdp_exposed"],
    "findings": [{"check": "exp.rdp_exposed", "target": "secret.example:3389", "detail": SECRET}],
}
#: Routes that are public by design (no tenant data behind them).
PUBLIC = {f"{API}/health", f"{API}/auth/login"}


def _routes(client: TestClient) -> list[tuple[str, str, APIRoute]]:
    """Every (method, full path, route) the app serves, included routers flattened."""
    found = []
    for context in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        route = context.original_route
        path = context.path or ""
        if isinstance(route, APIRoute) and path.startswith(API):
            found.extend((method, path, route) for method in sorted(context.methods or ()))
    return found


def test_every_endpoint_refuses_other_tenants(client: TestClient, make_user: MakeUser) -> None:
    victim = make_user("victim@example.nl")
    org = new_org(client, victim, name=SECRET)
    base = f"{API}/organisations/{org}"
    assert client.put(f"{base}/answers/{QUESTION}", json={"value": SECRET_ANSWER}, headers=victim.auth).is_success
    assessment = client.post(f"{base}/assessments", headers=victim.auth).json()["id"]
    victim_token = mint_token(client, victim)["id"]
    partner_broker = make_user("partner@example.nl", kind="broker")
    join(client, victim, org, partner_broker, "share")
    invitation = client.post(f"{base}/members", json={"email": "later@example.nl"}, headers=victim.auth).json()["id"]
    secret_supplier = {"id": "secret", "name": SECRET, "tier": "critical"}
    supplier = client.post(f"{base}/suppliers", json=secret_supplier, headers=victim.auth).json()["supplier_id"]
    asked = client.post(f"{base}/suppliers/{supplier}/requests", json={"email": "sup@example.nl"}, headers=victim.auth)
    supplier_request = asked.json()["request_id"]
    pdf = {**victim.auth, "Content-Type": "application/pdf"}
    kept = client.post(f"{base}/suppliers/{supplier}/documents", content=b"%PDF-1.7 " + SECRET.encode(), headers=pdf)
    document = int(kept.json()["document"].split(":")[1])
    targets = {"scan_targets": {"domains": ["secret.example"]}}
    assert client.patch(f"{base}/profile", json=targets, headers=victim.auth).is_success
    stored_scan = client.post(f"{base}/scans", json=SCAN, headers=victim.auth)
    assert stored_scan.status_code == 201, stored_scan.text

    outsider = make_user("outsider@example.nl")
    new_org(client, outsider, name="Outsider BV")
    broker = make_user("broker@example.nl", kind="broker")
    underwriter = make_user("underwriter@example.nl", kind="underwriter")
    ids = {
        "org_id": org,
        "assessment_id": assessment,
        "token_id": victim_token,
        "user_id": victim.id,
        "question_id": QUESTION,
        "invitation_id": invitation,
        "offer_id": 1,
        "supplier_id": supplier,
        "request_id": supplier_request,
        "document_id": document,
        "scan_id": stored_scan.json()["id"],
    }
    swept = 0
    for method, path, route in _routes(client):
        params = set(re.findall(r"{(\w+)}", path))
        assert params <= ids.keys(), f"{path}: no probe value for {params - ids.keys()}; add one"
        url = path.format(**{k: ids[k] for k in params})
        body = BODIES.get((method, path))
        if route.body_field is not None:
            assert body is not None, f"{method} {path} takes a body: add a valid one to BODIES"
        for intruder in (outsider, broker, underwriter):
            response = client.request(method, url, json=body, headers=intruder.auth)
            swept += 1
            text = response.text
            assert SECRET not in text and SECRET_ANSWER not in text, f"{method} {url} leaked to {intruder.email}"
            assert response.status_code < 500, f"{method} {url}: {response.status_code}"
            if "org_id" in params or "{token_id}" in path or "{request_id}" in path:
                assert response.status_code in (403, 404), f"{method} {url} let {intruder.email} in: {text}"
            elif path not in PUBLIC and response.is_success:
                assert method in ("GET", "POST"), f"{method} {url} succeeded for {intruder.email}"
    assert swept == 3 * len(_routes(client)) >= 3 * 25

    # the victim's data is unchanged, and the owner still reaches every read endpoint
    _unchanged(client, victim, base, victim_token)
    kept = client.get(f"{base}/suppliers/{supplier}", headers=victim.auth).json()
    assert (kept["name"], kept["tier"]) == (SECRET, "critical")


def _unchanged(client: TestClient, victim: Account, base: str, token_id: int) -> None:
    profile = client.get(f"{base}/profile", headers=victim.auth).json()
    assert profile["name"] == SECRET
    answers = client.get(f"{base}/answers", headers=victim.auth).json()
    assert [(a["question_id"], a["value"]) for a in answers] == [(QUESTION, SECRET_ANSWER)]
    members = client.get(f"{base}/members", headers=victim.auth).json()
    assert [m["email"] for m in members] == ["victim@example.nl"]
    shares = client.get(f"{base}/shares", headers=victim.auth).json()
    assert [s["email"] for s in shares] == ["partner@example.nl"]
    tokens = client.get(f"{API}/me/tokens", headers=victim.auth).json()
    assert all(t["revoked_at"] is None for t in tokens if t["id"] == token_id)


def test_organisation_lists_show_only_your_own(client: TestClient, make_user: MakeUser) -> None:
    alice, bob = make_user("alice@example.nl"), make_user("bob@example.nl")
    a = new_org(client, alice, name="Alice BV")
    b = new_org(client, bob, name="Bob BV")
    assert [o["id"] for o in client.get(f"{API}/organisations", headers=alice.auth).json()] == [a]
    assert [o["id"] for o in client.get(f"{API}/organisations", headers=bob.auth).json()] == [b]


def test_revoked_share_closes_every_endpoint(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    broker = make_user("broker@example.nl", kind="broker")
    org = new_org(client, owner, name=SECRET)
    base = f"{API}/organisations/{org}"
    join(client, owner, org, broker, "share")
    assert client.get(f"{base}/profile", headers=broker.auth).status_code == 200
    client.delete(f"{base}/shares/{broker.id}", headers=owner.auth)
    for suffix in ("", "/profile", "/answers", "/assessments", "/members", "/shares", "/audit"):
        assert client.get(f"{base}{suffix}", headers=broker.auth).status_code == 404
