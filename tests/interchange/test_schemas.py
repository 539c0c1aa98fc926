"""The published JSON Schemas: one registry, every file in schemas/ generated from it and current,
each a valid JSON Schema, and the example organisation files valid against theirs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from insurable.catalog.loader import FILE_MODELS
from insurable.interchange.schemas import SCHEMAS, published

ROOT = Path(__file__).resolve().parents[2]


def test_schemas_folder_is_exactly_the_registry():
    on_disk = {f"schemas/{p.name}" for p in (ROOT / "schemas").glob("*.schema.json")}
    assert on_disk == set(published())
    assert {f"schemas/{n.removesuffix('.yaml')}.schema.json" for n in FILE_MODELS} <= on_disk
    assert {f"schemas/{s.name}.schema.json" for s in SCHEMAS} <= on_disk


@pytest.mark.parametrize("rel", sorted(published()))
def test_each_published_schema_is_current_and_valid(rel):
    text = published()[rel]()
    assert (ROOT / rel).read_text(encoding="utf-8") == text, f"{rel} is stale: run `make docs`"
    schema = json.loads(text)
    jsonschema.validators.validator_for(schema).check_schema(schema)


def _json_ready(value):
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_validate_against_the_organisation_schema(example):
    schema = json.loads((ROOT / "schemas" / "organisation.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(_json_ready(yaml.safe_load(example.read_text(encoding="utf-8"))), schema)


def test_the_organisation_schema_rejects_a_wrong_field():
    schema = json.loads((ROOT / "schemas" / "organisation.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "colour": "blue"}, schema)


def test_interchange_commands_are_documented():
    cli = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    guide = (ROOT / "docs" / "interchange.md").read_text(encoding="utf-8")
    for command in (
        "insurable export xlsx",
        "insurable import xlsx",
        "insurable catalog to-xlsx",
        "insurable catalog from-xlsx",
        "insurable export oscal",
        "insurable export ciso-assistant",
    ):
        assert f"`{command}`" in cli, command
        assert command in guide, command
    for schema in SCHEMAS:
        assert schema.name in guide or schema.title in guide or schema.name == "simulate"


def test_cli_exports_every_schema(tmp_path):
    from typer.testing import CliRunner

    from insurable.cli import app

    result = CliRunner().invoke(app, ["export", "schemas", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(Path(rel).name for rel in published())
    assert (tmp_path / "organisation.schema.json").read_text(encoding="utf-8") == (
        ROOT / "schemas" / "organisation.schema.json"
    ).read_text(encoding="utf-8")
