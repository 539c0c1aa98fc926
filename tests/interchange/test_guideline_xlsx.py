"""An insurer's guideline as a workbook: the default round-trips unchanged, the layout follows the
model (a new field appears without code), and a broken workbook names every bad cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel
from typer.testing import CliRunner

from insurable.catalog.guideline import GuidelineFile
from insurable.catalog.loader import collect_catalog
from insurable.cli import app
from insurable.errors import InputError
from insurable.interchange.guideline_xlsx import (
    columns,
    guideline_workbook,
    guideline_yaml,
    layout,
    read_guideline_workbook,
)

runner = CliRunner()


def _book(tmp_path: Path, catalog) -> Path:
    path = tmp_path / "guideline.xlsx"
    path.write_bytes(guideline_workbook(catalog.guideline))
    return path


def test_the_default_guideline_round_trips_unchanged(tmp_path, catalog):
    assert read_guideline_workbook(_book(tmp_path, catalog)) == catalog.guideline


def test_the_cli_writes_a_directory_that_catalog_check_accepts(tmp_path, catalog):
    book, out = tmp_path / "g.xlsx", tmp_path / "mine"
    assert runner.invoke(app, ["catalog", "to-xlsx", str(book)]).exit_code == 0
    result = runner.invoke(app, ["catalog", "from-xlsx", str(book), str(out)])
    assert result.exit_code == 0, result.output
    check = runner.invoke(app, ["catalog", "check", "--guideline", str(out)])
    assert check.exit_code == 0, check.output
    loaded, problems = collect_catalog(None, out)
    assert not problems
    assert loaded.guideline == catalog.guideline


def test_an_edited_rate_is_read_and_assessed(tmp_path, catalog):
    path = _book(tmp_path, catalog)
    wb = load_workbook(path)
    ws = wb["guideline"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "rating.base_premium_eur")
    ws.cell(row, 2).value = catalog.guideline.rating.base_premium_eur + 500
    wb.save(path)
    model = read_guideline_workbook(path)
    assert model.rating.base_premium_eur == catalog.guideline.rating.base_premium_eur + 500
    assert "base_premium_eur" in guideline_yaml(model, "x.xlsx")


def _leaves(model: type[BaseModel], prefix: str = "") -> set[str]:
    return {prefix + (info.alias or name) for name, info in model.model_fields.items()}


def test_the_layout_covers_every_field_of_the_model():
    plan = layout()
    covered = {".".join(p) for p, _ in plan.values} | set(plan.sheets)
    for sheet, (_, item) in plan.sheets.items():
        covered |= {f"{sheet}[]." + ".".join(c.path) for c in columns(item)}
    tops = _leaves(GuidelineFile)
    for top in tops:
        assert any(c == top or c.startswith(top + ".") for c in covered), top
    rule_cols = {".".join(c.path) for c in columns(plan.sheets["rules"][1])}
    from insurable.catalog.guideline import Rule

    for name, info in Rule.model_fields.items():
        key = info.alias or name
        assert key in rule_cols or f"{key}.en" in rule_cols, key


def test_every_bad_cell_is_named(tmp_path, catalog):
    path = _book(tmp_path, catalog)
    wb = load_workbook(path)
    hazard = wb["hazard_classes"]
    heads = {hazard.cell(1, c).value: c for c in range(1, hazard.max_column + 1)}
    hazard.cell(2, heads["factor"]).value = -1
    rules = wb["rules"]
    rheads = {rules.cell(1, c).value: c for c in range(1, rules.max_column + 1)}
    rules.cell(3, rheads["when"]).value = "{q: [unclosed"
    rules.cell(1, rules.max_column + 1).value = "colour"
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_guideline_workbook(path)
    shown = [str(p) for p in caught.value.problems]
    assert any("rules!C3" in s or f"rules!{_col(rheads['when'])}3" in s for s in shown), shown
    assert any("unknown column 'colour'" in s for s in shown), shown
    result = runner.invoke(app, ["catalog", "from-xlsx", str(path), str(tmp_path / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    # With the YAML and column fixed, the model check names the factor's cell.
    wb = load_workbook(path)
    wb["rules"].cell(3, rheads["when"]).value = "{always: true}"
    wb["rules"].cell(1, wb["rules"].max_column).value = None
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_guideline_workbook(path)
    assert any(
        f"hazard_classes!{_col(heads['factor'])}2 (hazard_classes[0].factor)" in str(p) for p in caught.value.problems
    )


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def test_a_missing_sheet_is_a_problem_not_an_empty_list(tmp_path, catalog):
    path = _book(tmp_path, catalog)
    wb = load_workbook(path)
    del wb["classification"]
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_guideline_workbook(path)
    assert [p.path for p in caught.value.problems] == ["classification"]
