"""The stored form of a portfolio report (issue 17): report -> JSON -> report is the same report, a
damaged stored report is an error naming the field, and the CSV tables have the columns (and, for
the same run, the rows) that ``insurable portfolio run --csv`` writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from insurable.errors import InputError
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.pipeline import Analysis, analyse, write_csv
from insurable.portfolio.report_io import CSV_TABLES, FORMAT, csv_rows, report_from_json, report_to_json
from tests.portfolio.helpers import plain_insured


@pytest.fixture(scope="module")
def analysis(systemic: SystemicFile) -> Analysis:
    vendors = ["aws", "aws", "azure", None, "aws", "azure"]
    book = [plain_insured(i, frequency=0.3, vendor=v, limit_eur=250_000.0) for i, v in enumerate(vendors)]
    return analyse(book, systemic, years=1_000, seed=7, threads=1, top=len(book))


def test_report_json_report_is_the_same_report(analysis: Analysis) -> None:
    rep = analysis.report
    assert rep.curve and rep.scenarios and rep.insureds_top and rep.single_points_of_failure  # a full report
    stored = json.loads(json.dumps(report_to_json(rep)))  # through text, as the database keeps it
    assert stored["format"] == FORMAT
    back = report_from_json(stored)
    assert back == rep
    assert back.curve[0].aep == rep.curve[0].aep and isinstance(back.curve, tuple)


def test_a_damaged_stored_report_names_every_bad_field(analysis: Analysis) -> None:
    stored = json.loads(json.dumps(report_to_json(analysis.report)))
    stored["report"]["years"] = "many"
    del stored["report"]["pml"]
    with pytest.raises(InputError) as caught:
        report_from_json(stored)
    assert {p.path for p in caught.value.problems} == {"report.years", "report.pml"}
    with pytest.raises(InputError, match="format"):
        report_from_json({**stored, "format": FORMAT + 1})
    with pytest.raises(InputError, match="format"):
        report_from_json([1, 2])


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _as_text(rows: list[list[object]]) -> list[list[str]]:
    out = []
    for row in rows:
        out.append(["" if v is None else str(v) for v in row])
    return out


def test_csv_tables_match_the_cli_files(analysis: Analysis, tmp_path: Path) -> None:
    write_csv(analysis, tmp_path)
    rep = report_from_json(json.loads(json.dumps(report_to_json(analysis.report))))
    names = {f"i{i:03d}": f"Klant {i}" for i in range(6)}
    for table in CSV_TABLES:
        cli = _read(tmp_path / f"{table}.csv")
        ours = _as_text(csv_rows(rep, table, names))
        assert ours[0] == cli[0], table  # the same columns
        if table == "insureds":
            # every insured (the web keeps them all), largest contribution first instead of book order;
            # the name column is the organisation's name as stored with the run
            assert sorted(r[:1] + r[2:] for r in ours[1:]) == sorted(r[:1] + r[2:] for r in cli[1:])
            assert {r[1] for r in ours[1:]} == set(names.values())
        else:
            assert ours == cli, table
    with pytest.raises(InputError, match="table"):
        csv_rows(rep, "secrets")
