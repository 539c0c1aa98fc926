"""The web app's workbook: download with the saved answers, upload back (saved through the audit
trail), and a bad workbook names its cells and saves nothing."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from tests.web.conftest import csrf_of, login, new_org

ROOT = Path(__file__).resolve().parents[2]


def _row(sheet, qid: str) -> int:
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == qid)


def _upload(client, org_id: int, content: bytes):
    page = client.get(f"/orgs/{org_id}/workbook")
    assert page.status_code == 200
    files = {"workbook": ("mine.xlsx", content, "application/octet-stream")}
    return client.post(f"/orgs/{org_id}/workbook", data={"csrf_token": csrf_of(page.text)}, files=files)


def test_download_edit_upload(web_app, make_account):
    client = login(web_app, make_account("owner@example.nl"))
    org_id = new_org(client)
    assert f"/orgs/{org_id}/workbook" in client.get(f"/orgs/{org_id}").text
    got = client.get(f"/orgs/{org_id}/workbook.xlsx")
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(got.content))
    wb["Answers"].cell(_row(wb["Answers"], "q.mfa.remote_access"), 4).value = "yes"
    profile = wb["Profile"]
    employees = next(r for r in range(2, profile.max_row + 1) if profile.cell(r, 1).value == "employees")
    profile.cell(employees, 2).value = 42
    out = BytesIO()
    wb.save(out)
    done = _upload(client, org_id, out.getvalue())
    assert done.status_code == 303, done.text
    again = load_workbook(BytesIO(client.get(f"/orgs/{org_id}/workbook.xlsx").content))
    assert again["Answers"].cell(_row(again["Answers"], "q.mfa.remote_access"), 4).value in ("yes", "ja")
    prow = next(r for r in range(2, again["Profile"].max_row + 1) if again["Profile"].cell(r, 1).value == "employees")
    assert again["Profile"].cell(prow, 2).value == 42
    topic = client.get(f"/orgs/{org_id}/topics/mfa")
    assert topic.status_code == 200


def test_a_bad_workbook_names_cells_and_saves_nothing(web_app, make_account):
    client = login(web_app, make_account("owner2@example.nl"))
    org_id = new_org(client)
    wb = load_workbook(BytesIO(client.get(f"/orgs/{org_id}/workbook.xlsx").content))
    row = _row(wb["Answers"], "q.mfa.email")
    wb["Answers"].cell(row, 4).value = "perhaps"
    wb["Answers"].cell(_row(wb["Answers"], "q.mfa.remote_access"), 4).value = "yes"
    out = BytesIO()
    wb.save(out)
    refused = _upload(client, org_id, out.getvalue())
    assert refused.status_code == 422
    assert f"Answers!D{row}" in refused.text
    again = load_workbook(BytesIO(client.get(f"/orgs/{org_id}/workbook.xlsx").content))
    assert again["Answers"].cell(_row(again["Answers"], "q.mfa.remote_access"), 4).value is None
    assert _upload(client, org_id, b"not a workbook").status_code == 422


def test_others_cannot_download(web_app, make_account):
    owner = login(web_app, make_account("a@example.nl"))
    org_id = new_org(owner)
    stranger = login(web_app, make_account("b@example.nl"))
    assert stranger.get(f"/orgs/{org_id}/workbook.xlsx").status_code == 404
