"""The main journey through the API: organisation, profile, answers, submit, history, audit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.conftest import PROFILE, MakeUser, join, login, new_org

API = "/api/v1"


def test_health_and_openapi_are_published(client: TestClient) -> None:
    assert client.get(f"{API}/health").json()["status"] == "ok"
    schema = client.get(f"{API}/openapi.json").json()
    assert f"{API}/organisations/{{org_id}}/answers/{{question_id}}" in schema["paths"]


def test_fill_in_submit_and_read_history(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    org = new_org(client, owner)
    base = f"{API}/organisations/{org}"
    assert client.get(f"{base}/profile", headers=owner.auth).json()["nace_code"] == PROFILE["nace_code"]

    saved = client.put(f"{base}/answers/q.mfa.remote_access", json={"value": True}, headers=owner.auth)
    assert saved.status_code == 200, saved.text
    assert saved.json()["value"] is True
    client.put(f"{base}/answers/q.backup.frequency", json={"value": "daily"}, headers=owner.auth)
    answers = client.get(f"{base}/answers", headers=owner.auth).json()
    assert {a["question_id"]: a["value"] for a in answers} == {
        "q.backup.frequency": "daily",
        "q.mfa.remote_access": True,
    }

    submitted = client.post(f"{base}/assessments", headers=owner.auth)
    assert submitted.status_code == 201, submitted.text
    snapshot = submitted.json()
    assert snapshot["result"]["verdict"] == "insurable"
    assert snapshot["premium_cents"] == 123456
    assert snapshot["input"]["answers"]["q.mfa.remote_access"] is True
    assert "insurable.questionnaire" in snapshot["catalog_versions"]

    # a later change to the draft does not touch the snapshot
    client.put(f"{base}/answers/q.mfa.remote_access", json={"value": False}, headers=owner.auth)
    again = client.get(f"{base}/assessments/{snapshot['id']}", headers=owner.auth).json()
    assert again["input"]["answers"]["q.mfa.remote_access"] is True
    history = client.get(f"{base}/assessments", headers=owner.auth).json()
    assert [h["id"] for h in history] == [snapshot["id"]]

    actions = [e["action"] for e in client.get(f"{base}/audit", headers=owner.auth).json()]
    for expected in ("organisation.create", "profile.update", "answer.save", "assessment.submit", "assessment.view"):
        assert expected in actions


def test_bad_answers_name_the_field(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    base = f"{API}/organisations/{new_org(client, owner)}"
    wrong = client.put(f"{base}/answers/q.mfa.remote_access", json={"value": "yes"}, headers=owner.auth)
    assert wrong.status_code == 422
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["errors"][0]["field"] == "value"
    unknown = client.put(f"{base}/answers/q.nope.nothing", json={"value": True}, headers=owner.auth)
    assert unknown.status_code == 404
    malformed = client.put(f"{base}/answers/mfa", json={"value": True}, headers=owner.auth)
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "question_id"
    nul = client.put(f"{base}/answers/q.org.business_description", json={"value": "a\x00b"}, headers=owner.auth)
    assert nul.status_code == 400
    missing = client.put(f"{base}/answers/q.mfa.email", json={}, headers=owner.auth)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "value"
    profile = client.put(f"{base}/profile", json={**PROFILE, "country": "XX", "employees": -1}, headers=owner.auth)
    assert profile.status_code == 422
    assert {e["field"] for e in profile.json()["errors"]} == {"country", "employees"}


def test_submit_lists_every_missing_profile_field(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    org = new_org(client, owner, profile=False)
    refused = client.post(f"{API}/organisations/{org}/assessments", headers=owner.auth)
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert {"country", "nace_code", "employees", "requested_limit_eur"} <= fields


def test_members_and_roles(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    colleague = make_user("colleague@example.nl")
    base = f"{API}/organisations/{new_org(client, owner)}"
    assert client.get(base, headers=colleague.auth).status_code == 404
    join(client, owner, int(base.rsplit("/", 1)[1]), colleague)
    assert client.get(base, headers=colleague.auth).json()["relation"] == "member"
    assert client.put(f"{base}/answers/q.mfa.email", json={"value": True}, headers=colleague.auth).status_code == 200
    # a member may not manage the organisation or read its audit trail
    assert client.post(f"{base}/members", json={"email": "x@example.nl"}, headers=colleague.auth).status_code == 403
    assert client.get(f"{base}/audit", headers=colleague.auth).status_code == 403
    # the last owner cannot leave
    assert client.delete(f"{base}/members/{owner.id}", headers=owner.auth).status_code == 409
    assert client.delete(f"{base}/members/{colleague.id}", headers=owner.auth).status_code == 204
    assert client.get(base, headers=colleague.auth).status_code == 404


def test_share_with_broker_and_underwriter_then_revoke(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    broker = make_user("broker@example.nl", kind="broker")
    underwriter = make_user("uw@example.nl", kind="underwriter")
    org = new_org(client, owner)
    base = f"{API}/organisations/{org}"
    for who in (broker, underwriter):
        assert client.get(base, headers=who.auth).status_code == 404
        join(client, owner, org, who, "share")
        assert client.get(base, headers=who.auth).status_code == 200
    assert [o["id"] for o in client.get(f"{API}/organisations", headers=broker.auth).json()] == [org]
    # brokers fill in and submit for their client; underwriters only read
    assert client.put(f"{base}/answers/q.mfa.email", json={"value": True}, headers=broker.auth).status_code == 200
    assert client.post(f"{base}/assessments", headers=broker.auth).status_code == 201
    assert client.put(f"{base}/answers/q.mfa.email", json={"value": False}, headers=underwriter.auth).status_code == 403
    assert client.get(f"{base}/assessments", headers=underwriter.auth).status_code == 200
    assert client.post(f"{API}/organisations", json={"name": "Mine"}, headers=broker.auth).status_code == 403

    assert client.delete(f"{base}/shares/{broker.id}", headers=owner.auth).status_code == 204
    assert client.get(base, headers=broker.auth).status_code == 404
    actions = [(e["action"], e["target"]) for e in client.get(f"{base}/audit", headers=owner.auth).json()]
    assert ("share.grant", f"user:{broker.id}") in actions
    assert ("share.revoke", f"user:{broker.id}") in actions


def test_admin_sees_everything_and_creates_accounts(client: TestClient, make_user: MakeUser) -> None:
    admin = make_user("admin@example.nl", kind="admin")
    owner = make_user("owner@example.nl")
    org = new_org(client, owner)
    assert client.get(f"{API}/organisations/{org}/audit", headers=admin.auth).status_code == 200
    created = client.post(
        f"{API}/users",
        json={"email": "New@Example.nl", "name": "New", "password": "long enough password", "kind": "broker"},
        headers=admin.auth,
    )
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "new@example.nl"
    assert client.get(f"{API}/users", headers=owner.auth).status_code == 403
    assert any(e["action"] == "user.create" for e in client.get(f"{API}/audit", headers=admin.auth).json())


def test_profile_patch_merges_and_names_bad_fields(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    url = f"{API}/organisations/{new_org(client, owner)}/profile"
    patched = client.patch(url, json={"employees": 12, "records_held": None}, headers=owner.auth)
    assert patched.status_code == 200, patched.text
    assert patched.json()["employees"] == 12 and patched.json()["records_held"] is None
    assert patched.json()["country"] == "NL"
    bad = client.patch(url, json={"country": "XX", "unknown_field": 1}, headers=owner.auth)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"country", "unknown_field"}
    assert client.patch(url, json={"answers": {}}, headers=owner.auth).status_code == 422


def test_long_text_is_refused_or_kept_never_a_500(client: TestClient, make_user: MakeUser) -> None:
    owner = make_user("owner@example.nl")
    org = new_org(client, owner)
    long_name = "N" * 500
    # issue 13, item 10: the API limits names and text as the web form does (200 characters)
    saved = client.put(f"{API}/organisations/{org}/profile", json={**PROFILE, "name": long_name}, headers=owner.auth)
    assert saved.status_code == 422 and saved.json()["errors"] == [
        {"field": "name", "reason": "at most 200 characters"}
    ]
    assert client.get(f"{API}/organisations/{org}", headers=owner.auth).json()["name"] == "Example BV"
    answer = client.put(
        f"{API}/organisations/{org}/answers/q.org.business_description", json={"value": "x" * 2001}, headers=owner.auth
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "value"
    token = client.post(f"{API}/me/tokens", json={"name": "t" * 101}, headers=login(client, owner))
    assert token.status_code == 422 and token.json()["errors"][0]["field"] == "name"
    created = client.post(f"{API}/organisations", json={"name": "o" * 201}, headers=owner.auth)
    assert created.status_code == 422
