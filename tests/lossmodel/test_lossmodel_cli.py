"""``insurable simulate``: JSON fields, scenario files, the SVG chart, exit code 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from insurable.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

SCENARIO = """\
trials: 5000
seed: 42
perils:
  - id: ransomware
    frequency: {distribution: poisson, mean: 0.3}
    severity: {distribution: lognormal, median: 100000, sigma: 1.6}
  - id: fraud
    frequency: {distribution: negative_binomial, mean: 0.2, variance_to_mean: 2}
    severity: {distribution: lognormal, quantiles: [[0.05, 10000], [0.95, 500000]]}
    split: {cov.financial_fraud: 1.0}
  - id: peril.data_breach
terms: {deductible: 25000, limit: 1000000, aggregate_limit: 2000000, sublimits: {cov.financial_fraud: 100000}}
"""


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_scenario_json_has_the_documented_fields(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    result = _run("simulate", "--scenario", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["trials"] == 5000 and data["seed"] == 42
    for key in ("mean_annual_loss", "std_annual_loss", "quantiles", "insured", "retained", "by_peril"):
        assert key in data
    for part in ("insured", "retained"):
        assert {"mean", "quantiles"} <= set(data[part])
    assert set(data["by_peril"]) == {"ransomware", "fraud", "peril.data_breach"}
    assert data["insured"]["mean"] + data["retained"]["mean"] == pytest.approx(data["mean_annual_loss"])
    again = json.loads(_run("simulate", "--scenario", str(path), "--format", "json").stdout)
    assert again == data


def test_trials_and_seed_options_override_the_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    data = json.loads(
        _run("simulate", "--scenario", str(path), "--format", "json", "--trials", "300", "--seed", "1").stdout
    )
    assert (data["trials"], data["seed"]) == (300, 1)


def test_organisation_text_and_chart(tmp_path):
    chart = tmp_path / "lec.svg"
    result = _run("simulate", str(ROOT / "examples" / "dutch-msp.yaml"), "--trials", "3000", "--chart", str(chart))
    assert result.exit_code == 0, result.output
    assert "Technical premium" in result.stdout
    svg = chart.read_text()
    assert svg.startswith("<svg") and "polyline" in svg


def test_organisation_json(tmp_path):
    result = _run("simulate", str(ROOT / "examples" / "dutch-msp.yaml"), "--trials", "3000", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["deductible_options"] and data["limit_needed"] and data["tower"] and data["technical_premium"]
    assert "premium_comparison" in data


BAD = [
    ("severity: {distribution: lognormal, median: -5, sigma: 1}", "perils[0].severity.median"),
    ("severity: {distribution: lognormal, median: 1000, sigma: 0}", "perils[0].severity.sigma"),
    ("severity: {distribution: lognormal, quantiles: [[0.95, 500], [0.05, 10]]}", "perils[0].severity"),
    ("severity: {distribution: lognormal, quantiles: [[0.05, 500], [0.95, 10]]}", "perils[0].severity"),
    ("severity: {distribution: gamma, median: 1000, sigma: 1}", "perils[0].severity.distribution"),
]


@pytest.mark.parametrize(("severity", "field"), BAD)
def test_bad_severity_exits_2_naming_the_field(tmp_path, severity, field):
    path = tmp_path / "bad.yaml"
    path.write_text(f"trials: 100\nperils:\n  - id: x\n    frequency: {{mean: 0.1}}\n    {severity}\n")
    result = _run("simulate", "--scenario", str(path))
    assert result.exit_code == 2
    assert field in result.output


def test_unknown_peril_and_coverage_and_bad_trials(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "trials: 0\nperils:\n  - id: peril.nope\n  - id: y\n    frequency: {mean: 0.1}\n"
        "    severity: {median: 1000, sigma: 1}\n    split: {cov.nope: 1.0}\n"
    )
    result = _run("simulate", "--scenario", str(path))
    assert result.exit_code == 2
    assert "trials" in result.output
    path.write_text(
        "perils:\n  - id: peril.nope\n  - id: y\n    frequency: {mean: 0.1}\n"
        "    severity: {median: 1000, sigma: 1}\n    split: {cov.nope: 1.0}\n"
    )
    result = _run("simulate", "--scenario", str(path))
    assert result.exit_code == 2
    assert "unknown peril 'peril.nope'" in result.output
    assert "unknown coverage id 'cov.nope'" in result.output


def test_cli_argument_errors_exit_2(tmp_path):
    assert _run("simulate").exit_code == 2
    result = _run("simulate", str(ROOT / "examples" / "dutch-msp.yaml"), "--trials", "0")
    assert result.exit_code == 2 and "--trials" in result.output
    assert _run("simulate", str(tmp_path / "missing.yaml")).exit_code == 2


def test_simulate_json_contract_keeps_the_documented_keys():
    """The documented contract (schemas/simulate.schema.json, format_version 2)."""
    from insurable.lossmodel.report import FORMAT_VERSION, LossReport

    result = _run("simulate", str(ROOT / "examples" / "saas-provider.yaml"), "--trials", "20000", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format_version"] == FORMAT_VERSION == 2
    assert {"mean_annual_loss", "insured", "retained", "by_peril", "exceedance_curve", "limit_options"} <= set(data)
    assert all("frequency" in p for p in data["by_peril"].values())
    assert {"return_period", "probability", "loss"} <= set(data["exceedance_curve"][0])
    assert {"limit", "insured_mean", "probability_exhausted"} <= set(data["limit_options"][0])
    assert data["limit_needed"]["limit"] > 0 and data["limit_needed"]["method"]["en"]
    assert data["technical_premium"]["premium"] > 0
    assert data["premium_comparison"]["ratio_technical_to_factor"] > 0
    assert data["premium_comparison"]["reasons"]
    assert LossReport.model_validate(data).format_version == 2
    schema = json.loads((ROOT / "schemas" / "simulate.schema.json").read_text())
    assert {"format_version", "mean_annual_loss", "premium_comparison", "limit_needed"} <= set(schema["properties"])


def test_progress_bar_only_for_long_text_runs_on_a_terminal(monkeypatch):
    from insurable.cli import simulate_cmd

    with simulate_cmd.simulation_progress(10_000_000, enabled=True) as update:
        assert update is None  # stderr is not a terminal under the test runner
    monkeypatch.setattr(type(simulate_cmd.err_console), "is_terminal", property(lambda self: True))
    with simulate_cmd.simulation_progress(1_000, enabled=True) as update:
        assert update is None  # short runs: no bar
    with simulate_cmd.simulation_progress(10_000_000, enabled=False) as update:
        assert update is None  # --format json: no bar
    with simulate_cmd.simulation_progress(10_000_000, enabled=True) as update:
        assert update is not None
        update(5_000_000, 10_000_000)
        update(10_000_000, 10_000_000)
