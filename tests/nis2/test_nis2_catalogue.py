"""The NIS2 catalogue: Annex ids, flags per type, and the reference checks that guard it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from insurable.catalog import Catalog, collect_catalog, default_directory
from insurable.catalog.controls import ControlsFile
from insurable.nis2 import Nis2File, classify, legally_required_controls, nis2_catalogue
from insurable.nis2.checks import check_nis2
from insurable.profile import parse_organisation

#: The reference's §1.4 ids, by annex: 53 Annex I and 14 Annex II types.
EXPECTED_COUNTS = {"I": 53, "II": 14}


@pytest.fixture(scope="module")
def nis2(catalog: Catalog) -> Nis2File:
    return nis2_catalogue(catalog)


def test_annex_ids_match_the_reference(nis2: Nis2File):
    reference = Path("/work/shared/domain/REFERENCE.md")
    ids = [t.id for t in nis2.entity_types]
    assert len(ids) == len(set(ids))
    assert {a: sum(t.annex == a for t in nis2.entity_types) for a in ("I", "II")} == EXPECTED_COUNTS
    assert ids[0] == "A1.1.1.1" and "A1.11.0.1" in ids and "A2.7.0.1" in ids
    if reference.is_file():  # the shared research note, where present
        listed = set(re.findall(r"^\| (A[12]\.\d+\.\d\.\d+) \|", reference.read_text("utf-8"), re.M))
        assert listed == set(ids)


def test_flags_where_the_law_singles_types_out(nis2: Nis2File):
    flagged: dict[str, list[str]] = {}
    for t in nis2.entity_types:
        for flag in t.flags:
            flagged.setdefault(flag, []).append(t.id)
    assert flagged["ecomms"] == ["A1.8.0.8", "A1.8.0.9"]
    assert flagged["trust_service"] == ["A1.8.0.7"]
    assert flagged["tld_registry"] == ["A1.8.0.3"]
    assert flagged["dns_provider"] == ["A1.8.0.2"]
    assert flagged["dora"] == ["A1.3.0.1", "A1.4.0.1", "A1.4.0.2"]
    assert flagged["public_administration_central"] == ["A1.10.0.1"]


def test_every_item_has_both_languages(nis2: Nis2File):
    for t in nis2.entity_types:
        assert t.name.nl and t.name.en and t.sector.nl and t.sector.en
    for note in nis2.notes:
        assert note.text.nl and note.text.en


def test_packaged_catalogue_passes_the_nis2_checks(catalog: Catalog):
    assert check_nis2(catalog) == []


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(default_directory(), target)
    return target


def _edit(directory: Path, edit) -> None:
    path = directory / "nis2.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(directory: Path) -> list[str]:
    _, problems = collect_catalog(directory)
    return [str(p) for p in problems]


def test_duplicate_entity_type_id_is_caught(tmp_path: Path):
    directory = _copy(tmp_path)
    _edit(directory, lambda d: d["entity_types"].append(dict(d["entity_types"][0])))
    assert any("duplicate id 'A1.1.1.1'" in p for p in _problems(directory))


def test_unknown_duty_control_is_caught(tmp_path: Path):
    directory = _copy(tmp_path)
    _edit(directory, lambda d: d["duties"][0]["controls"].append("ctl.nope"))
    assert any("unknown control id 'ctl.nope'" in p for p in _problems(directory))


def test_unresolved_note_references_are_caught(tmp_path: Path):
    directory = _copy(tmp_path)

    def edit(d):
        d["notes"][0]["when"] = {"sectors": ["A1.99"], "entity_types": ["A1.8.0.99"]}

    _edit(directory, edit)
    problems = _problems(directory)
    assert any("unknown sector 'A1.99'" in p for p in problems)
    assert any("unknown entity type id 'A1.8.0.99'" in p for p in problems)


def test_incomplete_decision_table_is_caught(tmp_path: Path):
    directory = _copy(tmp_path)
    _edit(
        directory,
        lambda d: d.update(decision_table=[r for r in d["decision_table"] if r["id"] != "r.out.no_annex_type"]),
    )
    assert any("incomplete" in p for p in _problems(directory))


def test_unused_type_flag_in_a_row_is_caught(tmp_path: Path):
    directory = _copy(tmp_path)

    def edit(d):
        for t in d["entity_types"]:
            t["flags"] = [f for f in t.get("flags", []) if f != "dns_provider"]

    _edit(directory, edit)
    assert any("no entity type carries the flag 'dns_provider'" in p for p in _problems(directory))


def test_unknown_source_is_caught(tmp_path: Path):
    directory = _copy(tmp_path)
    _edit(directory, lambda d: d["notes"][0].update(sources=["no-such-source"]))
    assert any("unknown source id 'no-such-source'" in p for p in _problems(directory))


def test_legally_required_controls(catalog: Catalog, nis2: Nis2File):
    controls: ControlsFile = catalog.controls
    base = {
        "country": "DE",
        "annual_turnover_eur": 5e6,
        "balance_sheet_total_eur": 5e6,
        "nis2_entity_types": ["A1.9.0.1"],
    }
    inside = classify(parse_organisation({"employees": 60, **base}), nis2)
    outside = classify(parse_organisation({"employees": 10, **base}), nis2)
    required = legally_required_controls(inside, controls)
    # every control maps to some Art. 21(2) letter or to Art. 20 -> all are legally required in scope
    assert required == {c.id for c in controls.controls if c.nis2_art21 or c.nis2_art20}
    assert {"ctl.mfa", "ctl.backup", "ctl.governance", "ctl.incident_response"} <= required
    assert legally_required_controls(outside, controls) == set()
    assert legally_required_controls(inside, list(controls.controls)) == required


def test_sector_act_must_displace_known_duties(tmp_path: Path):
    directory = _copy(tmp_path)
    _edit(directory, lambda d: d["lex_specialis"][0].update(displaces=["art21.2.a", "art99.nothing"]))
    assert any("unknown duty id 'art99.nothing'" in p for p in _problems(directory))


def test_duty_any_flag_must_exist(tmp_path: Path):
    directory = _copy(tmp_path)
    _edit(directory, lambda d: d["duties"][0].update(applies={"any_flag": ["no_such_flag"]}))
    assert _problems(directory)  # refused by the model (unknown flag literal)


def test_incomplete_table_is_caught_over_the_new_dimensions(tmp_path: Path):
    """Dropping the regional 'not identified' row leaves identified: false regional bodies unmatched."""
    directory = _copy(tmp_path)
    _edit(
        directory,
        lambda d: d.update(
            decision_table=[r for r in d["decision_table"] if r["id"] != "r.out.regional_not_identified"]
        ),
    )
    assert any("incomplete" in p and "A1.10.0.2" in p for p in _problems(directory))
