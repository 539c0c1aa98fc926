"""Zero leaks between tenants on the web pages too: every web route, tried by an outsider, a broker
and an underwriter who have no share, each with a valid session and their own CSRF token.

Like tests/service/test_tenant_isolation.py for the API, the test walks ``app.routes``; a web route
with a path parameter it has no probe value for fails the test, so no page escapes the sweep.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from tests.service.test_tenant_isolation import SCAN
from tests.web.conftest import PROFILE, MakeAccount, csrf_of, login, new_org

API = "/api/v1"
SECRET = "Zeldzaam Geheim BV"
SECRET_ANSWER = "secret-business-description-7f3a"
QUESTION = "q.org.business_description"
#: Routes without organisation data behind them.
#: The account pages act on the caller's own account and on invitations addressed to them only.
PUBLIC = {"/login", "/lang/{code}", "/logout", "/", "/orgs", "/account", "/account/password"}
PUBLIC |= {"/account/logout-everywhere", "/account/invitations/{invitation_id}/{choice}"}
#: The supplier's side acts only on requests addressed to the caller's own e-mail (issue 15).
PUBLIC |= {"/supplier-requests", "/supplier-requests/{request_id}/{choice}", "/supplier-signup"}
#: The portfolio page (issue 17) runs the caller's own visible organisations only (tests/portfolio).
PUBLIC |= {"/portfolio"}
#: Stored portfolio runs are the starter's alone (not an organisation's): probed with the victim's run.
PUBLIC |= {"/portfolio/runs/{run_id}.json", "/portfolio/runs/{run_id}/{table}.csv"}


def _web_routes(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path or ""
        if isinstance(route, APIRoute) and not path.startswith(API):
            found.extend((method, path) for method in sorted(context.methods or ()))
    return found


def test_every_web_route_refuses_other_tenants(web_app: FastAPI, make_account: MakeAccount) -> None:
    victim = login(web_app, make_account("victim@example.nl"))
    org = new_org(victim, name=SECRET, profile={**PROFILE, "name": SECRET})
    token = csrf_of(victim.get(f"/orgs/{org}/topics/organisation").text)
    saved = victim.post(
        f"/orgs/{org}/topics/organisation",
        data={"csrf_token": token, "shown": [QUESTION], QUESTION: SECRET_ANSWER},
    )
    assert saved.status_code == 303
    submitted = victim.post(f"/orgs/{org}/submit", data={"csrf_token": token})
    api_csrf = {"X-CSRF-Token": token}
    assessment = int(submitted.headers["location"].rsplit("/", 1)[1])

    outsider = login(web_app, make_account("outsider@example.nl"))
    new_org(outsider, name="Outsider BV")
    emails = ["outsider@example.nl", make_account("broker@example.nl", kind="broker")]
    emails.append(make_account("underwriter@example.nl", kind="underwriter"))
    intruders = [outsider, *(login(web_app, e) for e in emails[1:])]
    invited = victim.post(f"{API}/organisations/{org}/members", json={"email": "later@example.nl"}, headers=api_csrf)
    ids = {"org_id": org, "assessment_id": assessment, "topic_id": "organisation", "kind": "pdf", "code": "en"}
    ids |= {"invitation_id": invited.json()["id"], "choice": "accept", "offer_id": 1, "user_id": 1}
    supplier = {"id": "secret", "name": SECRET, "tier": "critical"}
    made = victim.post(f"{API}/organisations/{org}/suppliers", json=supplier, headers=api_csrf).json()["supplier_id"]
    asked = victim.post(
        f"{API}/organisations/{org}/suppliers/{made}/requests", json={"email": "sup@example.nl"}, headers=api_csrf
    )
    ids |= {"supplier_id": made, "request_id": asked.json()["request_id"]}
    # outside-in scans (issue 16): a stored scan of the victim's declared domain
    targets = {"scan_targets": {"domains": ["secret.example"]}}
    assert victim.patch(f"{API}/organisations/{org}/profile", json=targets, headers=api_csrf).is_success
    scan = victim.post(f"{API}/organisations/{org}/scans", json=SCAN, headers=api_csrf)
    assert scan.status_code == 201, scan.text
    ids |= {"scan_id": scan.json()["id"]}
    # a stored portfolio run (issue 17) of the victim's, naming the secret organisation
    from insurable.store.models import User
    from insurable.store.portfolio_models import PortfolioRun

    with web_app.state.sessions() as session:
        owner = session.query(User).filter_by(email="victim@example.nl").one()
        run = PortfolioRun(user_id=owner.id, org_ids=[org], years=1000, seed=1, state="done",
                           result={"format": 1, "report": {}, "names": {f"org-{org}": SECRET}})  # fmt: skip
        session.add(run)
        session.commit()
        ids |= {"run_id": run.id, "table": "insureds"}
    # logging out ends the sweep
    ending = ["/logout", "/account/logout-everywhere"]
    routes = sorted(_web_routes(web_app), key=lambda r: ending.index(r[1]) + 1 if r[1] in ending else 0)
    swept = 0
    for method, path in routes:
        params = set(re.findall(r"{(\w+)}", path))
        assert params <= ids.keys(), f"{path}: no probe value for {params - ids.keys()}; add one"
        url = path.format(**{k: ids[k] for k in params})
        if path == ending[-1]:
            intruders = [login(web_app, e) for e in emails]  # /logout ended their sessions
        for intruder in intruders:
            own_token = csrf_of(intruder.get("/").text)
            data = {"csrf_token": own_token, "shown": [QUESTION], QUESTION: "overwritten", "name": "Hijacked"}
            response = intruder.request(method, url, data=data if method == "POST" else None)
            swept += 1
            assert SECRET not in response.text and SECRET_ANSWER not in response.text, f"{method} {url} leaked"
            assert response.status_code < 500, f"{method} {url}: {response.status_code}"
            if "org_id" in params:
                assert response.status_code == 404, f"{method} {url} let an intruder in: {response.status_code}"
            else:
                assert path in PUBLIC, f"{method} {path}: a web route without org_id must be listed as PUBLIC"
    assert swept == 3 * len(routes) >= 3 * 12

    answers = victim.get(f"{API}/organisations/{org}/answers").json()
    assert [(a["question_id"], a["value"]) for a in answers] == [(QUESTION, SECRET_ANSWER)]
    assert victim.get(f"{API}/organisations/{org}/profile").json()["name"] == SECRET


def test_an_underwriter_with_a_share_reads_but_cannot_change(web_app: FastAPI, make_account: MakeAccount) -> None:
    owner = login(web_app, make_account("owner@example.nl"))
    org = new_org(owner, name=SECRET, profile={**PROFILE, "name": SECRET})
    underwriter_email = make_account("uw@example.nl", kind="underwriter")
    with web_app.state.sessions() as session:
        from insurable.store.models import Share, User

        uid = session.query(User).filter_by(email=underwriter_email).one().id
        session.add(Share(org_id=org, user_id=uid))
        session.commit()
    underwriter = login(web_app, underwriter_email)
    home = underwriter.get("/")
    assert SECRET in home.text and "Organisaties die met u gedeeld zijn" in home.text
    page = underwriter.get(f"/orgs/{org}/topics/organisation")
    assert page.status_code == 200 and "hx-post" not in page.text
    # read-only as text with the notice on top (issue 12, item 9), not as disabled inputs
    assert 'class="answers-text"' in page.text and 'type="radio"' not in page.text
    token = csrf_of(home.text)
    data = {"csrf_token": token, "shown": [QUESTION], QUESTION: "changed by underwriter"}
    assert underwriter.post(f"/orgs/{org}/topics/organisation", data=data).status_code == 403
    assert underwriter.post(f"/orgs/{org}/profile", data={"csrf_token": token, "name": "X"}).status_code == 403
    assert underwriter.post(f"/orgs/{org}/submit", data={"csrf_token": token}).status_code == 403
    assert owner.get(f"{API}/organisations/{org}/answers").json() == []
