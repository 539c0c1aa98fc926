"""The assess, init and catalog commands end to end, including every kind of bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from insurable.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
MSP = ROOT / "examples" / "dutch-msp.yaml"


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def write(tmp_path: Path, data, name="org.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def msp_data() -> dict:
    return yaml.safe_load(MSP.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_assess_reads_in_both_languages(lang, fmt):
    result = run("assess", MSP, "--lang", lang, "--format", fmt)
    assert result.exit_code == 0, result.output
    word = "afgewezen" if lang == "nl" else "declined"
    assert word in result.output
    assert "uw.decline.no_mfa_remote_access" in result.output
    assert ("Verbeterpad" if lang == "nl" else "Fix-path") in result.output


def test_assess_json_carries_reasons_and_plan():
    result = run("assess", MSP, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "declined"
    decline = data["declines"][0]
    assert decline["rule_id"] == "uw.decline.no_mfa_remote_access"
    assert {f["id"] for f in decline["facts"]} >= {"q.mfa.remote_access"}
    assert decline["sources"] and decline["sources"][0]["url"].startswith("https://")
    mfa = next(item for item in data["plan"] if item["control_id"] == "ctl.mfa")
    assert mfa["verdict_after"] != "declined"
    assert data["plan"][0]["control_id"] == "ctl.mfa"
    assert data["indicative"] is True


def test_assess_with_an_insurers_own_guideline(tmp_path, catalog):
    own = tmp_path / "own"
    own.mkdir()
    text = (Path(catalog.paths["guideline.yaml"])).read_text(encoding="utf-8")
    # This insurer accepts no MFA on remote access, but refers it.
    text = text.replace(
        "id: uw.decline.no_mfa_remote_access\n    effect: decline",
        "id: uw.decline.no_mfa_remote_access\n    effect: refer",
    )
    (own / "guideline.yaml").write_text(text, encoding="utf-8")
    result = run("assess", MSP, "--format", "json", "--guideline", own)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "uw.decline.no_mfa_remote_access" in [r["rule_id"] for r in data["referrals"]]


def test_missing_file():
    result = run("assess", "does-not-exist.yaml")
    assert result.exit_code == 2
    assert "does-not-exist.yaml" in result.output and "file not found" in result.output


def test_malformed_yaml(tmp_path):
    path = write(tmp_path, "name: [unclosed\ncountry: NL\n")
    result = run("assess", path)
    assert result.exit_code == 2
    assert "malformed YAML" in result.output and "line" in result.output
    assert "Traceback" not in result.output


def test_every_problem_at_once(tmp_path):
    data = msp_data()
    del data["requested_limit_eur"]
    data["country"] = "XX"
    data["employees"] = -3
    data["answers"]["q.mfa.nonexistent"] = True
    data["answers"]["q.mfa.email"] = "yes"
    data["answers"]["q.org.revenue_us_ca_pct"] = 140
    path = write(tmp_path, data)
    result = run("assess", path)
    assert result.exit_code == 2, result.output
    out = result.output
    assert "country: 'XX' is not an ISO 3166-1 alpha-2 country code" in out
    assert "employees: Input should be greater than or equal to 0" in out
    assert "requested_limit_eur: required field is missing" in out
    assert "answers.q.mfa.nonexistent: unknown question id" in out
    assert "answers.q.mfa.email: expected true or false" in out
    assert "answers.q.org.revenue_us_ca_pct: 140 is above the maximum 100" in out


def test_answer_problems_all_reported(tmp_path):
    data = msp_data()
    del data["requested_limit_eur"]
    data["answers"]["q.mfa.nonexistent"] = True
    data["answers"]["q.mfa.email"] = "yes"
    data["answers"]["q.org.revenue_us_ca_pct"] = 140
    data["answers"]["q.backup.frequency"] = "hourly"
    path = write(tmp_path, data)
    result = run("assess", path)
    assert result.exit_code == 2, result.output
    out = result.output
    assert "requested_limit_eur: required field is missing" in out
    assert "answers.q.mfa.nonexistent: unknown question id" in out
    assert "answers.q.mfa.email: expected true or false" in out
    assert "answers.q.org.revenue_us_ca_pct: 140 is above the maximum 100" in out
    assert "answers.q.backup.frequency: expected one of daily, weekly, monthly, none" in out
    assert str(path) in out


def test_unknown_activity(tmp_path):
    data = msp_data()
    data["activities"] = ["msp", "teleportation"]
    result = run("assess", write(tmp_path, data))
    assert result.exit_code == 2
    assert "activities[1]: unknown activity 'teleportation'" in result.output


def test_init_writes_a_template_that_assesses(tmp_path):
    target = tmp_path / "new.yaml"
    result = run("init", target, "--lang", "nl")
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "q.mfa.remote_access:" in text and "# " in text
    assert run("init", target).exit_code == 2  # exists
    # the untouched template is empty: assess names every missing profile field at once (exit 2) ...
    result = run("assess", target, "--format", "json")
    assert result.exit_code == 2
    for field in ("name", "country", "nace_code", "employees", "requested_limit_eur"):
        assert f"{field}: required field is missing" in result.output
    # ... and with only the profile filled in (answers left blank) it is incomplete, never declined
    filled = text
    for field, value in {
        "name": '"Accountants B.V."',
        "country": "NL",
        "nace_code": "6920",
        "activities": "[professional_services]",
        "employees": "60",
        "annual_turnover_eur": "6000000",
        "balance_sheet_total_eur": "2500000",
        "records_held": "8000",
        "requested_limit_eur": "1000000",
        "requested_deductible_eur": "5000",
    }.items():
        filled = filled.replace(f"\n{field}:\n", f"\n{field}: {value}\n", 1)
    target.write_text(filled, encoding="utf-8")
    result = run("assess", target, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "incomplete"
    assert data["premium"] is None and data["path"] == []
    assert data["missing"][0]["effect"] == "decline" and data["missing"][0]["required"]


def test_catalog_check_ok_and_broken(tmp_path, catalog):
    assert run("catalog", "check").exit_code == 0
    broken = tmp_path / "cat"
    shutil.copytree(catalog.directory, broken)
    g = broken / "guideline.yaml"
    g.write_text(
        g.read_text(encoding="utf-8")
        .replace("fixed_by: [ctl.mfa]", "fixed_by: [ctl.nonsense]", 1)
        .replace("q.exposure.rdp_exposed, eq: true", "q.exposure.rdp_open, eq: true", 1),
        encoding="utf-8",
    )
    (broken / "controls.yaml").write_text("header: {id: x}\ncontrols: []\n", encoding="utf-8")
    result = run("catalog", "check", broken)
    assert result.exit_code == 2
    assert "controls.yaml" in result.output and "header.kind" in result.output


def test_catalog_check_reports_unresolved_ids(tmp_path, catalog):
    broken = tmp_path / "cat"
    shutil.copytree(catalog.directory, broken)
    g = broken / "guideline.yaml"
    g.write_text(
        g.read_text(encoding="utf-8")
        .replace("fixed_by: [ctl.mfa]", "fixed_by: [ctl.nonsense]", 1)
        .replace("q.exposure.rdp_exposed, eq: true", "q.exposure.rdp_open, eq: true", 1),
        encoding="utf-8",
    )
    result = run("catalog", "check", broken)
    assert result.exit_code == 2
    assert "unknown control id 'ctl.nonsense'" in result.output
    assert "unknown question id 'q.exposure.rdp_open'" in result.output


def test_catalog_schema_export(tmp_path):
    result = run("catalog", "schema", tmp_path)
    assert result.exit_code == 0
    schema = json.loads((tmp_path / "questionnaire.schema.json").read_text())
    assert "questions" in schema["properties"]


def test_init_interactive_asks_in_order_rechecks_bad_input_and_writes_the_file(tmp_path):
    target = tmp_path / "asked.yaml"
    lines = [
        "Accountants B.V.",  # name
        "nl",  # country
        "6920",  # SBI code as on the KvK extract
        "professional_services",  # activities
        "sixty",  # employees: not a number, asked again
        "60",
        "6000000",  # turnover
        "2500000",  # balance sheet
        "8000",  # records
        "1000000",  # limit
        "5000",  # deductible
        "Accountants B.V., Utrecht",  # first question (legal entities)
    ]
    result = runner.invoke(app, ["init", str(target), "--interactive"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "Welcome to insurable" in result.output
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["nace_code"] == "69.20" and data["country"] == "NL" and data["employees"] == 60
    assert data["answers"] == {"q.org.legal_entities": "Accountants B.V., Utrecht"}
    assessed = run("assess", target, "--format", "json")
    assert assessed.exit_code == 0, assessed.output
    assert json.loads(assessed.output)["verdict"] == "incomplete"
