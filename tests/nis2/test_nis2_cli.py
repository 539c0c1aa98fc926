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
    assert "EUR 7,000,000" in result.output


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
