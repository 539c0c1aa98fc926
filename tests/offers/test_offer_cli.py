"""``insurable offers check`` and ``offers compare`` end to end: golden comparisons of the example
offers (regenerate with INSURABLE_REGEN=1 when behaviour changes on purpose), the three formats in
both languages, and bad input (exit 2, every problem named)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from insurable.cli import app
from tests.offers.helpers import EXAMPLE_OFFERS, HOSPITAL, MSP, OFFERS, offer_data

runner = CliRunner()
CASES = Path(__file__).parent / "cases"
GOLDEN_TRIALS = "20000"

GOLDEN = {
    "msp-compare": ("compare", MSP, EXAMPLE_OFFERS),
    "hospital-compare": ("compare", HOSPITAL, [OFFERS / "specialist-cyber.yaml", OFFERS / "vendor-bundle.yaml"]),
    "hospital-check": ("check", HOSPITAL, EXAMPLE_OFFERS),
}


def run(*args: Any):
    return runner.invoke(app, [str(a) for a in args])


def close(a: Any, b: Any, path: str = "") -> list[str]:
    """Differences between two JSON values; floats to 1e-9 relative (numpy vs numba rounding)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}.{k}: only on one side" for k in set(a) ^ set(b)]
        for k in set(a) & set(b):
            out += close(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in close(x, y, f"{path}[{i}]")]
    if isinstance(a, float) or isinstance(b, float):
        ok = (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and math.isclose(a, b, rel_tol=1e-9, abs_tol=0.011)
        )
        return [] if ok else [f"{path}: {a!r} != {b!r}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden(name):
    command, org, offers = GOLDEN[name]
    extra = ["--trials", GOLDEN_TRIALS] if command == "compare" else []
    result = run("offers", command, org, *offers, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    got.pop("catalog_versions", None)
    path = CASES / f"{name}.expected.json"
    if os.environ.get("INSURABLE_REGEN"):
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    diffs = close(got, expected)
    assert not diffs, "\n".join(diffs[:20]) + "\n(regen: INSURABLE_REGEN=1 pytest tests/offers/test_offer_cli.py)"


@pytest.mark.parametrize("lang,word", [("nl", "Waarom deze rangorde"), ("en", "Why this order")])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_compare_formats(lang, word, fmt):
    result = run("offers", "compare", MSP, *EXAMPLE_OFFERS, "--trials", "3000", "--lang", lang, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert word in result.output
    assert "hanze-tower" in result.output.replace("\n", "")


@pytest.mark.parametrize("lang,word", [("nl", "niet in orde"), ("en", "not met")])
def test_check_formats(lang, word):
    result = run("offers", "check", MSP, OFFERS / "vendor-bundle.yaml", "--lang", lang, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert word in result.output
    assert "After any claim we may cancel" in result.output  # the clause as evidence


def test_bad_offers_exit_2_naming_every_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(offer_data(limit_eur="veel", premium={"net_eur": -1})), encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(offer_data(coverages=[{"coverage": "cov.nope"}])), encoding="utf-8")
    result = run("offers", "compare", MSP, bad, other, "--trials", "100")
    assert result.exit_code == 2
    assert "limit_eur" in result.output
    assert "premium.net_eur" in result.output
    assert "cov.nope" in result.output
    assert "Traceback" not in result.output


def test_bad_options_and_missing_file(tmp_path):
    result = run("offers", "compare", MSP, OFFERS / "vendor-bundle.yaml", "--trials", "0", "--seed", "-1")
    assert result.exit_code == 2
    assert "--trials" in result.output and "--seed" in result.output
    missing = run("offers", "check", MSP, tmp_path / "nowhere.yaml")
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output
