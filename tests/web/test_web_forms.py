"""The web app without JavaScript: plain form posts, CSRF, skip logic, autosave, results and reports."""

from __future__ import annotations

import io
import re

from fastapi import FastAPI
from pypdf import PdfReader

from tests.web.conftest import PROFILE, MakeAccount, csrf_of, login, new_org

BRANCH = "q.hist.incident_3y"
FOLLOW_UP = "q.hist.incident_cost_eur"


def test_pages_need_a_login(anon, web_app: FastAPI) -> None:
    for path in ("/", "/orgs/1", "/orgs/1/topics/organisation", "/orgs/1/assessments/1"):
        response = anon.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_login_form_checks_password_and_its_own_csrf(anon, make_account: MakeAccount) -> None:
    make_account("ann@example.nl")
    page = anon.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token
    wrong = anon.post("/login", data={"email": "ann@example.nl", "password": "nope", "login_csrf": token.group(1)})
    assert wrong.status_code == 401
    assert 'aria-invalid="true"' in wrong.text and "Onjuist e-mailadres" in wrong.text
    forged = anon.post("/login", data={"email": "ann@example.nl", "password": "correct horse battery"})
    assert forged.status_code == 403
    assert "insurable_session" not in forged.headers.get("set-cookie", "")


def test_questionnaire_without_javascript_across_a_skip_logic_branch(
    web_app: FastAPI, make_account: MakeAccount
) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    page = client.get(f"/orgs/{org}/topics/history")
    assert page.status_code == 200
    assert BRANCH in page.text and FOLLOW_UP not in page.text  # hidden until the branch is answered yes
    assert "Waarom verzekeraars dit vragen" in page.text
    token = csrf_of(page.text)
    saved = client.post(
        f"/orgs/{org}/topics/history", data={"csrf_token": token, "shown": [BRANCH], BRANCH: "true", "go": "save"}
    )
    assert saved.status_code == 303
    page = client.get(f"/orgs/{org}/topics/history")
    assert FOLLOW_UP in page.text
    bad = client.post(
        f"/orgs/{org}/topics/history", data={"csrf_token": token, "shown": [FOLLOW_UP], FOLLOW_UP: "veel"}
    )
    assert bad.status_code == 422
    field = bad.text[bad.text.index(f'data-question="{FOLLOW_UP}"') :]
    assert field.index("Vul een getal in, zoals 25.000 of 2,5.") < field.index("</div>")  # the error is by its field
    assert 'aria-invalid="true"' in field[: field.index("</div>")]
    good = client.post(
        f"/orgs/{org}/topics/history",
        data={"csrf_token": token, "shown": [FOLLOW_UP], FOLLOW_UP: "25000", "go": "next"},
    )
    assert good.status_code == 303 and good.headers["location"].endswith("/topics/data")
    # resume later: a new login finds every answer
    again = login(web_app, "ann@example.nl")
    page = again.get(f"/orgs/{org}/topics/history")
    assert re.search(r'id="f-q-hist-incident_3y-true"[^>]*checked', page.text)
    assert 'value="25000"' in page.text
    answers = again.get(f"/api/v1/organisations/{org}/answers").json()
    assert {a["question_id"]: a["value"] for a in answers} == {BRANCH: True, FOLLOW_UP: 25000}


