"""Authentication: argon2 hashes, lockout, rate limiting, cookies with CSRF, revocable API tokens."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from insurable.api import create_app
from insurable.api.settings import Settings
from insurable.store.models import ApiToken, LoginSession, User
from tests.service.conftest import MakeUser, fake_assess, mint_token, new_org

API = "/api/v1"


def _login(client: TestClient, email: str, password: str) -> tuple[int, dict[str, str]]:
    response = client.post(f"{API}/auth/login", json={"email": email, "password": password})
    return response.status_code, response.json()


def test_passwords_are_argon2_and_tokens_are_stored_hashed(
    app: FastAPI, client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("owner@example.nl")
    created = mint_token(client, user)
    with app.state.sessions() as session:
        stored = session.scalar(select(User).where(User.email == user.email))
        assert stored is not None and stored.password_hash.startswith("$argon2id$")
        assert user.password not in stored.password_hash
        hashes = session.scalars(select(ApiToken.token_hash)).all()
    assert created["token"] not in hashes and len(hashes) == 2
    listed = client.get(f"{API}/me/tokens", headers=user.auth).json()
    assert all("token" not in t for t in listed)


def test_login_sets_a_secure_cookie_and_lockout_follows_failures(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("owner@example.nl")
    status, body = _login(client, user.email, user.password)
    assert status == 200 and body["csrf_token"]
    cookie = client.cookies.get("insurable_session")
    assert cookie
    assert client.get(f"{API}/me").json()["email"] == user.email

    client.cookies.clear()
    for _ in range(3):  # the fixture throttles after 3 failures from one address
        assert _login(client, user.email, "wrong password")[0] == 401
    assert _login(client, user.email, user.password)[0] == 429, "a throttled address waits, even with the right one"
    assert _login(client, "nobody@example.nl", "whatever")[0] == 401


def test_cookie_flags(app: FastAPI, make_user: MakeUser) -> None:
    user = make_user("owner@example.nl")
    with TestClient(app, base_url="https://service.example") as client:
        response = client.post(f"{API}/auth/login", json={"email": user.email, "password": user.password})
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header and "secure" in header
    with TestClient(app) as plain:
        response = plain.post(f"{API}/auth/login", json={"email": user.email, "password": user.password})
    assert "secure" not in response.headers["set-cookie"].lower()


def test_cookie_writes_need_the_csrf_token(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("owner@example.nl")
    org = new_org(client, user)
    _, body = _login(client, user.email, user.password)
    url = f"{API}/organisations/{org}/answers/q.mfa.email"
    refused = client.put(url, json={"value": True})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert client.put(url, json={"value": True}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.put(url, json={"value": True}, headers={"X-CSRF-Token": body["csrf_token"]}).status_code == 200
    assert client.get(url).status_code == 200, "reads need no CSRF token"
    # logging out ends the session
    assert client.post(f"{API}/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]}).status_code == 204
    assert client.get(f"{API}/me").status_code == 401


def test_revoked_token_stops_working(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("owner@example.nl")
    created = mint_token(client, user)
    machine = {"Authorization": f"Bearer {created['token']}"}
    assert client.get(f"{API}/me", headers=machine).status_code == 200
    assert client.delete(f"{API}/me/tokens/{created['id']}", headers=user.auth).status_code == 204
    assert client.get(f"{API}/me", headers=machine).status_code == 401
    assert client.get(f"{API}/me", headers={"Authorization": "Bearer ins_made_up"}).status_code == 401
    assert client.get(f"{API}/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get(f"{API}/me").status_code == 401


def test_login_is_rate_limited_per_client(engine: object, db_url: str, catalog: object, make_user: MakeUser) -> None:
    app = create_app(
        Settings(database_url=db_url, login_rate=3, lockout_after=100),
        engine=engine,  # type: ignore[arg-type]
        catalog=lambda: catalog,  # type: ignore[arg-type,return-value]
        assessor=fake_assess,
    )
    with TestClient(app) as client:
        codes = [_login(client, "nobody@example.nl", "x")[0] for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        limited = client.post(f"{API}/auth/login", json={"email": "a@b.c", "password": "x"})
        assert limited.headers["retry-after"]
        assert limited.headers["content-type"] == "application/problem+json"


def test_sessions_are_stored_hashed(app: FastAPI, client: TestClient, make_user: MakeUser) -> None:
    user = make_user("owner@example.nl")
    _login(client, user.email, user.password)
    cookie = client.cookies.get("insurable_session")
    with app.state.sessions() as session:
        stored = session.scalars(select(LoginSession.token_hash)).all()
    assert cookie not in stored and len(stored) == 1
