"""Fixtures for the service tests: a fresh database per test (SQLite file, or a PostgreSQL schema
when ``INSURABLE_TEST_DATABASE_URL`` is set), the app on it, and users with API tokens."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from insurable.api import create_app
from insurable.api.security import hash_password, new_token, token_hash
from insurable.api.settings import Settings
from insurable.catalog.loader import Catalog, default_directory
from insurable.catalog.questionnaire import QuestionnaireFile
from insurable.catalog.yamlio import read_yaml
from insurable.store.db import make_engine
from insurable.store.models import ApiToken, User

PG_ENV = "INSURABLE_TEST_DATABASE_URL"
_counter = itertools.count()

#: A complete profile: every field ``assess`` needs.
PROFILE: dict[str, Any] = {
    "name": "Example BV",
    "country": "NL",
    "nace_code": "62.02",
    "activities": [],
    "employees": 40,
    "annual_turnover_eur": 6_000_000,
    "balance_sheet_total_eur": 3_000_000,
    "records_held": 20_000,
    "requested_limit_eur": 1_000_000,
    "requested_deductible_eur": 5_000,
}


def fake_assess(org: Any, catalog: Catalog) -> dict[str, Any]:
    """Stands in for the domain assessment in most tests (fast, independent of its fields)."""
    return {"verdict": "insurable", "premium_eur": 1234.56, "answers_seen": len(org.answers)}


def database_url(tmp_path: Path) -> Generator[str, None, None]:
    pg = os.environ.get(PG_ENV)
    if not pg:
        yield f"sqlite:///{tmp_path / 'service.sqlite3'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    schema = f"t_{worker}_{os.getpid()}_{next(_counter)}"
    admin = make_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    yield from database_url(tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The packaged questionnaire alone: what the API needs to check answers, fast and stable."""
    path = default_directory() / "questionnaire.yaml"
    questionnaire = QuestionnaireFile.model_validate(read_yaml(path))
    return Catalog(default_directory(), {"questionnaire.yaml": questionnaire}, {"questionnaire.yaml": path})


@pytest.fixture
def app(engine: Engine, db_url: str, catalog: Catalog) -> FastAPI:
    settings = Settings(database_url=db_url, lockout_after=3, login_rate=1000)
    return create_app(settings, engine=engine, catalog=lambda: catalog, assessor=fake_assess)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class Account:
    id: int
    email: str
    password: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


MakeUser = Callable[..., Account]


@pytest.fixture
def make_user(app: FastAPI) -> MakeUser:
    """Create an account directly in the database, with one API token."""

    def make(email: str, kind: str = "user", password: str = "correct horse battery") -> Account:
        secret = new_token()
        with app.state.sessions() as session:
            user = User(email=email, name=email.split("@")[0], kind=kind, password_hash=hash_password(password))
            session.add(user)
            session.flush()
            session.add(ApiToken(user_id=user.id, name="test", token_hash=token_hash(secret), prefix=secret[:8]))
            session.commit()
            return Account(user.id, email, password, secret)

    return make


def new_org(client: TestClient, owner: Account, name: str = "Example BV", profile: bool = True) -> int:
    created = client.post("/api/v1/organisations", json={"name": name}, headers=owner.auth)
    assert created.status_code == 201, created.text
    org_id: int = created.json()["id"]
    if profile:
        body = {**PROFILE, "name": name}
        saved = client.put(f"/api/v1/organisations/{org_id}/profile", json=body, headers=owner.auth)
        assert saved.status_code == 200, saved.text
    return org_id


def login(client: TestClient, who: Account) -> dict[str, str]:
    """Log ``who`` in on ``client`` (cookie session); returns the CSRF header for writes."""
    response = client.post("/api/v1/auth/login", json={"email": who.email, "password": who.password})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def mint_token(client: TestClient, who: Account, **body: Any) -> dict[str, Any]:
    """Create an API token the only way there is: logged in with the password (tokens cannot mint)."""
    csrf = login(client, who)
    response = client.post("/api/v1/me/tokens", json={"name": "ci", **body}, headers=csrf)
    client.cookies.clear()
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def join(client: TestClient, owner: Account, org_id: int, who: Account, role: str = "member") -> None:
    """Invite ``who`` (as ``role``, or to a share for brokers and underwriters) and accept as them."""
    kind = "shares" if role == "share" else "members"
    body = {"email": who.email} if role == "share" else {"email": who.email, "role": role}
    invited = client.post(f"/api/v1/organisations/{org_id}/{kind}", json=body, headers=owner.auth)
    assert invited.status_code == 202, invited.text
    accepted = client.post(f"/api/v1/me/invitations/{invited.json()['id']}/accept", headers=who.auth)
    assert accepted.status_code == 204, accepted.text
