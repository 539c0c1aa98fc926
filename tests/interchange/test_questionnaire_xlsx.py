"""The organisation workbook: export, fill in, import; round trips, drop-downs, skip logic in words,
and every problem at once naming sheet and cell (CLI exit 2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from insurable.catalog.loader import Catalog
from insurable.cli import app
from insurable.errors import InputError
from insurable.intake import read_organisation
from insurable.interchange.questionnaire_xlsx import export_workbook, read_workbook
from insurable.profile import parse_organisation

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
MSP = ROOT / "examples" / "dutch-msp.yaml"
runner = CliRunner()


def _export(tmp_path: Path, catalog: Catalog, source: Path | None = MSP, lang: str = "en") -> Path:
    org = read_organisation(source, catalog) if source else None
    out = tmp_path / "org.xlsx"
    out.write_bytes(export_workbook(org, catalog, lang))  # type: ignore[arg-type]
    return out


def _row(sheet, qid: str) -> int:
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 2).value == qid:
            return row
    raise AssertionError(qid)


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_round_trips(tmp_path, catalog, example, lang):
    original = read_organisation(example, catalog)
    data = read_workbook(_export(tmp_path, catalog, example, lang), catalog)
    assert parse_organisation(data) == original


def test_group_and_nis2_flags_round_trip(tmp_path, catalog):
    data = yaml.safe_load(MSP.read_text(encoding="utf-8"))
    data["group"] = [
        {
            "relation": "partner",
            "share": 0.3,
            "name": "Partner B.V.",
            "employees": 10,
            "annual_turnover_eur": 1e6,
            "balance_sheet_total_eur": 5e5,
        },
        {
            "relation": "linked",
            "share": 0.2,
            "control": "board_majority",
            "employees": 40,
            "annual_turnover_eur": 2e6,
            "balance_sheet_total_eur": 1e6,
            "consolidated": True,
        },
    ]
    data["nis2_flags"] = {
        "eu_establishments": ["NL", "BE"],
        "cer_critical_entity": True,
        "public_administration": "regional",
    }
    source = tmp_path / "group.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    original = read_organisation(source, catalog)
    assert parse_organisation(read_workbook(_export(tmp_path, catalog, source, "nl"), catalog)) == original


def test_the_cli_round_trip_assesses_the_same(tmp_path):
    book, back = tmp_path / "msp.xlsx", tmp_path / "back.yaml"
    assert runner.invoke(app, ["export", "xlsx", str(MSP), "-o", str(book), "--lang", "nl"]).exit_code == 0
    result = runner.invoke(app, ["import", "xlsx", str(book), "-o", str(back)])
    assert result.exit_code == 0, result.output
    a = runner.invoke(app, ["assess", str(MSP), "--format", "json", "--no-plan"])
    b = runner.invoke(app, ["assess", str(back), "--format", "json", "--no-plan"])
    assert a.exit_code == b.exit_code == 0
    assert a.output.replace(str(MSP), "").count('"verdict"') == b.output.count('"verdict"')
    assert yaml.safe_load(a.output)["verdict"] == yaml.safe_load(b.output)["verdict"]
    assert yaml.safe_load(a.output)["premium"] == yaml.safe_load(b.output)["premium"]


def test_workbook_has_every_question_help_drop_downs_and_skip_logic(tmp_path, catalog):
    wb = load_workbook(_export(tmp_path, catalog, lang="nl"))
    sheet = wb["Answers"]
    ids = [sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)]
    assert ids == [q.id for q in catalog.questionnaire.questions]
    questions = catalog.questionnaire.by_id()
    row = _row(sheet, "q.mfa.remote_access")
    assert sheet.cell(row, 3).value == questions["q.mfa.remote_access"].text.nl
    assert sheet.cell(row, 8).value == questions["q.mfa.remote_access"].help.nl
    assert sheet.cell(row, 4).value == "nee"  # the MSP's answer, in Dutch
    lists = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    formula = lists[f"D{row}"]
    col = formula.split("$")[1]
    values = [c.value for c in wb["Lists"][col] if c.value is not None]
    assert values[:2] == ["ja", "nee"]
    choice = next(q for q in catalog.questionnaire.questions if q.type == "choice")
    crow = _row(sheet, choice.id)
    col = lists[f"D{crow}"].split("$")[1]
    assert [c.value for c in wb["Lists"][col] if c.value is not None] == list(choice.option_ids())
    skipped = next(q for q in catalog.questionnaire.questions if q.show_if is not None and q.show_if.q)
    text = sheet.cell(_row(sheet, skipped.id), 7).value
    assert skipped.show_if.q in text and text != "altijd"  # type: ignore[union-attr]
    assert sheet.cell(_row(sheet, catalog.questionnaire.questions[0].id), 7).value == "altijd"


def test_a_blank_workbook_reads_as_an_empty_organisation(tmp_path, catalog):
    data = read_workbook(_export(tmp_path, catalog, None), catalog)
    assert data == {"answers": {}}


def test_every_problem_at_once_with_sheet_and_cell(tmp_path, catalog):
    path = _export(tmp_path, catalog)
    wb = load_workbook(path)
    answers, profile = wb["Answers"], wb["Profile"]
    bool_row = _row(answers, "q.mfa.email")
    answers.cell(bool_row, 4).value = "maybe"
    choice = next(q for q in catalog.questionnaire.questions if q.type == "choice")
    choice_row = _row(answers, choice.id)
    answers.cell(choice_row, 4).value = "not-an-option"
    number_row = _row(answers, "q.org.revenue_us_ca_pct")
    answers.cell(number_row, 4).value = 150
    answers.cell(answers.max_row + 1, 2).value = "q.nope.nothing"
    answers.cell(answers.max_row, 4).value = "yes"
    country_row = next(r for r in range(2, profile.max_row + 1) if profile.cell(r, 1).value == "country")
    profile.cell(country_row, 2).value = "XX"
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_workbook(path, catalog)
    shown = [str(p) for p in caught.value.problems]
    assert len(shown) == 5, shown
    assert any(f"Answers!D{bool_row} (answers.q.mfa.email)" in s and "expected yes or no" in s for s in shown)
    assert any(f"Answers!D{choice_row} (answers.{choice.id})" in s and "expected one of" in s for s in shown)
    assert any(f"Answers!D{number_row}" in s and "above the maximum" in s for s in shown)
    assert any(f"Answers!B{answers.max_row}" in s and "unknown question id" in s for s in shown)
    assert any(f"Profile!B{country_row} (country)" in s for s in shown)
    result = runner.invoke(app, ["import", "xlsx", str(path)])
    assert result.exit_code == 2
    assert "Answers!D" in result.output and "Traceback" not in result.output


def test_dates_amounts_and_special_answers_are_read(tmp_path, catalog):
    path = _export(tmp_path, catalog, lang="nl")
    wb = load_workbook(path)
    answers = wb["Answers"]
    date_q = next(q for q in catalog.questionnaire.questions if q.type == "date")
    answers.cell(_row(answers, date_q.id), 4).value = dt.datetime(2027, 3, 1)
    money_q = next(q for q in catalog.questionnaire.questions if q.type == "money" and q.show_if is None)
    answers.cell(_row(answers, money_q.id), 4).value = "€ 8.000"
    special = next(q for q in catalog.questionnaire.questions if "unknown" in q.accepts)
    answers.cell(_row(answers, special.id), 4).value = "weet niet"
    wb.save(path)
    data = read_workbook(path, catalog)
    assert data["answers"][date_q.id] == dt.date(2027, 3, 1)
    assert data["answers"][money_q.id] == 8000
    assert data["answers"][special.id] == "unknown"


def test_not_a_workbook_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("hello", encoding="utf-8")
    result = runner.invoke(app, ["import", "xlsx", str(bad)])
    assert result.exit_code == 2
    assert "not an Excel .xlsx workbook" in result.output


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, catalog, monkeypatch):
    import insurable.interchange.questionnaire_xlsx as module

    path = _export(tmp_path, catalog)
    monkeypatch.setattr(module, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(InputError) as caught:
        read_workbook(path, catalog)
    assert "unpacks to more than" in str(caught.value)


def test_profile_amounts_as_text_are_read_in_the_workbook_language(tmp_path, catalog):
    path = _export(tmp_path, catalog, lang="nl")
    wb = load_workbook(path)
    profile = wb["Profile"]
    rows = {profile.cell(r, 1).value: r for r in range(2, profile.max_row + 1)}
    profile.cell(rows["annual_turnover_eur"], 2).value = "7,2 mln"
    profile.cell(rows["balance_sheet_total_eur"], 2).value = "veel"
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_workbook(path, catalog)
    assert [p.path for p in caught.value.problems] == [
        f"Profile!B{rows['balance_sheet_total_eur']} (balance_sheet_total_eur)"
    ]
    profile.cell(rows["balance_sheet_total_eur"], 2).value = 1_000_000
    wb.save(path)
    assert read_workbook(path, catalog)["annual_turnover_eur"] == 7_200_000
