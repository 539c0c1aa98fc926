"""Stored portfolio runs on the web page (issue 17): a finished run is read from the database (a
second app over the same database shows it), a run whose process died shows as interrupted and a
new one can start, the last runs are listed and download as JSON and CSV, and a run is its
starter's alone, only while every organisation in it is still visible to them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from insurable.api import create_app
from insurable.api.settings import Settings
from insurable.portfolio.report_io import CSV_TABLES
from insurable.store.db import make_engine
from insurable.store.models import AuditEvent, Share, User
from insurable.store.portfolio_models import INTERRUPTED, PortfolioRun
from insurable.store.types import utcnow
from insurable.web import portfolio, portfolio_jobs
from tests.web.conftest import (  # noqa: F401 - the web app fixtures
    MakeAccount,
    csrf_of,
    full_catalog,
    login,
    make_account,
    real_assess,
    seed_example,
    web_app,
    web_db_url,
    web_engine,
)


@pytest.fixture(autouse=True)
def _small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """1,000-year runs keep these tests fast (the page offers 2,000 and more)."""
    monkeypatch.setattr(portfolio, "YEAR_CHOICES", (1_000, *portfolio.YEAR_CHOICES))


def _share(app: FastAPI, org: int, email: str) -> None:
    with app.state.sessions() as session:
        uid = session.query(User).filter_by(email=email).one().id
        session.add(Share(org_id=org, user_id=uid))
        session.commit()


def _user_id(app: FastAPI, email: str) -> int:
    with app.state.sessions() as session:
        return int(session.query(User).filter_by(email=email).one().id)


def _book(app: FastAPI, make: MakeAccount, *brokers: str) -> list[int]:
    owner = make("owner@example.nl")
    orgs = [
        seed_example(app, owner, "dutch-msp.yaml", name="Klant Een BV"),
        seed_example(app, owner, "accounting-firm.yaml", name="Klant Twee BV"),
    ]
    for email in brokers:
        for org in orgs:
            _share(app, org, email)
    return orgs


def _start(client: TestClient) -> int:
    token = csrf_of(client.get("/portfolio").text)
    assert client.post("/portfolio", data={"years": "1000", "csrf_token": token}).status_code == 303
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if 'id="pf-status"' not in client.get("/portfolio?fragment=1").text:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the portfolio run did not finish")
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        return int(session.query(PortfolioRun).order_by(PortfolioRun.id.desc()).first().id)


def _rows(app: FastAPI) -> list[PortfolioRun]:
    with app.state.sessions() as session:
        return list(session.query(PortfolioRun).order_by(PortfolioRun.id))


@pytest.fixture
def second_app(web_db_url: str) -> Iterator[FastAPI]:  # noqa: F811
    """Another server process over the same database (a restart, or a second worker)."""
    engine = make_engine(web_db_url)
    settings = Settings(database_url=web_db_url, lockout_after=3, login_rate=1000)
    yield create_app(settings, engine=engine, catalog=full_catalog, assessor=real_assess)
    engine.dispose()


def test_a_finished_run_is_stored_and_survives_a_restart(
    web_app: FastAPI,  # noqa: F811
    make_account: MakeAccount,  # noqa: F811
    second_app: FastAPI,
) -> None:
    broker = make_account("bob@broker.example", kind="broker")
    orgs = _book(web_app, make_account, broker)
    run_id = _start(login(web_app, broker))
    [row] = _rows(web_app)
    assert row.id == run_id and row.state == "done" and row.user_id == _user_id(web_app, broker)
    assert sorted(row.org_ids) == sorted(orgs) and row.years == 1000 and row.seed == 20261201
    assert row.finished_at is not None and row.finished_at >= row.started_at and row.error == ""
    assert row.result is not None and row.result["names"][f"org-{orgs[0]}"] == "Klant Een BV"
    assert row.result["report"]["insureds"] == 2 and row.done_years == 1000

    # a renamed client does not rewrite the stored run: the names are as they were
    from insurable.store.models import Organisation

    with web_app.state.sessions() as session:
        session.get(Organisation, orgs[0]).name = "Nieuwe Naam BV"  # type: ignore[union-attr]
        session.commit()
    again = login(second_app, broker).get("/portfolio")  # another process: nothing of it in memory
    assert again.status_code == 200
    page = again.text
    assert 'id="pf-ep"' in page and "<svg" in page and "Klant Een BV" in page and "Nieuwe Naam BV" not in page
    assert 'id="pf-history"' in page and f'href="/portfolio/runs/{run_id}.json"' in page
    assert "style=" not in page.split("<main", 1)[1]


def test_downloads_json_and_csv_with_audit(web_app: FastAPI, make_account: MakeAccount) -> None:  # noqa: F811
    broker = make_account("bob@broker.example", kind="broker")
    orgs = _book(web_app, make_account, broker)
    client = login(web_app, broker)
    run_id = _start(client)
    got = client.get(f"/portfolio/runs/{run_id}.json")
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/json")
    assert f"portfolio-run-{run_id}.json" in got.headers["content-disposition"]
    data = got.json()
    assert data["run"]["id"] == run_id and data["run"]["years"] == 1000 and data["indicative"] is True
    assert {o["name"] for o in data["run"]["organisations"]} == {"Klant Een BV", "Klant Twee BV"}
    assert data["report"]["curve"] and data["report"]["single_points_of_failure"]
    for table in CSV_TABLES:
        got = client.get(f"/portfolio/runs/{run_id}/{table}.csv")
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv"), table
        rows = list(csv.reader(io.StringIO(got.text)))
        assert len(rows) >= 2, table  # a header and data
    insureds = list(csv.reader(io.StringIO(client.get(f"/portfolio/runs/{run_id}/insureds.csv").text)))
    assert insureds[0] == ["insured", "name", "aal", "tvar_200_contribution", "share"]
    assert {r[1] for r in insureds[1:]} == {"Klant Een BV", "Klant Twee BV"}
    assert {r[0] for r in insureds[1:]} == {f"org-{o}" for o in orgs}
    assert client.get(f"/portfolio/runs/{run_id}/secrets.csv").status_code == 404
    with web_app.state.sessions() as session:
        lines = session.query(AuditEvent).filter(AuditEvent.action.like("portfolio.%")).all()
        actions = [(e.action, e.target, e.detail.get("what")) for e in lines]
    assert ("portfolio.run", f"portfolio-run:{run_id}", None) in actions
    assert ("portfolio.download", f"portfolio-run:{run_id}", "json") in actions
    assert ("portfolio.download", f"portfolio-run:{run_id}", "ep.csv") in actions
    assert len([a for a in actions if a[0] == "portfolio.download"]) == 2 + len(CSV_TABLES)  # insureds.csv twice


def _running_row(app: FastAPI, email: str, orgs: list[int], *, worker: str, beat_ago: dt.timedelta) -> int:
    with app.state.sessions() as session:
        row = PortfolioRun(
            user_id=_user_id(app, email),
            org_ids=orgs,
            years=1000,
            seed=1,
            state="running",
            started_at=utcnow() - beat_ago,
            worker=worker,
            heartbeat_at=utcnow() - beat_ago,
            done_years=300,
        )
        session.add(row)
        session.commit()
        return int(row.id)


def test_a_run_whose_process_died_shows_interrupted_and_a_new_one_starts(
    web_app: FastAPI,  # noqa: F811
    make_account: MakeAccount,  # noqa: F811
) -> None:
    broker = make_account("bob@broker.example", kind="broker")
    orgs = _book(web_app, make_account, broker)
    client = login(web_app, broker)
    # another process is still running this one (a fresh heartbeat): it shows as running, no second run
    busy = _running_row(web_app, broker, orgs, worker="other-host:7:abcd", beat_ago=dt.timedelta(seconds=1))
    page = client.get("/portfolio").text
    assert 'id="pf-status"' in page and "300" in page and " disabled>" in page
    token = csrf_of(page)
    assert client.post("/portfolio", data={"years": "1000", "csrf_token": token}).status_code == 303
    assert [r.id for r in _rows(web_app)] == [busy]
    # ... until its heartbeat is older than STALE_AFTER: the process died
    with web_app.state.sessions() as session:
        row = session.get(PortfolioRun, busy)
        assert row is not None
        row.heartbeat_at = utcnow() - portfolio_jobs.STALE_AFTER - dt.timedelta(seconds=1)
        session.commit()
    page = client.get("/portfolio").text
    assert "De doorrekening is onderbroken" in page and "start hem opnieuw" in page and 'id="pf-status"' not in page
    [row] = _rows(web_app)
    assert row.state == "failed" and row.error == INTERRUPTED and row.finished_at is not None  # in the database
    client.get("/lang/en?next=/portfolio")
    assert "The run was interrupted" in client.get("/portfolio").text
    client.get("/lang/nl?next=/portfolio")
    # a row this process started but its worker no longer holds (it died mid-run): interrupted at once
    ours = _running_row(web_app, broker, orgs, worker=portfolio_jobs.worker_id(), beat_ago=dt.timedelta())
    assert "onderbroken" in client.get(f"/portfolio?run={ours}&fragment=1").text
    # and a new run starts and finishes
    fresh = _start(client)
    assert fresh not in (busy, ours) and 'id="pf-ep"' in client.get("/portfolio").text
    history = client.get("/portfolio").text.split('id="pf-history"', 1)[1]
    assert history.count("<tr>") == 4 and history.count("mislukt") == 2  # header + 3 runs


def test_the_history_opens_older_runs_and_keeps_the_newest(
    web_app: FastAPI,  # noqa: F811
    make_account: MakeAccount,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker = make_account("bob@broker.example", kind="broker")
    _book(web_app, make_account, broker)
    client = login(web_app, broker)
    first = _start(client)
    with web_app.state.sessions() as session:  # an older finished run of 10,000 years (same result data)
        done = session.get(PortfolioRun, first)
        assert done is not None
        old = PortfolioRun(
            user_id=done.user_id, org_ids=done.org_ids, years=10_000, seed=done.seed, state="done",
            started_at=done.started_at - dt.timedelta(days=1), finished_at=done.finished_at, result=done.result,
        )  # fmt: skip
        session.add(old)
        session.commit()
        old_id = int(old.id)
    page = client.get("/portfolio").text
    assert f'href="/portfolio?run={first}"' in page  # the newest by id is shown; the other is a link
    opened = client.get(f"/portfolio?run={first}").text
    assert 'id="pf-ep"' in opened and f'href="/portfolio?run={old_id}"' in opened
    assert client.get("/portfolio?run=999999").status_code == 404
    monkeypatch.setattr(portfolio, "KEEP_RUNS", 1)
    _start(client)
    assert len(_rows(web_app)) == 1  # a new run prunes the runs beyond KEEP_RUNS


def test_a_run_is_its_starter_s_alone(web_app: FastAPI, make_account: MakeAccount) -> None:  # noqa: F811
    alice = make_account("alice@broker.example", kind="broker")
    bob = make_account("bob@broker.example", kind="broker")
    orgs = _book(web_app, make_account, alice, bob)  # the same clients shared with both
    a = login(web_app, alice)
    run_id = _start(a)
    urls = [f"/portfolio?run={run_id}", f"/portfolio?run={run_id}&fragment=1", f"/portfolio/runs/{run_id}.json"]
    urls += [f"/portfolio/runs/{run_id}/{t}.csv" for t in CSV_TABLES]
    assert all(a.get(u).status_code == 200 for u in urls)

    b = login(web_app, bob)
    own = b.get("/portfolio").text
    assert 'id="pf-ep"' not in own and 'id="pf-history"' not in own and f"run={run_id}" not in own
    assert [b.get(u).status_code for u in urls] == [404] * len(urls)
    admin = login(web_app, make_account("root@example.nl", kind="admin"))  # sees every organisation, not the run
    assert [admin.get(u).status_code for u in urls] == [404] * len(urls)
    member = login(web_app, "owner@example.nl")  # the clients' own owner: no portfolio at all
    assert [member.get(u).status_code for u in urls] == [403] * len(urls)
    with TestClient(web_app, follow_redirects=False) as anonymous:
        for u in urls:
            got = anonymous.get(u)
            assert got.status_code in (302, 303) and got.headers["location"].startswith("/login")
    with web_app.state.sessions() as session:
        downloads = session.query(AuditEvent).filter_by(action="portfolio.download").all()
        assert {e.actor_email for e in downloads} == {alice}  # nobody else got one

    # the stale rule, from the database: a share withdrawn hides the run everywhere, restored shows it
    with web_app.state.sessions() as session:
        share = session.query(Share).filter_by(org_id=orgs[0], user_id=_user_id(web_app, alice)).one()
        session.delete(share)
        session.commit()
    page = a.get("/portfolio").text
    assert 'id="pf-ep"' not in page and "Klant Een BV" not in page and "veranderd" in page
    assert 'id="pf-history"' not in page
    assert [a.get(u).status_code for u in urls] == [404] * len(urls)
    _share(web_app, orgs[0], alice)
    assert 'id="pf-ep"' in a.get("/portfolio").text


def test_a_book_with_nothing_to_model_fails_naming_who_was_left_out(
    web_app: FastAPI,  # noqa: F811
    make_account: MakeAccount,  # noqa: F811
) -> None:
    from insurable.store import repo

    owner = make_account("owner@example.nl")
    broker = make_account("bob@broker.example", kind="broker")
    with web_app.state.sessions() as session:
        user = session.query(User).filter_by(email=owner).one()
        org = repo.create_organisation(session, user, "Leeg Profiel BV", {})
        session.commit()
        org_id = int(org.id)
    _share(web_app, org_id, broker)
    client = login(web_app, broker)
    token = csrf_of(client.get("/portfolio").text)
    assert client.post("/portfolio", data={"years": "1000", "csrf_token": token}).status_code == 303
    [row] = _rows(web_app)
    assert row.state == "failed" and row.finished_at is not None and row.result is None
    assert row.left_out[0]["name"] == "Leeg Profiel BV" and row.left_out[0]["problems"]
    page = client.get("/portfolio").text
    assert "Geen van de organisaties heeft een volledig profiel" in page and "Leeg Profiel BV" in page
    assert client.get(f"/portfolio/runs/{row.id}.json").status_code == 404  # nothing to download


def test_a_failing_run_and_an_unreadable_stored_run_say_so(
    web_app: FastAPI,  # noqa: F811
    make_account: MakeAccount,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import insurable.portfolio.pipeline as pipeline

    broker = make_account("bob@broker.example", kind="broker")
    orgs = _book(web_app, make_account, broker)
    client = login(web_app, broker)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the kernel ran out of luck")

    monkeypatch.setattr(pipeline, "analyse", broken)
    _start(client)
    [row] = _rows(web_app)
    assert row.state == "failed" and row.error == "the kernel ran out of luck" and row.result is None
    page = client.get("/portfolio").text
    assert "De doorrekening is mislukt: the kernel ran out of luck" in page and 'id="pf-ep"' not in page
    with web_app.state.sessions() as session:  # a run stored by a version whose report this one cannot read
        bad = PortfolioRun(
            user_id=row.user_id, org_ids=orgs, years=1000, seed=1, state="done", result={"format": 99}
        )  # fmt: skip
        session.add(bad)
        session.commit()
        bad_id = int(bad.id)
    page = client.get(f"/portfolio?run={bad_id}")
    assert page.status_code == 200 and "kan niet meer worden gelezen" in page.text
    assert client.get(f"/portfolio/runs/{bad_id}/ep.csv").status_code == 410


def test_the_worker_outcome_wins_over_a_wrong_interrupted_guess(
    web_app: FastAPI,  # noqa: F811
    make_account: MakeAccount,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run is held in this process before its row is committed, and a worker that finishes a run
    another process took for dead (a missed heartbeat) still stores its result."""
    import insurable.portfolio.pipeline as pipeline

    broker = make_account("bob@broker.example", kind="broker")
    _book(web_app, make_account, broker)
    client = login(web_app, broker)
    real = pipeline.analyse
    seen: list[str] = []

    def slow(*args: object, **kwargs: object) -> object:
        [row] = _rows(web_app)
        sessions = web_app.state.sessions
        seen.append(row.state)
        assert portfolio_jobs.alive(sessions, row, utcnow() + portfolio_jobs.STALE_AFTER * 2)  # held here
        with sessions() as session:  # another process, seeing no heartbeat, finished it as interrupted
            stored = session.get(PortfolioRun, row.id)
            assert stored is not None
            stored.state, stored.error = "failed", INTERRUPTED
            session.commit()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "analyse", slow)
    run_id = _start(client)  # returns once the page shows the (wrong) interrupted state ...
    deadline = time.monotonic() + 60
    while portfolio_jobs.live(web_app.state.sessions, run_id) is not None:  # ... the worker finishes later
        assert time.monotonic() < deadline, "the worker did not finish"
        time.sleep(0.05)
    [row] = _rows(web_app)
    assert seen == ["running"] and row.state == "done" and row.error == "" and row.result is not None


