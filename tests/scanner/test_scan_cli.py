"""``insurable scan`` and ``insurable assess --scan`` end to end on loopback fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from insurable.cli import app
from tests.scanner.fixtures import Fixtures

runner = CliRunner()
ANSWERS = {"q.exposure.rdp_exposed": False, "q.email.dmarc": "reject", "q.exposure.remote_access_type": "cloud_vpn"}


def _org(tmp_path: Path, servers: Fixtures, **targets: object) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(servers.organisation(ANSWERS, **targets)), encoding="utf-8")
    return path


def _scan_args(servers: Fixtures, *extra: str) -> list[str]:
    ports = ",".join(str(p) for name, p in servers.ports.items() if name != "silent")
    return [
        "scan", *extra, "--allow-private", "--dns-server", servers.nameserver, "--ports", ports,
        "--ca-file", str(servers.ca_file), "--timeout", "3", "--rate", "0",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def saved(servers: Fixtures, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("cli")
    org = _org(tmp, servers)
    out = tmp / "scan.json"
    result = runner.invoke(app, [*_scan_args(servers, str(org)), "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    return org, out


def test_scan_json_has_findings_and_contradictions(saved: tuple[Path, Path]) -> None:
    _org_file, out = saved
    data = json.loads(out.read_text())
    assert data["format"] == "insurable.scan/1"
    assert {"exp.rdp_exposed", "exp.vpn_portal", "exp.kev_vulnerable"} <= {f["check"] for f in data["findings"]}


def test_scan_text_output(servers: Fixtures, tmp_path: Path) -> None:
    result = runner.invoke(app, [*_scan_args(servers, str(_org(tmp_path, servers))), "--lang", "nl"])
    assert result.exit_code == 0, result.output
    assert "RDP bereikbaar vanaf internet" in result.output
    assert "Tegenstrijdig met uw antwoorden" in result.output
    assert "dns-txt" in result.output


def test_assess_with_scan_declines_on_observed_rdp(saved: tuple[Path, Path]) -> None:
    org, out = saved
    result = runner.invoke(app, ["assess", str(org), "--scan", str(out), "--format", "json", "--no-plan"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "declined"
    rdp = next(d for d in data["declines"] if d["rule_id"] == "uw.decline.rdp_observed")
    assert rdp["facts"] == [{"kind": "finding", "id": "exp.rdp_exposed", "value": True, "assumed": False}]
    assert "exp.rdp_exposed" in rdp["text"]["en"]
    assert {r["rule_id"] for r in data["referrals"]} >= {"uw.refer.kev_observed"}
    assert {m["rule_id"] for m in data["modifiers"]} >= {
        "uw.debit.vpn_appliance_observed",
        "uw.debit.dmarc_observed_weak",
    }
    pairs = {
        (c["question"], json.dumps(c["declared"]), json.dumps(c["observed"])) for c in data["scan"]["contradictions"]
    }
    assert ("q.exposure.rdp_exposed", "false", "true") in pairs
    assert ("q.email.dmarc", '"reject"', '"none_policy"') in pairs
    assert ("q.exposure.remote_access_type", '"cloud_vpn"', "true") in pairs
    fixes = {f["check"]: f for f in data["scan"]["fixes"]}
    assert fixes["exp.rdp_exposed"]["rules_lifted"] == ["uw.decline.rdp_observed"]
    assert fixes["exp.dmarc_policy"]["rules_lifted"] == ["uw.debit.dmarc_observed_weak"]


def test_assess_text_shows_findings_contradictions_and_fixes(saved: tuple[Path, Path]) -> None:
    org, out = saved
    result = runner.invoke(app, ["assess", str(org), "--scan", str(out), "--no-plan"])
    assert result.exit_code == 0, result.output
    assert "uw.decline.rdp_observed" in result.output
    assert "Contradicting your answers" in result.output
    assert "What closing each finding changes" in result.output
    assert "lifts uw.decline.rdp_observed" in result.output


def test_assess_without_scan_does_not_fire_finding_rules(saved: tuple[Path, Path]) -> None:
    org, _out = saved
    result = runner.invoke(app, ["assess", str(org), "--format", "json", "--no-plan"])
    assert result.exit_code == 0, result.output
    fired = {r["rule_id"] for key in ("declines", "referrals", "modifiers") for r in json.loads(result.output)[key]}
    assert not {r for r in fired if r.endswith("_observed") or r.endswith("_observed_weak")}


def test_refusal_exits_2_with_a_message(servers: Fixtures, tmp_path: Path) -> None:
    org = _org(tmp_path, servers, domains=["nodns.test"])
    args = list(_scan_args(servers, str(org)))
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "no proof of control of nodns.test" in result.output
    assert "Traceback" not in result.output


def test_bad_options_exit_2_naming_each(servers: Fixtures, tmp_path: Path) -> None:
    org = _org(tmp_path, servers)
    result = runner.invoke(app, ["scan", str(org), "--ports", "99999", "--format", "xml", "--well-known-port", "x"])
    assert result.exit_code == 2
    for name in ("--ports", "--format", "--well-known-port"):
        assert name in result.output


def test_assess_with_a_bad_scan_file_exits_2(saved: tuple[Path, Path], tmp_path: Path) -> None:
    org, _out = saved
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "insurable.scan/1", "organisation": "x"}))
    result = runner.invoke(app, ["assess", str(org), "--scan", str(bad)])
    assert result.exit_code == 2
    assert "started" in result.output and "Traceback" not in result.output


def test_token_command(servers: Fixtures, tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", "token", str(_org(tmp_path, servers))])
    assert result.exit_code == 0
    assert "_insurable-scan.example.test" in result.output and "insurable-scan=" in result.output


def test_update_kev_replaces_the_packaged_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from insurable.scanner.kev import load_kev

    monkeypatch.setenv("INSURABLE_DATA_DIR", str(tmp_path / "data"))
    assert load_kev().version.startswith("insurable-subset")
    feed = {
        "catalogVersion": "2026.12.01",
        "dateReleased": "2026-12-01T12:00:00.000Z",
        "vulnerabilities": [{"cveID": "CVE-2024-0001", "vendorProject": "X", "product": "Y"}],
    }
    good = tmp_path / "kev.json"
    good.write_text(json.dumps(feed))
    result = runner.invoke(app, ["scan", "update-kev", str(good)])
    assert result.exit_code == 0, result.output
    assert load_kev().version == "2026.12.01" and set(load_kev().cves) == {"CVE-2024-0001"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"vulnerabilities": [{"cveID": 5}]}))
    result = runner.invoke(app, ["scan", "update-kev", str(bad)])
    assert result.exit_code == 2
    for field in ("catalogVersion", "dateReleased", "vulnerabilities[0].cveID"):
        assert field in result.output
    assert load_kev().version == "2026.12.01"  # a bad file does not replace a good one


def test_scan_diff(saved: tuple[Path, Path], tmp_path: Path) -> None:
    _org_file, out = saved
    data = json.loads(out.read_text())
    data["findings"] = [f for f in data["findings"] if f["check"] != "exp.rdp_exposed"]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(data))
    result = runner.invoke(app, ["scan", "diff", str(out), str(later), "--format", "json"])
    assert result.exit_code == 0, result.output
    diff = json.loads(result.output)
    assert [f["check"] for f in diff["resolved"]] == ["exp.rdp_exposed"] and diff["new"] == []
    text = runner.invoke(app, ["scan", "diff", str(out), str(later)])
    assert "Resolved (1)" in text.output and "exp.rdp_exposed" in text.output
    missing = runner.invoke(app, ["scan", "diff", str(tmp_path / "nope.json"), str(later)])
    assert missing.exit_code == 2 and "file not found" in missing.output


def test_assess_markdown_carries_the_findings_section(saved: tuple[Path, Path]) -> None:
    org, out = saved
    result = runner.invoke(app, ["assess", str(org), "--scan", str(out), "--format", "markdown", "--no-plan"])
    assert result.exit_code == 0, result.output
    section = result.output.split("## Outside-in scan")[1].split("\n## ")[0]
    assert "| critical | RDP reachable from the internet (`exp.rdp_exposed`)" in section
    row = next(line for line in section.splitlines() if "`q.exposure.rdp_exposed`" in line)
    assert "| no | yes (" in row
    assert "Indicative: a snapshot from the outside" in section
