"""``insurable demo`` seeds the example organisations; a submission runs the real assessment."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from insurable.api import create_app
from insurable.api.demo import DEMO_PASSWORD
from insurable.api.settings import Settings
from insurable.cli import app as cli

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_demo_seeds_examples_and_the_real_assessment_is_served(db_url: str) -> None:
    runner = CliRunner()
    seeded = runner.invoke(cli, ["demo", "--examples", str(EXAMPLES), "--database-url", db_url])
    assert seeded.exit_code == 0, seeded.output
    assert "broker@demo.example" in seeded.output and DEMO_PASSWORD in seeded.output
    again = runner.invoke(cli, ["demo", "--examples", str(EXAMPLES), "--database-url", db_url])
    assert again.exit_code == 0, again.output

    app = create_app(Settings(database_url=db_url))  # the real catalogue and assessment
    try:
        _broker_submits(app)
    finally:
        app.state.engine.dispose()


def _broker_submits(app: FastAPI) -> None:
    with TestClient(app) as client:
        login = client.post("/api/v1/auth/login", json={"email": "broker@demo.example", "password": DEMO_PASSWORD})
        assert login.status_code == 200, login.text
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        organisations = client.get("/api/v1/organisations").json()
        assert len(organisations) == len(list(EXAMPLES.glob("*.yaml")))
        first = organisations[0]["id"]
        history = client.get(f"/api/v1/organisations/{first}/assessments").json()
        assert len(history) == 1 and history[0]["verdict"]
        submitted = client.post(f"/api/v1/organisations/{first}/assessments", headers=csrf)
        assert submitted.status_code == 201, submitted.text
        snapshot = submitted.json()
        assert "verdict" in snapshot["result"]
        assert snapshot["catalog_versions"]["insurable.questionnaire"]


def test_demo_without_examples_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--examples", str(tmp_path), "--database-url", "sqlite://"])
    assert result.exit_code == 2
