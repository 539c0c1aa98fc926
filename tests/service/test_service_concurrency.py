"""Concurrent drafts against a real server and a real database file (or PostgreSQL): two members
saving different answers at once lose nothing; the same answer saved twice keeps the last and
audits both."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.service.conftest import Account, MakeUser, join, new_org
from tests.service.live import live_server

#: Boolean questions from the packaged questionnaire, one half for each member.
QUESTIONS = [
    "q.mfa.remote_access",
    "q.mfa.email",
    "q.mfa.privileged",
    "q.mfa.critical_apps",
    "q.mfa.legacy_auth_blocked",
    "q.access.separate_admin_accounts",
    "q.access.pam_vault",
    "q.access.service_accounts_restricted",
    "q.access.access_reviews",
    "q.exposure.rdp_exposed",
    "q.exposure.external_scanning",
    "q.exposure.firewall_ports",
    "q.endpoint.edr",
    "q.endpoint.mdr_24x7",
    "q.endpoint.hardening",
    "q.backup.offline_copy",
]


def _setup(app: FastAPI, make_user: MakeUser) -> tuple[Account, Account, int]:
    alice, bob = make_user("alice@example.nl"), make_user("bob@example.nl")
    with TestClient(app) as client:
        org = new_org(client, alice)
        join(client, alice, org, bob)
    return alice, bob, org


def _save(base: str, who: Account, org: int, question: str, value: object) -> int:
    with httpx.Client(base_url=base, headers=who.auth, timeout=60) as http:
        response = http.put(f"/api/v1/organisations/{org}/answers/{question}", json={"value": value})
        return response.status_code


def test_two_members_saving_different_answers_lose_nothing(app: FastAPI, make_user: MakeUser) -> None:
    alice, bob, org = _setup(app, make_user)
    jobs = [(alice if i % 2 == 0 else bob, q, i % 3 == 0) for i, q in enumerate(QUESTIONS)]
    with live_server(app) as base, ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda job: _save(base, job[0], org, job[1], job[2]), jobs))
        assert codes == [200] * len(jobs)
        with httpx.Client(base_url=base, headers=alice.auth) as http:
            saved = {a["question_id"]: a["value"] for a in http.get(f"/api/v1/organisations/{org}/answers").json()}
    assert saved == {q: value for _, q, value in jobs}


def test_same_answer_saved_twice_keeps_the_last_and_audits_both(app: FastAPI, make_user: MakeUser) -> None:
    alice, bob, org = _setup(app, make_user)
    question = "q.backup.frequency"
    jobs = [(alice, "daily"), (bob, "weekly")] * 6
    with live_server(app) as base, ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda job: _save(base, job[0], org, question, job[1]), jobs))
        assert codes == [200] * len(jobs)
        with httpx.Client(base_url=base, headers=alice.auth) as http:
            final = http.get(f"/api/v1/organisations/{org}/answers/{question}").json()
            trail = http.get(f"/api/v1/organisations/{org}/audit", params={"limit": 1000}).json()
    saves = [e for e in trail if e["action"] == "answer.save" and e["target"] == question]
    assert len(saves) == len(jobs), "every save is audited"
    assert {e["actor_email"] for e in saves} == {alice.email, bob.email}
    last = max(saves, key=lambda e: e["id"])
    assert final["value"] == last["detail"]["value"], "the stored answer is the last one saved"
    assert final["updated_by"] == last["actor_id"]


def test_colleagues_patching_different_profile_fields_keep_both(app: FastAPI, make_user: MakeUser) -> None:
    alice, bob, org = _setup(app, make_user)
    url = f"/api/v1/organisations/{org}/profile"
    edits = [(alice, {"employees": 41 + i}) if i % 2 == 0 else (bob, {"records_held": 30_000 + i}) for i in range(12)]

    def patch(job: tuple[Account, dict[str, int]]) -> int:
        with httpx.Client(base_url=base, headers=job[0].auth, timeout=60) as http:
            return http.patch(url, json=job[1]).status_code

    with live_server(app) as base, ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(patch, edits)) == [200] * len(edits)
        with httpx.Client(base_url=base, headers=alice.auth) as http:
            profile = http.get(url).json()
            trail = http.get(f"/api/v1/organisations/{org}/audit", params={"limit": 1000}).json()
    updates = [e for e in trail if e["action"] == "profile.update" and "changed" in e["detail"]]
    assert len(updates) == len(edits)
    last_employees = max((e for e in updates if "employees" in e["detail"]["changed"]), key=lambda e: e["id"])
    last_records = max((e for e in updates if "records_held" in e["detail"]["changed"]), key=lambda e: e["id"])
    assert profile["employees"] == last_employees["detail"]["changed"]["employees"]
    assert profile["records_held"] == last_records["detail"]["changed"]["records_held"]
    assert profile["nace_code"] == "62.02", "fields nobody touched are kept"
