"""The CISO Assistant library: valid against the format's structure (schemas/ciso-assistant-library),
every urn it points at exists in the library or in CISO Assistant's ISO/IEC 27001:2022 framework."""

from __future__ import annotations

import jsonschema
import yaml
from typer.testing import CliRunner

from insurable.cli import app
from insurable.interchange.ciso_assistant import ISO_NODE_URN, control_urn, iso_node, library, library_yaml
from insurable.interchange.ciso_schema import library_schema


def test_the_library_matches_the_format(catalog):
    for lang in ("en", "nl"):
        document = yaml.safe_load(library_yaml(catalog, lang))
        jsonschema.Draft202012Validator(library_schema()).validate(document)
        assert document["locale"] == lang


def test_nodes_controls_and_mappings_resolve(catalog):
    document = library(catalog)
    objects = document["objects"]
    nodes = objects["framework"]["requirement_nodes"]
    by_urn = {n["urn"]: n for n in nodes}
    assert len(by_urn) == len(nodes)
    controls = {c["urn"] for c in objects["reference_controls"]}
    assert controls == {control_urn(c.id) for c in catalog.controls.controls}
    for node in nodes:
        if "parent_urn" in node:
            assert by_urn[node["parent_urn"]]["depth"] == node["depth"] - 1
        assert set(node.get("reference_controls", ())) <= controls
    asked = [n["ref_id"] for n in nodes if n["assessable"]]
    assert sorted(asked) == sorted(q.id for q in catalog.questionnaire.questions)
    mfa = by_urn[f"{nodes[0]['urn'].rsplit(':', 1)[0]}:q.mfa.remote_access"]
    question = next(iter(mfa["questions"].values()))
    assert question["type"] == "unique_choice" and [c["value"] for c in question["choices"]][:2] == ["Yes", "No"]
    assert control_urn("ctl.mfa") in mfa["reference_controls"]
    mappings = objects["requirement_mapping_sets"][0]["requirement_mappings"]
    assert mappings and all(m["source_requirement_urn"] in by_urn for m in mappings)
    assert all(m["target_requirement_urn"].startswith(ISO_NODE_URN + ":") for m in mappings)


def test_iso_refs_become_ciso_assistant_node_urns():
    assert iso_node("A.5.17") == f"{ISO_NODE_URN}:a.5.17"
    assert iso_node("clause 6.1") == f"{ISO_NODE_URN}:6.1"
    assert iso_node("Annex whatever") is None


def test_the_schema_rejects_a_broken_library(catalog):
    document = library(catalog)
    document["objects"]["framework"]["requirement_nodes"][0]["depth"] = 0
    assert list(jsonschema.Draft202012Validator(library_schema()).iter_errors(document))


def test_cli_writes_the_library(tmp_path):
    out = tmp_path / "lib.yaml"
    result = CliRunner().invoke(app, ["export", "ciso-assistant", "--lang", "nl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["locale"] == "nl"
