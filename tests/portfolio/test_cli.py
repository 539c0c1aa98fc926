"""``insurable portfolio``: generate, run (text, JSON, CSV, Parquet), export; bad input exits 2."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from insurable.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("book") / "clients"
    result = runner.invoke(app, ["portfolio", "generate", "30", "--out", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.output
    return out


def test_run_json_csv_and_parquet(clients: Path, tmp_path: Path) -> None:
    args = ["portfolio", "run", str(clients), "--years", "4000", "--format", "json"]
    result = runner.invoke(app, [*args, "--csv", str(tmp_path / "csv"), "--ylt", str(tmp_path / "ylt.parquet")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["insureds"] == 30 and data["years"] == 4000 and data["indicative"] is True
    assert {s["id"] for s in data["scenarios"]} >= {"own", "sys.msp_compromise", "sys.cloud_outage"}
    assert sum(s["tvar"] for s in data["scenarios"]) == pytest.approx(data["tvar"], rel=1e-9)
    assert data["single_points_of_failure"] and data["concentration"]
    with (tmp_path / "csv" / "insureds.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30
    assert sum(float(r["tvar_200_contribution"]) for r in rows) == pytest.approx(data["tvar"], rel=1e-9)
    for name in ("ep.csv", "scenarios.csv", "concentration.csv", "single_points_of_failure.csv"):
        assert (tmp_path / "csv" / name).stat().st_size > 0
    import pyarrow.parquet as pq

    assert pq.read_metadata(tmp_path / "ylt.parquet").num_rows == 4000
    # same seed, same numbers
    again = runner.invoke(app, args)
    assert json.loads(again.stdout)["tvar"] == data["tvar"]


def test_run_text(clients: Path) -> None:
    result = runner.invoke(app, ["portfolio", "run", str(clients), "--years", "2000", "--no-contributions"])
    assert result.exit_code == 0, result.output
    assert "Vendor concentration" in result.output and "Single points of failure" in result.output


def test_export_then_run_the_oed_pair(clients: Path, tmp_path: Path) -> None:
    loc, acc = tmp_path / "loc.csv", tmp_path / "acc.csv"
    export = ["portfolio", "export", str(clients), "--location", str(loc), "--account-out", str(acc)]
    result = runner.invoke(app, export)
    assert result.exit_code == 0, result.output
    a = runner.invoke(app, ["portfolio", "run", str(clients), "--years", "2000", "--format", "json"])
    b = runner.invoke(app, ["portfolio", "run", str(loc), "--account", str(acc), "--years", "2000", "--format", "json"])
    assert b.exit_code == 0, b.output
    assert json.loads(a.stdout)["tvar"] == json.loads(b.stdout)["tvar"]


def test_bad_input_exits_2_naming_every_problem(clients: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["portfolio", "run", str(clients), "--years", "0", "--block-years", "0", "--return-period", "1"]
    )
    assert result.exit_code == 2
    for field in ("--years", "--block-years", "--return-period"):
        assert field in result.output
    missing = runner.invoke(app, ["portfolio", "run", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    unknown = runner.invoke(app, ["portfolio", "run", str(clients), "--years", "100", "--scenario", "sys.nope"])
    assert unknown.exit_code == 2 and "sys.nope" in unknown.output
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.yaml").write_text("name: A\nannual_turnover_eur: -5\n", encoding="utf-8")
    result = runner.invoke(app, ["portfolio", "run", str(bad), "--years", "100"])
    assert result.exit_code == 2 and "annual_turnover_eur" in result.output
    assert "Traceback" not in result.output


def test_run_text_in_dutch_and_english(clients: Path) -> None:
    args = ["portfolio", "run", str(clients), "--years", "3000", "--top", "3", "--seed", "9"]
    en = runner.invoke(app, args)
    nl = runner.invoke(app, [*args, "--lang", "nl"])
    assert en.exit_code == 0 and nl.exit_code == 0, (en.output, nl.output)
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    aal = round(data["aal_net"])
    assert f"net EUR {aal:,}" in en.stdout and "Vendor concentration" in en.stdout
    assert f"netto EUR {aal:,}".replace(",", ".") in nl.stdout  # 1.234.567, as Dutch is written
    for dutch in ("Portefeuille", "verzekerden", "Overschrijding (netto, EUR)", "Concentratie per leverancier"):
        assert dutch in nl.stdout, dutch
    assert "Vendor concentration" not in nl.stdout and "insureds" not in nl.stdout
    assert all(len(line) <= 80 for line in nl.stdout.splitlines()[:3])


def test_errors_and_the_other_commands_speak_dutch(clients: Path, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["portfolio", "run", str(clients), "--years", "0", "--seed", "-1", "--lang", "nl"])
    assert bad.exit_code == 2
    assert "--years: moet tussen 1 en 100.000.000 liggen" in bad.output
    assert "--seed: moet een geheel getal van 0 of meer zijn" in bad.output
    gen = runner.invoke(app, ["portfolio", "generate", "2", "--out", str(tmp_path / "g"), "--lang", "nl"])
    assert gen.exit_code == 0 and "2 fictieve klanten geschreven naar" in gen.stdout
    args = ["--location", str(tmp_path / "l.csv"), "--account-out", str(tmp_path / "a.csv"), "--lang", "nl"]
    exp = runner.invoke(app, ["portfolio", "export", str(tmp_path / "g"), *args])
    assert exp.exit_code == 0 and "2 verzekerden geschreven naar" in exp.stdout
