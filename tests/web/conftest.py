"""Fixtures for the web app tests: the service app on a fresh database with the full catalogue and
the real assessment (memoised: the same input gives the same snapshot), users, and a logged-in
browser-like client that carries the session cookie and reads CSRF tokens from the pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from insurable.api import create_app
from insurable.api.security import hash_password
from insurable.api.settings import Settings
from insurable.catalog.loader import Catalog, load_catalog
from insurable.store.db import make_engine
from insurable.store.models import User
from tests.service.conftest import PROFILE, database_url

PASSWORD = "correct horse battery"
_memo: dict[str, Any] = {}


@cache
def full_catalog() -> Catalog:
    return load_catalog()


def real_assess(org: Any, catalog: Catalog) -> Any:
    """The domain assessment with a smaller loss simulation, memoised by input (tests repeat inputs)."""
    from insurable.assessment import assess

    key = json.dumps(org.model_dump(mode="json"), sort_keys=True)
    if key not in _memo:
        _memo[key] = assess(org, catalog, loss_trials=5_000)
    return _memo[key]


@pytest.fixture
def web_db_url(tmp_path: Path) -> Iterator[str]:
    yield from database_url(tmp_path)


@pytest.fixture
def web_engine(web_db_url: str) -> Iterator[Engine]:
    engine = make_engine(web_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def web_app(web_engine: Engine, web_db_url: str) -> FastAPI:
    settings = Settings(database_url=web_db_url, lockout_after=3, login_rate=1000)
    return create_app(settings, engine=web_engine, catalog=full_catalog, assessor=real_assess)


@pytest.fixture
def anon(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, follow_redirects=False) as client:
        yield client


MakeAccount = Callable[..., str]


@pytest.fixture
def make_account(web_app: FastAPI) -> MakeAccount:
    def make(email: str, kind: str = "user") -> str:
        with web_app.state.sessions() as session:
            session.add(User(email=email, name=email.split("@")[0], kind=kind, password_hash=hash_password(PASSWORD)))
            session.commit()
        return email

    return make


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(web_app: FastAPI, email: str) -> TestClient:
    """A new client logged in through the web login form (cookies kept, redirects not followed)."""
    client = TestClient(web_app, follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert token
    done = client.post("/login", data={"email": email, "password": PASSWORD, "login_csrf": token.group(1)})
    assert done.status_code == 303, done.text
    return client


def new_org(client: TestClient, name: str = "Voorbeeld BV", profile: dict[str, Any] | None = None) -> int:
    home = client.get("/")
    created = client.post("/orgs", data={"name": name, "csrf_token": csrf_of(home.text)})
    assert created.status_code == 303, created.text
    org_id = int(created.headers["location"].split("/")[2])
    if profile is not None:
        form = {k: str(v) for k, v in profile.items() if k != "activities"}
        form.update({"name": name, "activities_shown": "1", "csrf_token": csrf_of(home.text)})
        saved = client.post(f"/orgs/{org_id}/profile", data=form)
        assert saved.status_code == 303, saved.text
    return org_id


__all__ = ["PROFILE", "csrf_of", "login", "new_org"]


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def seed_example(web_app: FastAPI, email: str, example: str = "dutch-msp.yaml", name: str | None = None) -> int:
    """An organisation owned by ``email`` with the profile and answers of ``examples/<example>``."""
    from insurable.profile import load_organisation
    from insurable.store import repo

    org_in = load_organisation(EXAMPLES / example)
    with web_app.state.sessions() as session:
        user = session.query(User).filter_by(email=email).one()
        title = name or org_in.name or example
        org = repo.create_organisation(session, user, title, {})
        profile = org_in.model_dump(mode="json", exclude={"answers"}, exclude_defaults=True)
        org.profile = {**profile, "name": title}
        for qid, value in org_in.answers.items():
            repo.save_answer(session, org, qid, value, user)
        session.commit()
        return int(org.id)
