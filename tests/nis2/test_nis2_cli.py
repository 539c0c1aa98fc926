"""``insurable nis2`` end to end: text, markdown and JSON in nl and en, and exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from insurable.cli import app

runner = CliRunner()
HERE = Path(__file__).parent
MSP = HERE / "msp_group.yaml"
BAD: list[dict[str, Any]] = yaml.safe_load((HERE / "bad_inputs.yaml").read_text("utf-8"))["bad"]
JSON_FIELDS = {
    "classification",
    "size_category",
    "legal_basis",
    "duties",
    "fine_cap_eur",
    "headcount_used",
    "turnover_used_eur",
    "balance_sheet_used_eur",
}


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_json_has_the_issue_fields():
    result = run("nis2", MSP, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= JSON_FIELDS
    assert data["classification"] == "important"
    assert data["size_category"] == "medium"
    assert data["headcount_used"] == pytest.approx(56)
    assert data["turnover_used_eur"] == pytest.approx(10_500_000)
    assert data["balance_sheet_used_eur"] == pytest.approx(13_600_000)
    assert data["fine_cap_eur"] == pytest.approx(7_000_000)
    assert "Art. 3(2)" in data["legal_basis"]
    assert {"art20.approve", "art21.2.j", "art23.EW24", "art33.supervision_ex_post"} <= set(data["duties"])
    assert "ctl.mfa" in data["legally_required_controls"]
    assert all(n["tag"] in "VSUD" for n in data["notes"])
    details = {d["id"]: d for d in data["duty_details"]}
    assert details["art23.EW24"]["deadline_hours"] == 24
    assert "ctl.incident_response" in details["art21.2.b"]["controls"]


def test_json_out_of_scope_has_null_fine(tmp_path: Path):
    path = write(tmp_path, {"employees": 5, "annual_turnover_eur": 1e6, "balance_sheet_total_eur": 1e6})
    data = json.loads(run("nis2", path, "--format", "json").stdout)
    assert data["classification"] == "out_of_scope"
    assert data["fine_cap_eur"] is None
    assert data["duties"] == []
    assert data["legally_required_controls"] == []


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["important entity", "medium-sized", "Legal basis", "[U]", "[S]"]),
        ("nl", ["belangrijke entiteit", "middelgroot", "Rechtsgrond", "[U]", "op eigen cijfers: klein"]),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_and_markdown_in_both_languages(lang: str, words: list[str], fmt: str):
    result = run("nis2", MSP, "--lang", lang, "--format", fmt)
    assert result.exit_code == 0, result.output
    for word in words:
        assert word in result.output
    # amounts grouped the way each language does (the nl output used to print 7,000,000)
    assert ("EUR 7.000.000" if lang == "nl" else "EUR 7,000,000") in result.output


def test_json_texts_follow_lang():
    data = json.loads(run("nis2", MSP, "--format", "json", "--lang", "nl").stdout)
    assert data["entity_types"][0]["name"] == "Aanbieders van beheerde diensten"


@pytest.mark.parametrize("case", BAD, ids=lambda c: c["id"])
def test_bad_input_exits_2_naming_every_field(case: dict[str, Any], tmp_path: Path):
    path = write(tmp_path, case["org"])
    result = run("nis2", path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for field in case["paths"]:
        assert f": {field}: " in result.output, field
    for word in case.get("words", []):
        assert word in result.output


def test_missing_file_and_bad_yaml_exit_2(tmp_path: Path):
    assert run("nis2", tmp_path / "absent.yaml").exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("employees: [1,\n", encoding="utf-8")
    result = run("nis2", bad)
    assert result.exit_code == 2
    assert "malformed YAML" in result.output


def test_unknown_catalogue_directory_exits_2(tmp_path: Path):
    result = run("nis2", MSP, "--catalog", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "catalogue directory not found" in result.output


HOSPITAL_GROUP = {
    "country": "NL",
    "employees": 9000,
    "annual_turnover_eur": 3_100_000_000,
    "balance_sheet_total_eur": 2_000_000_000,
    "nis2_entity_types": ["A1.5.0.1"],
}


def test_dutch_amounts_are_grouped_the_dutch_way(tmp_path: Path):
    path = write(tmp_path, HOSPITAL_GROUP)
    nl = run("nis2", path, "--lang", "nl", "--format", "markdown")
    assert nl.exit_code == 0, nl.output
    assert "EUR 62.000.000" in nl.stdout and "EUR 3.100.000.000" in nl.stdout
    assert "personeel 9.000 JAE" in nl.stdout
    assert "62,000,000" not in nl.stdout
    en = run("nis2", path, "--format", "markdown")
    assert "EUR 62,000,000" in en.stdout
    assert "Art. 21 / Art. 23" in en.stdout and "Art. 36" in en.stdout


def test_dora_bank_json_and_text(tmp_path: Path):
    path = write(tmp_path, {**HOSPITAL_GROUP, "nis2_entity_types": ["A1.3.0.1"]})
    result = run("nis2", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["classification"] == "essential" and data["in_scope"] is True
    assert data["lex_specialis"] == "lex.dora"
    assert data["fine_cap_eur"] is None and data["fine_article"] is None
    assert "art21.2.a" not in data["duties"] and "art21.2.a" in data["displaced_duties"]
    assert "ctl.mfa" in data["legally_required_controls"]  # required, under DORA
    text = run("nis2", path, "--format", "markdown").stdout
    assert "no NIS2 fine ceiling" in text and "Regulation (EU) 2022/2554 (DORA)" in text
    assert "Maximum fine at least" not in text


def test_not_assessed_and_registrar_outcomes(tmp_path: Path):
    us = write(tmp_path, {**HOSPITAL_GROUP, "country": "US"})
    data = json.loads(run("nis2", us, "--format", "json").stdout)
    assert data["classification"] == "not_assessed" and data["provisional_classification"] == "essential"
    assert data["in_scope"] is False and data["legally_required_controls"] == [] and data["fine_cap_eur"] is None
    text = run("nis2", us, "--format", "markdown", "--lang", "nl").stdout
    assert "niet beoordeeld" in text and "voorlopig" in text
    registrar = tmp_path / "registrar.yaml"
    registrar.write_text(
        yaml.safe_dump(
            {
                "country": "NL",
                "employees": 2,
                "annual_turnover_eur": 1e5,
                "balance_sheet_total_eur": 1e5,
                "nis2_flags": {"domain_registration": "registrar"},
            }
        ),
        encoding="utf-8",
    )
    data = json.loads(run("nis2", registrar, "--format", "json").stdout)
    assert data["classification"] == "in_scope_neither" and data["in_scope"] is True
    assert data["legally_required_controls"] == [] and "art28.domain_data" in data["duties"]
    assert "neither essential nor important" in run("nis2", registrar, "--format", "markdown").stdout
