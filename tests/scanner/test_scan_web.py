"""Scans on the web pages (issue 16): upload and run forms, one scan, the diff, and the findings
section of the results page and the board report, with the real engine taking findings as facts."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from insurable.api import create_app
from insurable.catalog.loader import Catalog
from insurable.store import repo
from insurable.store.db import make_engine
from insurable.store.models import User
from tests.scanner.fixtures import Fixtures
from tests.scanner.test_scan_service import DMARC_NONE, NOW, RDP, _settings, scan_file
from tests.service.conftest import database_url
from tests.web.conftest import PASSWORD, csrf_of, login

ANSWERS = {"q.exposure.rdp_exposed": False, "q.email.dmarc": "reject"}
_memo: dict[str, Any] = {}


def engine_assess(org: Any, catalog: Catalog, evidence: Any = None) -> Any:
    """The real assessment (smaller loss simulation), memoised by input and evidence."""
    from insurable.assessment import assess

    key = json.dumps([org.model_dump(mode="json"), evidence], sort_keys=True, default=str)
    if key not in _memo:
        _memo[key] = assess(org, catalog, loss_trials=2_000, evidence=evidence)
    return _memo[key]


@pytest.fixture
def web(tmp_path: Path, servers: Fixtures, catalog: Catalog) -> Iterator[FastAPI]:
    from insurable.api.security import hash_password

    for url in database_url(tmp_path):
        engine = make_engine(url)
        app = create_app(_settings(url, servers), engine=engine, catalog=lambda: catalog, assessor=engine_assess)
        with app.state.sessions() as session:
            session.add(
                User(email="owner@example.nl", name="owner", kind="user", password_hash=hash_password(PASSWORD))
            )
            session.commit()
        yield app
        engine.dispose()


def _org(app: FastAPI, servers: Fixtures) -> int:
    organisation = servers.organisation(ANSWERS)
    with app.state.sessions() as session:
        user = session.query(User).filter_by(email="owner@example.nl").one()
        org = repo.create_organisation(session, user, str(organisation["name"]), {})
        org.profile = {k: v for k, v in organisation.items() if k != "answers"}
        for qid, value in ANSWERS.items():
            repo.save_answer(session, org, qid, value, user)
        session.commit()
        return int(org.id)


def _english(app: FastAPI) -> TestClient:
    client = login(app, "owner@example.nl")
    client.headers["Accept-Language"] = "en"
    return client


def _upload(client: TestClient, org: int, body: dict[str, Any]) -> Any:
    token = csrf_of(client.get(f"/orgs/{org}/scans").text)
    files = {"file": ("scan.json", json.dumps(body).encode(), "application/json")}
    return client.post(f"/orgs/{org}/scans/upload", data={"csrf_token": token}, files=files)


def test_upload_show_diff_and_findings_in_results_and_reports(web: FastAPI, servers: Fixtures) -> None:
    org = _org(web, servers)
    client = _english(web)
    listed = client.get(f"/orgs/{org}/scans")
    assert listed.status_code == 200 and "No scans yet." in listed.text
    stored = _upload(client, org, scan_file(RDP, DMARC_NONE))
    assert stored.status_code == 303, stored.text
    first = stored.headers["location"]
    shown = client.get(first)
    assert shown.status_code == 200
    assert "RDP reachable from the internet" in shown.text and "Contradicting your answers" in shown.text
    assert 'class="declared">no<' in shown.text and 'class="observed">yes' in shown.text

    token = csrf_of(client.get(f"/orgs/{org}/scans").text)
    submitted = client.post(f"/orgs/{org}/submit", data={"csrf_token": token})
    assert submitted.status_code == 303, submitted.text
    results = client.get(submitted.headers["location"])
    assert results.status_code == 200
    assert "uw.decline.rdp_observed" in results.text
    assert "Outside-in scan" in results.text and "This assessment used its findings as facts." in results.text
    report = client.get(submitted.headers["location"] + "/report.html")
    assert "Outside-in scan" in report.text and "exp.rdp_exposed" in report.text
    dutch = client.get(submitted.headers["location"] + "/report.html", headers={"Accept-Language": "nl"})
    assert "Scan van buitenaf" in dutch.text and "Tegenstrijdig met uw antwoorden" in dutch.text
    pdf = client.get(submitted.headers["location"] + "/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Outside-in scan" in pdf_text and "exp.rdp_exposed" in pdf_text
    docx = client.get(submitted.headers["location"] + "/report.docx", headers={"Accept-Language": "nl"})
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    docx_text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Scan van buitenaf" in docx_text and "Tegenstrijdig met uw antwoorden" in docx_text
    assert any("exp.rdp_exposed" in c for c in cells) and "nee" in cells and not any("`" in c for c in cells)
    data = client.get(submitted.headers["location"] + "/report.json").json()
    assert data["scan"]["used"] is True and data["scan"]["scan_id"] == int(first.rsplit("/", 1)[1])
    assert {c["question"] for c in data["scan"]["contradictions"]} >= {"q.exposure.rdp_exposed", "q.email.dmarc"}

    later = _upload(client, org, scan_file(DMARC_NONE, started=NOW + dt.timedelta(days=3)))
    assert later.status_code == 303
    diff = client.get(later.headers["location"] + "/diff")
    assert diff.status_code == 200
    resolved = diff.text.split('class="diff-resolved"')[1].split("</ul>")[0]
    assert "exp.rdp_exposed" in resolved
    # the old report still shows the scan it used; the list links the diff
    assert "This assessment used its findings as facts." in client.get(submitted.headers["location"]).text
    assert f"{later.headers['location']}/diff" in client.get(f"/orgs/{org}/scans").text


def test_a_bad_upload_shows_every_problem(web: FastAPI, servers: Fixtures) -> None:
    org = _org(web, servers)
    client = _english(web)
    bad = _upload(client, org, scan_file({"check": "exp.nope", "target": "x"}, organisation="Other BV"))
    assert bad.status_code == 422
    assert "<code>organisation</code>" in bad.text and "<code>findings.0.check</code>" in bad.text
    token = csrf_of(client.get(f"/orgs/{org}/scans").text)
    files = {"file": ("scan.json", b"{not json", "application/json")}
    broken = client.post(f"/orgs/{org}/scans/upload", data={"csrf_token": token}, files=files)
    assert broken.status_code == 422 and "not a JSON scan file" in broken.text
    assert "No scans yet." in client.get(f"/orgs/{org}/scans").text


def test_run_from_the_web_with_attestation(web: FastAPI, servers: Fixtures) -> None:
    org = _org(web, servers)
    client = _english(web)
    token = csrf_of(client.get(f"/orgs/{org}/scans").text)
    started = client.post(f"/orgs/{org}/scans/run", data={"csrf_token": token, "attest": "yes"})
    assert started.status_code == 303, started.text
    shown = client.get(started.headers["location"])
    assert "done" in shown.text and "dns-txt" in shown.text
    assert "RDP reachable from the internet" in shown.text
    refused = client.post(f"/orgs/{org}/scans/run", data={"csrf_token": token, "targets": "elsewhere.example"})
    assert refused.status_code == 422 and "elsewhere.example" in refused.text


def test_scan_targets_on_the_profile_form(web: FastAPI, servers: Fixtures) -> None:
    org = _org(web, servers)
    client = _english(web)
    form_page = client.get(f"/orgs/{org}/profile")
    assert "Targets for the outside-in scan" in form_page.text and "example.test</textarea>" in form_page.text
    token = csrf_of(form_page.text)
    base = {"csrf_token": token, "activities_shown": "1", "scan_targets_shown": "1"}
    saved = client.post(
        f"/orgs/{org}/profile",
        data={
            **base,
            "scan_targets.domains": "Shop.Example.NL\nexample.nl",
            "scan_targets.ip_ranges": "198.51.100.16/29",
        },
    )
    assert saved.status_code == 303, saved.text
    stored = client.get(f"/api/v1/organisations/{org}/profile").json()["scan_targets"]
    assert stored == {"domains": ["shop.example.nl", "example.nl"], "ip_ranges": ["198.51.100.16/29"]}
    bad = client.post(
        f"/orgs/{org}/profile",
        data={**base, "scan_targets.domains": "not a domain!", "scan_targets.ip_ranges": "300.1.2.3/8"},
    )
    assert bad.status_code == 422
    assert "not a domain name" in bad.text and "not an IP address or CIDR range" in bad.text
    assert client.get(f"/api/v1/organisations/{org}/profile").json()["scan_targets"] == stored
    cleared = client.post(
        f"/orgs/{org}/profile", data={**base, "scan_targets.domains": "", "scan_targets.ip_ranges": ""}
    )
    assert cleared.status_code == 303
    assert client.get(f"/api/v1/organisations/{org}/profile").json().get("scan_targets") is None