def test_the_heartbeat_stores_progress_and_keeps_a_run_alive_for_other_processes(
    web_app: FastAPI,  # noqa: F811
    make_account: MakeAccount,  # noqa: F811
) -> None:
    broker = make_account("bob@broker.example", kind="broker")
    orgs = _book(web_app, make_account, broker)
    old = dt.timedelta(minutes=10)
    run_id = _running_row(web_app, broker, orgs, worker="this-one:1:x", beat_ago=old)
    sessions = web_app.state.sessions
    entry = portfolio_jobs.reserve(sessions, run_id)
    try:
        entry.done_years = 700
        portfolio_jobs.beat([entry])
    finally:
        portfolio_jobs.release(entry)
    [row] = _rows(web_app)
    assert row.done_years == 700 and row.worker == portfolio_jobs.worker_id()
    assert row.heartbeat_at is not None and utcnow() - row.heartbeat_at < dt.timedelta(seconds=30)
    row.worker = "another-process:2:y"  # as another process sees it: alive while the beat is recent
    assert portfolio_jobs.alive(sessions, row, utcnow())
    assert not portfolio_jobs.alive(sessions, row, utcnow() + portfolio_jobs.STALE_AFTER)


def test_a_finished_run_names_who_was_left_out_and_why(web_app: FastAPI, make_account: MakeAccount) -> None:  # noqa: F811
    from insurable.store import repo

    broker = make_account("bob@broker.example", kind="broker")
    _book(web_app, make_account, broker)
    with web_app.state.sessions() as session:
        user = session.query(User).filter_by(email="owner@example.nl").one()
        half = repo.create_organisation(session, user, "Half Ingevuld BV", {})
        session.commit()
        half_id = int(half.id)
    _share(web_app, half_id, broker)
    client = login(web_app, broker)
    run_id = _start(client)
    [row] = _rows(web_app)
    assert row.state == "done" and half_id in row.org_ids and [o["org_id"] for o in row.left_out] == [half_id]
    page = client.get("/portfolio").text
    left = page.split('id="pf-left-out"', 1)[1].split("</div>", 1)[0]
    assert "Half Ingevuld BV" in left and "<details>" in left and f"organisations[{half_id}]." in left
    data = client.get(f"/portfolio/runs/{run_id}.json").json()
    assert data["run"]["left_out"][0]["name"] == "Half Ingevuld BV" and data["run"]["left_out"][0]["problems"]
    assert data["report"]["insureds"] == 2  # the two complete profiles
