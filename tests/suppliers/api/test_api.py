"""The supplier chain over the API: register, status, requests, the supplier's choice to share a
summary or the full assessment (revocable, audited), alerts by e-mail, export; and isolation: a
supplier never sees another supplier or the client's register."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from insurable.mail import MemoryMailer
from tests.service.conftest import Account, MakeUser, join, new_org
from tests.suppliers.conftest import HOSPITAL

API = "/api/v1"
DAY = "2026-12-01"


def hospital_suppliers() -> list[dict[str, Any]]:
    data = yaml.safe_load(HOSPITAL.read_text(encoding="utf-8"))
    out = []
    for s in data["suppliers"]:
        s.pop("shared", None)
        out.append(yaml.safe_load(yaml.safe_dump(s, default_flow_style=False)))
    return out


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


@pytest.fixture()
def mailer(app) -> MemoryMailer:
    app.state.mailer = MemoryMailer()
    return app.state.mailer


@pytest.fixture()
def hospital(client: TestClient, make_user: MakeUser) -> tuple[Account, int, dict[str, int]]:
    owner = make_user("ciso@zkh.example")
    org = new_org(client, owner, name="Ziekenhuis Rivierenland (fictional)")
    ids = {}
    for supplier in hospital_suppliers():
        created = client.post(f"{API}/organisations/{org}/suppliers", json=jsonable(supplier), headers=owner.auth)
        assert created.status_code == 201, created.text
        ids[supplier["id"]] = created.json()["supplier_id"]
    settings = {
        "requirements": {
            "critical": {
                "insurance": {"cyber_limit_eur": 5_000_000, "pi_limit_eur": 2_500_000, "max_deductible_eur": 50_000}
            }
        },
        "alert_emails": ["ciso@zkh.example"],
        "language": "nl",
    }
    assert (
        client.put(f"{API}/organisations/{org}/supplier-settings", json=settings, headers=owner.auth).status_code == 200
    )
    return owner, org, ids


def test_register_status_matches_the_worked_example(client: TestClient, hospital):
    owner, org, _ = hospital
    data = client.get(f"{API}/organisations/{org}/suppliers", params={"as_of": DAY}, headers=owner.auth).json()
    statuses = {s["id"]: s["status"] for s in data["suppliers"]}
    # without the EPD supplier's shared assessment its MFA/backup/patching/logging are not confirmed yet
    assert statuses == {
        "noordkust-it": "compliant",
        "salarisloket": "compliant",
        "printservice": "compliant",
        "zorgdossier-cloud": "unknown",
        "datacenter-delta": "expiring",
        "veilig-netwerk": "gap",
        "labkoppeling": "gap",
        "telefonie-oost": "unknown",
    }
    assert data["action_needed"] is True
    assert {c["vendor"] for c in data["concentration"]} == {"Fortinet FortiGate", "Microsoft Azure"}


def test_bad_supplier_names_every_field(client: TestClient, hospital):
    owner, org, ids = hospital
    bad = {"id": "Bad Id", "name": "", "tier": "gold", "country": "Netherlands"}
    response = client.post(f"{API}/organisations/{org}/suppliers", json=bad, headers=owner.auth)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"id", "name", "tier", "country"} <= {f.split(".")[-1] for f in fields}
    dup = client.post(
        f"{API}/organisations/{org}/suppliers", json=jsonable(hospital_suppliers()[0]), headers=owner.auth
    )
    assert dup.status_code == 422 and "already in the register" in dup.text


def test_supplier_shares_summary_then_full_then_revokes(client: TestClient, make_user: MakeUser, hospital, mailer):
    owner, org, ids = hospital
    epd = ids["zorgdossier-cloud"]
    asked = client.post(
        f"{API}/organisations/{org}/suppliers/{epd}/requests",
        json={"email": "Compliance@Zorgdossier.example"},
        headers=owner.auth,
    )
    assert asked.status_code == 202 and asked.json()["mailed"] is True
    mail = mailer.sent[-1]
    assert mail["To"] == "compliance@zorgdossier.example"
    assert "Zorgdossier Cloud B.V." in mail["Subject"] and "http://testserver/supplier-requests" in mail.get_content()
    assert "vraagt" in mail["Subject"]  # the client's language is Dutch

    supplier = make_user("compliance@zorgdossier.example")
    own = new_org(client, supplier, name="Zorgdossier Cloud B.V.")
    requests = client.get(f"{API}/me/supplier-requests", headers=supplier.auth).json()
    assert [(r["client"], r["supplier"], r["tier"]) for r in requests] == [
        ("Ziekenhuis Rivierenland (fictional)", "Zorgdossier Cloud B.V.", "critical")
    ]
    assert "noordkust" not in str(requests).lower()  # nothing of the rest of the register
    assert requests[0]["required_insurance"]["cyber_limit_eur"] == 5_000_000  # the client's own requirement
    rid = requests[0]["request_id"]
    refused = client.put(
        f"{API}/me/supplier-requests/{rid}/share",
        json={"organisation_id": own, "level": "summary"},
        headers=supplier.auth,
    )
    assert refused.status_code == 422 and "assessment" in refused.text  # nothing submitted yet
    assert client.post(f"{API}/organisations/{own}/assessments", headers=supplier.auth).status_code == 201
    not_mine = client.put(
        f"{API}/me/supplier-requests/{rid}/share", json={"organisation_id": org, "level": "full"}, headers=supplier.auth
    )
    assert not_mine.status_code == 422 and "own" in not_mine.text

    summary = client.put(
        f"{API}/me/supplier-requests/{rid}/share",
        json={"organisation_id": own, "level": "summary"},
        headers=supplier.auth,
    )
    assert summary.status_code == 200
    seen = client.get(f"{API}/organisations/{org}/suppliers/{epd}", params={"as_of": DAY}, headers=owner.auth).json()
    assert (
        seen["shared"]["level"] == "summary" and seen["shared"]["answers"] == {} and "assessment" not in seen["shared"]
    )
    assert seen["shared"]["verdict"] == "insurable"

    client.put(
        f"{API}/me/supplier-requests/{rid}/share", json={"organisation_id": own, "level": "full"}, headers=supplier.auth
    )
    full = client.get(f"{API}/organisations/{org}/suppliers/{epd}", headers=owner.auth).json()
    assert full["shared"]["level"] == "full" and full["shared"]["assessment"]["verdict"] == "insurable"

    assert client.delete(f"{API}/me/supplier-requests/{rid}/share", headers=supplier.auth).status_code == 204
    gone = client.get(f"{API}/organisations/{org}/suppliers/{epd}", headers=owner.auth).json()
    assert gone["shared"] is None

    # audited in both trails
    client_trail = [e["action"] for e in client.get(f"{API}/organisations/{org}/audit", headers=owner.auth).json()]
    supplier_trail = [e["action"] for e in client.get(f"{API}/organisations/{own}/audit", headers=supplier.auth).json()]
    assert {"supplier.request", "supplier.share", "supplier.revoke"} <= set(client_trail)
    assert {"supplier.share", "supplier.shared_view", "supplier.revoke"} <= set(supplier_trail)


def test_isolation_suppliers_and_other_tenants(client: TestClient, make_user: MakeUser, hospital):
    owner, org, ids = hospital
    a = client.post(
        f"{API}/organisations/{org}/suppliers/{ids['noordkust-it']}/requests",
        json={"email": "a@msp.example"},
        headers=owner.auth,
    ).json()["request_id"]
    client.post(
        f"{API}/organisations/{org}/suppliers/{ids['salarisloket']}/requests",
        json={"email": "b@payroll.example"},
        headers=owner.auth,
    )
    supplier_a = make_user("a@msp.example")
    other = make_user("outsider@example.nl")
    other_org = new_org(client, other, name="Outsider BV")
    broker = make_user("broker@example.nl", kind="broker")
    # supplier A sees its own request only, and none of the client's routes
    assert [r["supplier"] for r in client.get(f"{API}/me/supplier-requests", headers=supplier_a.auth).json()] == [
        "Noordkust IT Beheer B.V."
    ]
    b_id = a + 1
    for who in (supplier_a, other, broker):
        for method, url in (
            ("GET", f"{API}/organisations/{org}/suppliers"),
            ("GET", f"{API}/organisations/{org}/suppliers/{ids['salarisloket']}"),
            ("PUT", f"{API}/organisations/{org}/suppliers/{ids['salarisloket']}"),
            ("DELETE", f"{API}/organisations/{org}/suppliers/{ids['salarisloket']}"),
            ("GET", f"{API}/organisations/{org}/supplier-settings"),
            ("POST", f"{API}/organisations/{org}/suppliers/alerts"),
            ("GET", f"{API}/organisations/{org}/suppliers-export"),
        ):
            body = jsonable(hospital_suppliers()[4]) if method == "PUT" else None
            response = client.request(method, url, json=body, headers=who.auth)
            assert response.status_code == 404, (who.email, method, url, response.text)
            assert "Salarisloket" not in response.text
        assert (
            client.put(
                f"{API}/me/supplier-requests/{b_id}/share",
                json={"organisation_id": other_org, "level": "full"},
                headers=who.auth,
            ).status_code
            == 404
        )
        assert client.delete(f"{API}/me/supplier-requests/{b_id}/share", headers=who.auth).status_code == 404
    # another client's supplier id through one's own organisation: 404 as well
    assert (
        client.get(f"{API}/organisations/{other_org}/suppliers/{ids['salarisloket']}", headers=other.auth).status_code
        == 404
    )
    # a broker with a share may read the register but not change it
    join(client, owner, org, broker, "share")
    assert client.get(f"{API}/organisations/{org}/suppliers", headers=broker.auth).status_code == 200
    assert (
        client.delete(f"{API}/organisations/{org}/suppliers/{ids['salarisloket']}", headers=broker.auth).status_code
        == 403
    )


def test_alerts_mailed_once_in_the_clients_language(client: TestClient, hospital, mailer):
    owner, org, _ = hospital
    first = client.post(f"{API}/organisations/{org}/suppliers/alerts", params={"as_of": DAY}, headers=owner.auth).json()
    assert first["mailed_to"] == ["ciso@zkh.example"] and len(first["alerts"]) >= 5
    body = mailer.sent[-1].get_content()
    assert "Verloopt binnenkort" in body and "Datacenter Delta B.V." in body
    again = client.post(
        f"{API}/organisations/{org}/suppliers/alerts", params={"as_of": "2026-12-02"}, headers=owner.auth
    ).json()
    assert again["alerts"] == [] and again["mailed_to"] == [] and len(mailer.sent) == 1
    settings = client.get(f"{API}/organisations/{org}/supplier-settings", headers=owner.auth).json()
    settings["language"] = "en"
    client.put(f"{API}/organisations/{org}/supplier-settings", json=settings, headers=owner.auth)
    later = client.post(
        f"{API}/organisations/{org}/suppliers/alerts", params={"as_of": "2026-12-16"}, headers=owner.auth
    ).json()
    assert later["alerts"] and "Expiring soon" in mailer.sent[-1].get_content()


def test_export_csv_and_xlsx(client: TestClient, hospital):
    owner, org, _ = hospital
    csv = client.get(f"{API}/organisations/{org}/suppliers-export", params={"as_of": DAY}, headers=owner.auth)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].endswith("status,reasons") and len(csv.text.splitlines()) == 9
    xlsx = client.get(f"{API}/organisations/{org}/suppliers-export", params={"format": "xlsx"}, headers=owner.auth)
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.max_row == 9 and sheet.cell(1, 1).value == "id"


def test_import_csv_and_xlsx_into_the_register(client: TestClient, hospital):
    owner, org, ids = hospital
    url = f"{API}/organisations/{org}/suppliers-import"
    csv = "id,name,tier\nnoordkust-it,Noordkust IT Beheer B.V.,high\nnieuw,Nieuwe Leverancier B.V.,low\n"
    done = client.post(url, content=csv.encode(), headers={**owner.auth, "Content-Type": "text/csv"})
    assert done.status_code == 200, done.text
    assert done.json() == {"rows": 2, "added": 1, "updated": 1}
    msp = client.get(f"{API}/organisations/{org}/suppliers/{ids['noordkust-it']}", headers=owner.auth).json()
    assert msp["tier"] == "high" and msp["record"]["insurance"]  # evidence kept
    bad = client.post(url, content=b"id,name,tier\nBAD ID,,gold\n", headers={**owner.auth, "Content-Type": "text/csv"})
    assert bad.status_code == 422
    assert {"row 2, column id", "row 2, column name", "row 2, column tier"} <= {
        e["field"] for e in bad.json()["errors"]
    }
    xlsx = client.get(f"{API}/organisations/{org}/suppliers-export", params={"format": "xlsx"}, headers=owner.auth)
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    again = client.post(url, content=xlsx.content, headers={**owner.auth, "Content-Type": xlsx_type})
    assert again.json() == {"rows": 9, "added": 0, "updated": 0}
    wrong = client.post(url, content=b"{}", headers={**owner.auth, "Content-Type": "application/json"})
    assert wrong.status_code == 415


def test_certificate_pdf_is_kept_and_referenced(client: TestClient, make_user: MakeUser, hospital):
    owner, org, ids = hospital
    msp = ids["noordkust-it"]
    url = f"{API}/organisations/{org}/suppliers/{msp}/documents"
    pdf = b"%PDF-1.7\n% certificate of insurance CY-2026-0410\n"
    kept = client.post(
        url, params={"filename": "coi-2026.pdf"}, content=pdf, headers={**owner.auth, "Content-Type": "application/pdf"}
    )
    assert kept.status_code == 201, kept.text
    ref = kept.json()["document"]
    record = client.get(f"{API}/organisations/{org}/suppliers/{msp}", headers=owner.auth).json()["record"]
    record["insurance"][0]["document"] = ref
    assert client.put(f"{API}/organisations/{org}/suppliers/{msp}", json=record, headers=owner.auth).status_code == 200
    doc_id = ref.split(":")[1]
    back = client.get(f"{url}/{doc_id}", headers=owner.auth)
    assert back.status_code == 200 and back.content == pdf and back.headers["content-type"] == "application/pdf"
    assert "coi-2026.pdf" in back.headers["content-disposition"]
    not_pdf = client.post(url, content=b"hello", headers={**owner.auth, "Content-Type": "application/pdf"})
    assert not_pdf.status_code == 422 and "not a PDF" in not_pdf.text
    # another supplier's path or another tenant: 404
    assert (
        client.get(
            f"{API}/organisations/{org}/suppliers/{ids['salarisloket']}/documents/{doc_id}", headers=owner.auth
        ).status_code
        == 404
    )
    outsider = make_user("outsider@example.nl")
    assert client.get(f"{url}/{doc_id}", headers=outsider.auth).status_code == 404


def test_supplier_signs_up_with_the_link_from_the_request_mail(
    client: TestClient, make_user: MakeUser, hospital, mailer
):
    owner, org, ids = hospital
    asked = client.post(
        f"{API}/organisations/{org}/suppliers/{ids['labkoppeling']}/requests",
        json={"email": "new@lab.example"},
        headers=owner.auth,
    )
    assert asked.status_code == 202
    body = mailer.sent[-1].get_content()
    token = body.split("/supplier-signup?token=")[1].split()[0]
    weak = client.post(f"{API}/supplier-signup", json={"token": token, "name": "Lab", "password": "passwordpassword"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    made = client.post(
        f"{API}/supplier-signup", json={"token": token, "name": "Lab", "password": "paars konijn fietst naar Zwolle"}
    )
    assert made.status_code == 201 and made.json()["email"] == "new@lab.example"
    again = client.post(
        f"{API}/supplier-signup", json={"token": token, "name": "Lab", "password": "paars konijn fietst naar Zwolle"}
    )
    assert again.status_code == 404  # the link works once
    login = client.post(
        f"{API}/auth/login", json={"email": "new@lab.example", "password": "paars konijn fietst naar Zwolle"}
    )
    assert login.status_code == 200
    assert [r["supplier"] for r in client.get(f"{API}/me/supplier-requests").json()] == ["LabKoppeling B.V."]
    client.cookies.clear()
    # an address that already has an account: the link says log in instead
    make_user("known@lab.example")
    client.post(
        f"{API}/organisations/{org}/suppliers/{ids['labkoppeling']}/requests",
        json={"email": "known@lab.example"},
        headers=owner.auth,
    )
    known = mailer.sent[-1].get_content().split("/supplier-signup?token=")[1].split()[0]
    assert (
        client.post(
            f"{API}/supplier-signup", json={"token": known, "name": "K", "password": "paars konijn fietst naar Zwolle"}
        ).status_code
        == 409
    )
