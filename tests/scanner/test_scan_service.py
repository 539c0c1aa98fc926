"""Scans in the service (issue 16): upload, run against the loopback fixtures, history, diff, evidence.

The app runs on a fresh database (SQLite, or PostgreSQL with INSURABLE_TEST_DATABASE_URL) with the
scanner pointed at the fixture DNS server and ports; non-public addresses are allowed only because
these tests turn ``scan_allow_private`` on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from insurable.api import create_app
from insurable.api.settings import Settings
from insurable.catalog.loader import Catalog
from insurable.store.db import make_engine
from insurable.store.models import AuditEvent
from tests.scanner.fixtures import DOMAIN, ORG_NAME, Fixtures
from tests.service.conftest import Account, database_url

API = "/api/v1"
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
EVIDENCE: list[dict[str, Any]] = []


def recording_assess(org: Any, catalog: Catalog, evidence: Any = None) -> dict[str, Any]:
    """Stands in for the engine: records the evidence it was given."""
    EVIDENCE.append(dict(evidence or {}))
    return {"verdict": "declined" if (evidence or {}).get("exp.rdp_exposed") else "insurable", "premium_eur": 100}


def scan_file(
    *findings: dict[str, Any],
    checks: tuple[str, ...] = ("exp.rdp_exposed", "exp.dmarc_policy"),
    started: dt.datetime = NOW,
    organisation: str = ORG_NAME,
    target: str = DOMAIN,
) -> dict[str, Any]:
    """A scan as ``insurable scan --out`` writes it."""
    return {
        "format": "insurable.scan/1",
        "organisation": organisation,
        "started": started.isoformat(),
        "finished": (started + dt.timedelta(seconds=20)).isoformat(),
        "user_agent": "insurable-scan/0.1",
        "consent": [{"target": target, "method": "dns-txt", "by": None, "at": started.isoformat()}],
        "targets": [target],
        "checks_run": list(checks),
        "findings": list(findings),
        "open_ports": {"127.0.0.1": [3389]},
        "kev_catalogue": "test",
    }


RDP = {"check": "exp.rdp_exposed", "target": f"{DOMAIN}:3389", "value": True, "detail": "X.224"}
DMARC_NONE = {"check": "exp.dmarc_policy", "target": DOMAIN, "value": "none_policy", "detail": "p=none"}


def _settings(db_url: str, servers: Fixtures, **overrides: Any) -> Settings:
    ports = ",".join(str(p) for name, p in servers.ports.items() if name != "silent")
    values: dict[str, Any] = {
        "database_url": db_url,
        "login_rate": 1000,
        "scan_allow_private": True,
        "scan_dns_server": servers.nameserver,
        "scan_ports": ports,
        "scan_well_known_ports": f"{servers.ports['vpn_portal']}",
        "scan_ca_file": str(servers.ca_file),
        "scan_timeout_seconds": 1,
    }
    return Settings(**{**values, **overrides})


@pytest.fixture
def scan_db(tmp_path: Path) -> Iterator[str]:
    yield from database_url(tmp_path)


def _client(db_url: str, settings: Settings, catalog: Catalog) -> Iterator[TestClient]:
    engine = make_engine(db_url)
    app = create_app(settings, engine=engine, catalog=lambda: catalog, assessor=recording_assess)
    with TestClient(app) as client:
        yield client
    engine.dispose()


@pytest.fixture
def client(scan_db: str, servers: Fixtures, catalog: Catalog) -> Iterator[TestClient]:
    yield from _client(scan_db, _settings(scan_db, servers), catalog)


def _user(app: FastAPI, email: str) -> Account:
    from insurable.api.security import hash_password, new_token, token_hash
    from insurable.store.models import ApiToken, User

    secret = new_token()
    with app.state.sessions() as session:
        user = User(email=email, name=email.split("@")[0], kind="user", password_hash=hash_password("x" * 20))
        session.add(user)
        session.flush()
        session.add(ApiToken(user_id=user.id, name="t", token_hash=token_hash(secret), prefix=secret[:8]))
        session.commit()
        return Account(user.id, email, "x" * 20, secret)


def _org(client: TestClient, owner: Account, servers: Fixtures, **targets: Any) -> str:
    created = client.post(f"{API}/organisations", json={"name": ORG_NAME}, headers=owner.auth)
    assert created.status_code == 201, created.text
    base = f"{API}/organisations/{created.json()['id']}"
    profile = {k: v for k, v in servers.organisation(**targets).items() if k != "answers"}
    assert client.put(f"{base}/profile", json=profile, headers=owner.auth).status_code == 200
    for qid, value in {"q.exposure.rdp_exposed": False, "q.email.dmarc": "reject"}.items():
        assert client.put(f"{base}/answers/{qid}", json={"value": value}, headers=owner.auth).is_success
    return base


def _actions(client: TestClient) -> list[str]:
    app: Any = client.app
    with app.state.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_upload_history_reconciliation_and_evidence_for_submit(client: TestClient, servers: Fixtures) -> None:
    owner = _user(client.app, "owner@example.nl")  # type: ignore[arg-type]
    base = _org(client, owner, servers)
    uploaded = client.post(f"{base}/scans", json=scan_file(RDP, DMARC_NONE), headers=owner.auth)
    assert uploaded.status_code == 201, uploaded.text
    first = uploaded.json()
    assert (first["source"], first["status"], first["findings"]) == ("upload", "done", 2)
    assert len(first["content_hash"]) == 64
    again = client.post(f"{base}/scans", json=scan_file(RDP, DMARC_NONE), headers=owner.auth)
    assert again.status_code == 409 and f"scan {first['id']}" in again.json()["detail"]

    shown = client.get(f"{base}/scans/{first['id']}", headers=owner.auth).json()
    assert shown["consent"][0]["method"] == "dns-txt"
    pairs = {
        (c["question"], c["declared"], c["observed"], c["severity"]) for c in shown["reconciliation"]["contradictions"]
    }
    assert ("q.exposure.rdp_exposed", False, True, "critical") in pairs
    assert ("q.email.dmarc", "reject", "none_policy", "high") in pairs

    EVIDENCE.clear()
    submitted = client.post(f"{base}/assessments", headers=owner.auth)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["scan_id"] == first["id"]
    assert submitted.json()["verdict"] == "declined"
    assert EVIDENCE[-1]["exp.rdp_exposed"] is True and EVIDENCE[-1]["exp.dmarc_policy"] == "none_policy"

    # a re-scan where RDP is closed: the diff says resolved, and the next submission uses it
    later = scan_file(DMARC_NONE, started=NOW + dt.timedelta(days=7))
    second = client.post(f"{base}/scans", json=later, headers=owner.auth).json()
    diff = client.get(f"{base}/scans/{second['id']}/diff", headers=owner.auth)
    assert diff.status_code == 200, diff.text
    body = diff.json()
    assert (body["before"], body["after"]) == (first["id"], second["id"])
    assert [f["check"] for f in body["diff"]["resolved"]] == ["exp.rdp_exposed"]
    assert [f["check"] for f in body["diff"]["unchanged"]] == ["exp.dmarc_policy"]
    history = client.get(f"{base}/scans", headers=owner.auth).json()
    assert [s["id"] for s in history] == [second["id"], first["id"]]
    resubmitted = client.post(f"{base}/assessments", headers=owner.auth).json()
    assert (resubmitted["scan_id"], resubmitted["verdict"]) == (second["id"], "insurable")
    assert EVIDENCE[-1]["exp.rdp_exposed"] is False
    actions = _actions(client)
    assert actions.count("scan.upload") == 2 and {"scan.view", "scans.list", "scan.diff"} <= set(actions)


def test_a_bad_upload_names_every_problem_and_keeps_nothing(client: TestClient, servers: Fixtures) -> None:
    owner = _user(client.app, "owner@example.nl")  # type: ignore[arg-type]
    base = _org(client, owner, servers)
    bad = scan_file({"check": "exp.made_up", "target": DOMAIN}, organisation="Someone Else BV", target="victim.example")
    answer = client.post(f"{base}/scans", json=bad, headers=owner.auth)
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"organisation", "consent.0.target", "findings.0.check"} <= fields
    broken = client.post(f"{base}/scans", json={"format": "insurable.scan/1", "findings": "x"}, headers=owner.auth)
    assert broken.status_code == 422
    assert {"organisation", "started", "findings"} <= {e["field"] for e in broken.json()["errors"]}
    assert client.get(f"{base}/scans", headers=owner.auth).json() == []
    assert "scan.upload" not in _actions(client)


def test_an_oversize_upload_is_refused(scan_db: str, servers: Fixtures, catalog: Catalog) -> None:
    for client in _client(scan_db, _settings(scan_db, servers, scan_max_bytes=600), catalog):
        owner = _user(client.app, "owner@example.nl")  # type: ignore[arg-type]
        base = _org(client, owner, servers)
        answer = client.post(f"{base}/scans", json=scan_file(RDP, DMARC_NONE), headers=owner.auth)
        assert answer.status_code == 413
        assert client.get(f"{base}/scans", headers=owner.auth).json() == []


def test_run_from_the_service_with_dns_proof_then_rate_limited(
    scan_db: str, servers: Fixtures, catalog: Catalog
) -> None:
    for client in _client(scan_db, _settings(scan_db, servers, scans_per_hour=1), catalog):
        owner = _user(client.app, "owner@example.nl")  # type: ignore[arg-type]
        base = _org(client, owner, servers)
        started = client.post(f"{base}/scans/run", json={}, headers=owner.auth)
        assert started.status_code == 202, started.text
        assert started.json()["status"] == "queued"
        done = client.get(f"{base}/scans/{started.json()['id']}", headers=owner.auth).json()
        assert done["status"] == "done", done["problems"]
        assert done["consent"][0]["method"] == "dns-txt"
        checks = {f["check"] for f in done["result"]["findings"]}
        assert {"exp.rdp_exposed", "exp.smb_exposed", "exp.dmarc_policy"} <= checks
        assert any(c["question"] == "q.exposure.rdp_exposed" for c in done["reconciliation"]["contradictions"])
        again = client.post(f"{base}/scans/run", json={}, headers=owner.auth)
        assert again.status_code == 429 and again.headers["retry-after"] == "3600"
        assert {"scan.start", "scan.done"} <= set(_actions(client))


def test_run_refusals_name_every_target_before_any_connection(client: TestClient, servers: Fixtures) -> None:
    owner = _user(client.app, "owner@example.nl")  # type: ignore[arg-type]
    base = _org(client, owner, servers, domains=["nodns.test"], ip_ranges=["127.0.0.1/32"])
    refused = client.post(f"{base}/scans/run", json={"targets": ["elsewhere.example"]}, headers=owner.auth)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["reason"].startswith("'elsewhere.example' is not declared")
    unproven = client.post(f"{base}/scans/run", json={}, headers=owner.auth)
    assert unproven.status_code == 422
    reasons = {e["field"]: e["reason"] for e in unproven.json()["errors"]}
    assert "no proof of control of nodns.test" in reasons["scan_targets.domains[0]"]
    assert "need an attestation" in reasons["scan_targets.ip_ranges[0]"]
    assert client.get(f"{base}/scans", headers=owner.auth).json() == []
    assert "scan.refused" in _actions(client)
    attested = client.post(f"{base}/scans/run", json={"attest": True, "targets": ["127.0.0.1"]}, headers=owner.auth)
    assert attested.status_code == 202, attested.text
    shown = client.get(f"{base}/scans/{attested.json()['id']}", headers=owner.auth).json()
    assert shown["status"] == "done"
    assert {(c["target"], c["method"], c["by"]) for c in shown["consent"]} == {
        ("127.0.0.1/32", "attestation", "owner@example.nl")
    }


def test_refused_attempts_count_towards_the_rate_limit(scan_db: str, servers: Fixtures, catalog: Catalog) -> None:
    for client in _client(scan_db, _settings(scan_db, servers, scans_per_hour=1), catalog):
        owner = _user(client.app, "owner@example.nl")  # type: ignore[arg-type]
        base = _org(client, owner, servers, domains=["nodns.test"])
        answers = [client.post(f"{base}/scans/run", json={}, headers=owner.auth).status_code for _ in range(4)]
        assert answers == [422, 422, 422, 429]
        assert _actions(client).count("scan.refused") == 3


def test_non_public_targets_are_refused_unless_the_server_allows_them(
    scan_db: str, servers: Fixtures, catalog: Catalog
) -> None:
    for client in _client(scan_db, _settings(scan_db, servers, scan_allow_private=False), catalog):
        owner = _user(client.app, "owner@example.nl")  # type: ignore[arg-type]
        base = _org(client, owner, servers)
        refused = client.post(f"{base}/scans/run", json={"attest": True}, headers=owner.auth)
        assert refused.status_code == 422
        assert "non-public" in refused.text


def test_a_network_failure_ends_the_scan_as_failed_not_a_500(
    client: TestClient, servers: Fixtures, monkeypatch: pytest.MonkeyPatch
) -> None:
    import insurable.scanner.engine

    def unreachable(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("network is unreachable")

    owner = _user(client.app, "owner@example.nl")  # type: ignore[arg-type]
    base = _org(client, owner, servers)
    monkeypatch.setattr(insurable.scanner.engine, "run_scan", unreachable)
    started = client.post(f"{base}/scans/run", json={}, headers=owner.auth)
    assert started.status_code == 202
    shown = client.get(f"{base}/scans/{started.json()['id']}", headers=owner.auth).json()
    assert shown["status"] == "failed" and "network is unreachable" in shown["problems"][0]["reason"]
    assert shown["result"] is None
    assert "scan.failed" in _actions(client)
    # a failed scan is no evidence
    EVIDENCE.clear()
    assert client.post(f"{base}/assessments", headers=owner.auth).json()["scan_id"] is None