def test_htmx_autosave_answers_with_the_questions_block(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    token = csrf_of(client.get(f"/orgs/{org}/topics/history").text)
    response = client.post(
        f"/orgs/{org}/topics/history",
        data={"csrf_token": token, "shown": [BRANCH], BRANCH: "true"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.startswith('<div id="questions">')
    assert FOLLOW_UP in response.text  # skip logic applied to the fragment
    assert 'id="progress" hx-swap-oob="true"' in response.text
    assert "<html" not in response.text


def test_web_forms_refuse_a_missing_or_wrong_csrf_token(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    for token in (None, "ins_forged"):
        data = {"shown": [BRANCH], BRANCH: "true"}
        if token:
            data["csrf_token"] = token
        assert client.post(f"/orgs/{org}/topics/history", data=data).status_code == 403
        assert client.post(f"/orgs/{org}/profile", data={**data, "name": "X"}).status_code == 403
        assert client.post(f"/orgs/{org}/submit", data=data).status_code == 403
        assert client.post("/orgs", data={**data, "name": "Y"}).status_code == 403
        assert client.post("/logout", data=data).status_code == 403
    assert client.get(f"/api/v1/organisations/{org}/answers").json() == []


def test_profile_errors_sit_next_to_their_field_and_valid_fields_are_kept(
    web_app: FastAPI, make_account: MakeAccount
) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client)
    token = csrf_of(client.get(f"/orgs/{org}/profile").text)
    response = client.post(
        f"/orgs/{org}/profile",
        data={"csrf_token": token, "country": "Holland", "employees": "40", "activities_shown": "1"},
    )
    assert response.status_code == 422
    assert 'id="f-country-err"' in response.text and "landcode van twee letters" in response.text
    assert client.get(f"/api/v1/organisations/{org}/profile").json()["employees"] == 40


def test_submit_shows_results_and_reports(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    overview = client.get(f"/orgs/{org}")
    done = client.post(f"/orgs/{org}/submit", data={"csrf_token": csrf_of(overview.text)})
    assert done.status_code == 303
    results = client.get(done.headers["location"])
    assert results.status_code == 200
    text = results.text
    for heading in ("Oordeel", "Premie, eigen risico en verzekerd bedrag", "Verbeterplan", "NIS2", "Schademodel"):
        assert heading in text
    assert "<svg" in text and "€\u00a0" in text  # inline charts; money in the Dutch format
    assert "Eens in zoveel jaar" in text and "Zelf gedragen (u betaalt)" in text  # both charts labelled in Dutch
    assert "seed" not in text and "In het kort" in text  # no seed in a chart; the plain-language box on top
    assert re.search(r"€\u00a0\d{1,3}(\.\d{3})+", text)  # thousands separated by a dot
    base = done.headers["location"]
    pdf = client.get(f"{base}/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Rapport cyberverzekerbaarheid" in pdf_text and "Oordeel" in pdf_text
    html = client.get(f"{base}/report.html", headers={"Accept-Language": "en"})
    assert "Cyber insurability report" in html.text  # no language cookie: Accept-Language decides
    data = client.get(f"{base}/report.json").json()
    assert data["result"]["verdict"] in ("insurable", "insurable_with_conditions", "refer", "incomplete", "declined")


def test_submit_with_a_missing_profile_lists_the_problems(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client)
    overview = client.get(f"/orgs/{org}")
    response = client.post(f"/orgs/{org}/submit", data={"csrf_token": csrf_of(overview.text)})
    assert response.status_code == 422
    assert "annual_turnover_eur" in response.text and 'role="alert"' in response.text


def test_language_from_cookie_then_accept_language(anon, web_app: FastAPI) -> None:
    assert 'lang="nl"' in anon.get("/login").text
    assert 'lang="en"' in anon.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}).text
    switched = anon.get("/lang/en?next=/login")
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    assert "insurable_lang=en" in switched.headers["set-cookie"]
    anon.cookies.set("insurable_lang", "en")
    assert "Log in" in anon.get("/login", headers={"Accept-Language": "nl"}).text
    assert anon.get("/lang/en?next=//evil.example").headers["location"] == "/"


def test_static_files_are_served_locally(anon) -> None:
    assert anon.get("/static/htmx-4.0.1.min.js").status_code == 200
    assert anon.get("/static/app.css").status_code == 200


def test_compare_two_assessments_and_the_list_shows_the_latest_verdict(
    web_app: FastAPI, make_account: MakeAccount
) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    token = csrf_of(client.get(f"/orgs/{org}").text)
    first = client.post(f"/orgs/{org}/submit", data={"csrf_token": token}).headers["location"]
    client.post(
        f"/orgs/{org}/topics/mfa",
        data={"csrf_token": token, "shown": ["q.mfa.remote_access"], "q.mfa.remote_access": "true"},
    )
    second = client.post(f"/orgs/{org}/submit", data={"csrf_token": token}).headers["location"]
    assert first != second
    page = client.get(f"/orgs/{org}/compare")
    assert page.status_code == 200
    ids = [int(u.rsplit("/", 1)[1]) for u in (first, second)]
    assert f">#{ids[0]}</a>" in page.text and f">#{ids[1]}</a>" in page.text
    assert "Indicatieve jaarpremie" in page.text and "Oordeel" in page.text
    chosen = client.get(f"/orgs/{org}/compare?a={ids[1]}&b={ids[0]}")
    assert chosen.status_code == 200
    assert client.get(f"/orgs/{org}/compare?a=999&b={ids[0]}").status_code == 404
    home = client.get("/")
    assert f"/orgs/{org}/assessments/{ids[1]}" in home.text and 'class="verdict verdict-' in home.text
