"""The portfolio web page (issue 17): a broker's book from the organisations shared with them, run
in the background, with AEP/OEP chart, PML/TVaR table, scenarios, vendor concentration and single
points of failure; nl/en; nothing of an organisation the caller cannot see."""

from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.testclient import TestClient

from insurable.store.models import Share, User
from tests.web.conftest import (  # noqa: F401 - the web app fixtures
    MakeAccount,
    csrf_of,
    login,
    make_account,
    seed_example,
    web_app,
    web_db_url,
    web_engine,
)

SECRET = "Zeldzaam Geheim Portefeuille BV"


def _share(app: FastAPI, org: int, email: str) -> None:
    with app.state.sessions() as session:
        uid = session.query(User).filter_by(email=email).one().id
        session.add(Share(org_id=org, user_id=uid))
        session.commit()


def _wait(client: TestClient, timeout: float = 180.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get("/portfolio?fragment=1").text
        if 'id="pf-status"' not in body:
            return body
        time.sleep(0.5)
    raise AssertionError("the portfolio run did not finish")


def test_a_broker_runs_the_book_shared_with_them(web_app: FastAPI, make_account: MakeAccount) -> None:  # noqa: F811
    owner = make_account("owner@example.nl")
    broker = make_account("bob@broker.example", kind="broker")
    orgs = [
        seed_example(web_app, owner, "dutch-msp.yaml", name="Klant Een BV"),
        seed_example(web_app, owner, "accounting-firm.yaml", name="Klant Twee BV"),
        seed_example(web_app, owner, "saas-provider.yaml", name="Klant Drie BV"),
    ]
    seed_example(web_app, owner, "accounting-firm.yaml", name=SECRET)  # not shared
    for org in orgs:
        _share(web_app, org, broker)
    client = login(web_app, broker)
    home = client.get("/")
    assert 'href="/portfolio"' in home.text  # the one navigation link
    first = client.get("/portfolio")
    assert first.status_code == 200 and "Portefeuille" in first.text and "3 organisaties" in first.text
    token = csrf_of(first.text)
    assert client.post("/portfolio", data={"years": "2000"}).status_code == 403  # no CSRF token
    bad = client.post("/portfolio", data={"years": "999999", "csrf_token": token})
    assert bad.status_code == 422 and "years" in bad.text  # bounded: never a run of minutes
    started = client.post("/portfolio", data={"years": "2000", "csrf_token": token})
    assert started.status_code == 303
    running = client.get("/portfolio").text
    assert 'hx-trigger="every 2s"' in running or 'id="pf-ep"' in running  # polling, unless already done
    body = _wait(client)
    page = client.get("/portfolio").text
    assert 'id="pf-ep"' in body and "<svg" in page and 'role="img"' in page
    for name in ("Klant Een BV", "Klant Twee BV"):
        assert name in page  # shared clients appear (single points of failure, contributors)
    assert "fortinet" in page and "microsoft_365" in page  # vendor concentration
    assert "Inbraak bij een MSP of RMM-tool" in page  # scenario names in Dutch
    assert "style=" not in page.split("<main", 1)[1]  # the CSP allows no inline style
    assert SECRET not in page
    client.get("/lang/en?next=/portfolio")
    english = client.get("/portfolio").text
    assert "Exceedance curves" in english and "MSP or RMM tool compromise" in english
    client.get("/lang/nl?next=/portfolio")

    # a share withdrawn hides the old result (it held that client's figures)
    with web_app.state.sessions() as session:
        session.query(Share).filter_by(org_id=orgs[0]).delete()
        session.commit()
    after = client.get("/portfolio").text
    assert "Klant Een BV" not in after and 'id="pf-ep"' not in after


def test_only_brokers_underwriters_and_admins_have_a_portfolio(web_app: FastAPI, make_account: MakeAccount) -> None:  # noqa: F811
    user = login(web_app, make_account("ann@example.nl"))
    assert user.get("/portfolio").status_code == 403
    assert 'href="/portfolio"' not in user.get("/").text
    uw = login(web_app, make_account("uma@insurer.example", kind="underwriter"))
    empty = uw.get("/portfolio")
    assert empty.status_code == 200 and "U kunt nog geen organisaties zien." in empty.text
