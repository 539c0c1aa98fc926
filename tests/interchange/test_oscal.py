"""OSCAL catalog and assessment-results, validated against NIST's OSCAL 1.0.4 JSON Schemas
(packaged copies in this folder; no network)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from insurable.assessment import assess
from insurable.cli import app
from insurable.intake import read_organisation
from insurable.interchange.oscal import OSCAL_VERSION, assessment_results_document, catalog_document
from insurable.profile import ASSESSMENT_FIELDS

HERE = Path(__file__).resolve().parent / "oscal"
ROOT = Path(__file__).resolve().parents[2]
MSP = ROOT / "examples" / "dutch-msp.yaml"


def _schema(name: str) -> dict:
    # NIST's patterns use \p{L} and \p{N} (Unicode letters and digits), which Python's re lacks; these
    # are their exact re equivalents ([^\W\d_] is a Unicode letter, \d a Unicode decimal digit).
    text = (HERE / name).read_text(encoding="utf-8")
    text = text.replace("\\\\p{L}", "[^\\\\W\\\\d_]").replace("\\\\p{N}", "\\\\d")
    return json.loads(text)


def _validate(document: dict, schema_file: str) -> None:
    schema = _schema(schema_file)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_the_controls_catalogue_is_a_valid_oscal_catalog(catalog):
    document = catalog_document(catalog)
    _validate(document, "oscal_catalog_schema.json")
    controls = document["catalog"]["controls"]
    assert [c["id"] for c in controls] == [c.id for c in catalog.controls.controls]
    assert document["catalog"]["metadata"]["oscal-version"] == OSCAL_VERSION
    mfa = next(c for c in controls if c["id"] == "ctl.mfa")
    assert {"name": "label", "value": catalog.controls.controls[0].ref} in controls[0]["props"]
    assert any(p["name"] == "iso27001-2022" for p in mfa["props"])
    resources = {r["uuid"] for r in document["catalog"]["back-matter"]["resources"]}
    assert all(link["href"][1:] in resources for c in controls for link in c["links"])


def test_an_assessment_is_valid_oscal_assessment_results(catalog):
    org = read_organisation(MSP, catalog, ASSESSMENT_FIELDS)
    result = assess(org, catalog, with_plan=False, loss_trials=None)
    document = assessment_results_document(org, result, catalog, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    _validate(document, "oscal_assessment-results_schema.json")
    findings = document["assessment-results"]["results"][0]["findings"]
    states = {f["target"]["target-id"]: f["target"]["status"]["state"] for f in findings}
    for status in result.controls:
        expected = "satisfied" if status.status in ("in_place", "not_applicable") else "not-satisfied"
        assert states[status.control_id] == expected
    assert states["ctl.mfa"] == "not-satisfied"  # the MSP has no MFA on remote access
    props = document["assessment-results"]["results"][0]["props"]
    assert {"name": "verdict", "value": result.verdict, "ns": props[0]["ns"]} in props


def test_the_schema_check_can_fail(catalog):
    document = catalog_document(catalog)
    del document["catalog"]["metadata"]["oscal-version"]
    with pytest.raises(AssertionError):
        _validate(document, "oscal_catalog_schema.json")


@pytest.mark.parametrize("kind", ["catalog", "assessment-results"])
def test_cli_writes_oscal_json(tmp_path, kind):
    out = tmp_path / "oscal.json"
    args = ["export", "oscal", kind, *([str(MSP)] if kind != "catalog" else []), "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    _validate(document, f"oscal_{kind}_schema.json")


def test_assessment_results_without_an_organisation_is_exit_2():
    result = CliRunner().invoke(app, ["export", "oscal", "assessment-results"])
    assert result.exit_code == 2
