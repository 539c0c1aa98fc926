"""``insurable suppliers``: check for cron (exit 0/1/2, JSON, state, mail), import/export, requirements."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from insurable.cli import app
from tests.suppliers.conftest import HOSPITAL

runner = CliRunner()


def run(*args: object, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def test_check_json_on_the_documented_date_exits_1():
    result = run("suppliers", "check", HOSPITAL, "--as-of", "2026-12-01", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["action_needed"] is True
    assert data["counts"] == {"compliant": 4, "gap": 2, "expiring": 1, "expired": 0, "unknown": 1}
    delta = next(s for s in data["suppliers"] if s["id"] == "datacenter-delta")
    cyber = next(f for f in delta["findings"] if f["requirement"] == "cover.cyber")
    assert (cyber["status"], cyber["days_left"], cyber["alert_days"], cyber["expires"]) == (
        "expiring",
        45,
        60,
        "2027-01-15",
    )
    assert {c["vendor"] for c in data["concentration"]} == {"Microsoft Azure", "Fortinet FortiGate"}
    assert data["indicative"] is True


def test_check_exits_0_when_every_supplier_complies(tmp_path: Path):
    data = yaml.safe_load(HOSPITAL.read_text(encoding="utf-8"))
    data["suppliers"] = [s for s in data["suppliers"] if s["id"] in ("noordkust-it", "salarisloket")]
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("suppliers", "check", path, "--as-of", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "Noordkust IT Beheer B.V." in result.stdout and "voldoet" in result.stdout


def test_state_file_reports_alerts_once(tmp_path: Path):
    state = tmp_path / "state.json"
    first = json.loads(
        run("suppliers", "check", HOSPITAL, "--as-of", "2026-12-01", "--format", "json", "--state", state).stdout
    )
    assert len(first["alerts"]) == 7
    again = json.loads(
        run("suppliers", "check", HOSPITAL, "--as-of", "2026-12-02", "--format", "json", "--state", state).stdout
    )
    assert again["alerts"] == [] and again["action_needed"] is True
    later = json.loads(
        run("suppliers", "check", HOSPITAL, "--as-of", "2026-12-16", "--format", "json", "--state", state).stdout
    )
    assert {(a["supplier"], a["requirement"], a["alert_days"]) for a in later["alerts"]} >= {
        ("datacenter-delta", "cover.cyber", 30)
    }


def test_bad_input_exits_2_naming_the_field(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    lines = [
        "client: K",
        "suppliers:",
        "  - id: x",
        "    name: X",
        "    tier: gold",
        "    insurance:",
        "      - {insurer: I, policy_number: P, limits_eur: {cyber: 1}, start: 2026-05-01, end: 2026-01-01}",
    ]
    bad.write_text("\n".join(lines) + "\n")
    result = run("suppliers", "check", bad)
    assert result.exit_code == 2
    assert "suppliers[0].tier" in result.output and "suppliers[0].insurance[0]" in result.output
    assert "line 5" in result.output
    assert run("suppliers", "check", HOSPITAL, "--as-of", "1 december").exit_code == 2
    assert run("suppliers", "check", tmp_path / "missing.yaml").exit_code == 2
    broken = tmp_path / "state.json"
    broken.write_text("[]")
    assert "--state" in run("suppliers", "check", HOSPITAL, "--state", broken).output


def test_import_and_export_csv_and_xlsx(tmp_path: Path):
    for name in ("out.csv", "out.xlsx"):
        out = tmp_path / name
        result = run("suppliers", "export", HOSPITAL, "-o", out, "--as-of", "2026-12-01", "--lang", "nl")
        assert result.exit_code == 0, result.output
        register = tmp_path / f"new-{name}.yaml"
        result = run("suppliers", "import", out, "--into", register, "--client", "Nieuw ziekenhuis")
        assert result.exit_code == 0, result.output
        data = yaml.safe_load(register.read_text(encoding="utf-8"))
        assert data["client"] == "Nieuw ziekenhuis" and len(data["suppliers"]) == 8
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "status,reasons" in text.splitlines()[0] and "leverancier verklaart niet verzekerd te zijn" in text
    assert run("suppliers", "import", tmp_path / "out.csv", "--into", tmp_path / "nope.yaml").exit_code == 2
    assert run("suppliers", "export", HOSPITAL, "-o", tmp_path / "out.pdf").exit_code == 2


def test_requirements_prints_the_clauses_in_both_languages():
    nl = run("suppliers", "requirements", "--tier", "critical", "--register", HOSPITAL, "--lang", "nl")
    en = run("suppliers", "requirements", "--tier", "critical", "--register", HOSPITAL, "--lang", "en")
    assert "ten minste EUR 5.000.000" in nl.stdout and "binnen 24 uur" in nl.stdout
    assert "at least EUR 5,000,000" in en.stdout and "within 24 hours" in en.stdout
    assert len(nl.stdout.splitlines()) == len(en.stdout.splitlines())
    data = json.loads(run("suppliers", "requirements", "--tier", "standard", "--format", "json").stdout)
    assert data["insurance"]["pi_limit_eur"] == 500000 and not data["edited_by_client"]


class Sink:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture()
def smtp_port():
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def test_check_mails_new_alerts_through_smtp(smtp_port, tmp_path: Path):
    sink, port = smtp_port
    env = {"INSURABLE_SMTP_HOST": "127.0.0.1", "INSURABLE_SMTP_PORT": str(port)}
    state = tmp_path / "s.json"
    args = ("suppliers", "check", HOSPITAL, "--as-of", "2026-12-01", "--state", state, "--mail-to", "ciso@zkh.example")
    result = run(*args, "--format", "json", env=env)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["mailed_to"] == ["ciso@zkh.example"]
    assert len(sink.envelopes) == 1 and b"leveranciersmelding" in sink.envelopes[0].content
    run(*args, env=env)  # nothing new: no second mail
    assert len(sink.envelopes) == 1
    no_host = run("suppliers", "check", HOSPITAL, "--mail-to", "x@y.example", env={"INSURABLE_SMTP_HOST": ""})
    assert no_host.exit_code == 2 and "INSURABLE_SMTP_HOST" in no_host.output
