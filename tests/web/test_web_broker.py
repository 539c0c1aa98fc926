"""The broker and underwriter workspace (issue 12, item 9): share and revoke from the overview, the
book list, compare as a diff of answers and reasons, read-only views as text with the notice on top."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from insurable.store import repo
from insurable.store.models import Organisation, User
from tests.web.conftest import MakeAccount, csrf_of, login, seed_example


def _accept_all(client: TestClient) -> None:
    account = client.get("/account")
    for inv in re.findall(r'action="/account/invitations/(\d+)/accept"', account.text):
        done = client.post(f"/account/invitations/{inv}/accept", data={"csrf_token": csrf_of(account.text)})
        assert done.status_code == 303


def _submit(client: TestClient, org: int) -> str:
    overview = client.get(f"/orgs/{org}")
    done = client.post(f"/orgs/{org}/submit", data={"csrf_token": csrf_of(overview.text)})
    assert done.status_code == 303, done.text
    return str(done.headers["location"])


def test_share_revoke_book_compare_and_read_only(web_app: FastAPI, make_account: MakeAccount) -> None:
    owner = login(web_app, make_account("ann@example.nl"))
    org = seed_example(web_app, "ann@example.nl", name="Bakkerij De Korenaar")
    make_account("bob@broker.example", "broker")
    make_account("uma@insurer.example", "underwriter")
    overview = owner.get(f"/orgs/{org}")
    assert "Delen met uw tussenpersoon of acceptant" in overview.text
    token = csrf_of(overview.text)
    bad = owner.post(f"/orgs/{org}/shares", data={"csrf_token": token, "email": "not-an-address"})
    assert "shared=bad_email" in bad.headers["location"]
    for email in ("bob@broker.example", "uma@insurer.example"):
        sent = owner.post(f"/orgs/{org}/shares", data={"csrf_token": token, "email": email})
        assert sent.status_code == 303 and "shared=invited" in sent.headers["location"]
    listed = owner.get(f"/orgs/{org}?shared=invited").text
    assert "Uitnodiging verstuurd" in listed and "Uitgenodigd, nog niet geaccepteerd" in listed
    broker, underwriter = login(web_app, "bob@broker.example"), login(web_app, "uma@insurer.example")
    _accept_all(broker)
    _accept_all(underwriter)
    assert "bob@broker.example" in owner.get(f"/orgs/{org}").text  # under "has access"

    # two assessments with one answer changed between them
    first = _submit(owner, org)
    with web_app.state.sessions() as session:
        row = session.get(Organisation, org)
        user = session.query(User).filter_by(email="ann@example.nl").one()
        assert row is not None
        repo.save_answer(session, row, "q.insurance.renewal_date", "2027-03-01", user)
        current = repo.answer(session, row, "q.mfa.remote_access")
        repo.save_answer(session, row, "q.mfa.remote_access", not (current.value if current else True), user)
        session.commit()
    _submit(owner, org)

    # the broker's book: verdict, premium, renewal date, open conditions with due dates
    book = broker.get("/").text
    assert "Bakkerij De Korenaar" in book and "Premie" in book and "Verlenging" in book
    assert "1 maart 2027" in book
    assert "Openstaande voorwaarden" in book

    # compare: which answers and reasons changed
    compare = broker.get(f"/orgs/{org}/compare").text
    assert "Gewijzigde antwoorden" in compare and "Gewijzigde redenen" in compare
    answers = compare[compare.index('class="list compare-answers"') :]
    answers = answers[: answers.index("</table>")]
    assert answers.count("<tr>") == 3  # header, renewal date, remote-access MFA
    assert 'action="/logout"' in compare  # compare has a log-out

    # the underwriter reads answers as text, with the notice on top
    topic = underwriter.get(f"/orgs/{org}/topics/history").text
    notice = topic.index("U kunt deze antwoorden lezen maar niet wijzigen.")
    assert notice < topic.index('class="answers-text"') and 'type="radio"' not in topic
    assert underwriter.get(first).status_code == 200

    # revoke from the overview: the broker loses access at once
    bob_id = re.search(r'action="/orgs/\d+/shares/(\d+)/revoke"', owner.get(f"/orgs/{org}").text)
    assert bob_id
    revoked = owner.post(f"/orgs/{org}/shares/{bob_id.group(1)}/revoke", data={"csrf_token": token})
    assert "shared=revoked" in revoked.headers["location"]
    assert broker.get(f"/orgs/{org}").status_code == 404
    # a broker cannot share or revoke
    assert underwriter.post(
        f"/orgs/{org}/shares", data={"csrf_token": csrf_of(book), "email": "x@y.nl"}
    ).status_code in (403, 404)
