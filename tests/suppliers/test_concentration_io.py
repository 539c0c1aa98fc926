"""Concentration on one vendor (register and shared q.vendor.* answers); CSV/XLSX in and out."""

from __future__ import annotations

import pytest

from insurable.errors import InputError
from insurable.suppliers import concentrations
from insurable.suppliers.model import Register, Supplier
from insurable.suppliers.register_io import export_rows, merge_rows, read_csv, read_xlsx, write_csv, write_xlsx


def test_hospital_concentration_uses_register_and_shared_answers(hospital):
    groups = {(c.kind, c.vendor): c for c in concentrations(hospital.suppliers)}
    azure = groups[("cloud", "Microsoft Azure")]
    assert set(azure.suppliers) == {"noordkust-it", "zorgdossier-cloud", "veilig-netwerk"}
    assert "q.vendor.cloud_provider" in azure.sources  # the EPD supplier's own answer, microsoft_azure
    assert set(groups[("vpn", "Fortinet FortiGate")].suppliers) == {"noordkust-it", "veilig-netwerk"}
    assert not any(c.vendor.casefold() == "own" for c in groups.values())


def test_only_critical_suppliers_count():
    a = Supplier(id="a", name="A", tier="critical", vendors={"msp": "Same MSP"})
    b = Supplier(id="b", name="B", tier="standard", vendors={"msp": "same-msp"})
    c = Supplier(id="c", name="C", tier="high", supports_essential_service=True, vendors={"msp": "SAME msp"})
    assert [(g.kind, g.suppliers) for g in concentrations([a, b, c])] == [("msp", ("a", "c"))]
    assert concentrations([a, b]) == []


def test_csv_round_trip_keeps_evidence(hospital):
    rows = export_rows(hospital)
    data = write_csv(rows)
    parsed, header = read_csv(data, "x.csv")
    empty = Register(client=hospital.client)
    rebuilt = merge_rows(empty, parsed, header, "x.csv")
    assert [
        s.model_dump(exclude={"insurance", "certificates", "confirmed", "shared", "declared_uninsured"})
        for s in rebuilt.suppliers
    ] == [
        s.model_dump(exclude={"insurance", "certificates", "confirmed", "shared", "declared_uninsured"})
        for s in hospital.suppliers
    ]
    # merging into the full register changes a tier and keeps the certificates
    parsed[0]["tier"] = "high"
    merged = merge_rows(hospital, parsed, header, "x.csv")
    assert merged.suppliers[0].tier == "high"
    assert merged.suppliers[0].insurance == hospital.suppliers[0].insurance


def test_xlsx_round_trip_and_semicolon_csv(hospital):
    rows = export_rows(hospital)
    parsed, header = read_xlsx(write_xlsx(rows), "x.xlsx")
    assert merge_rows(Register(client="K"), parsed, header, "x.xlsx").suppliers[3].name == hospital.suppliers[3].name
    semicolon = "\ufeffid;name;tier;supports_essential_service\nmsp;Beheer B.V.;critical;ja\n".encode()
    parsed, header = read_csv(semicolon, "nl.csv")
    only = merge_rows(Register(client="K"), parsed, header, "nl.csv").suppliers[0]
    assert (only.id, only.tier, only.supports_essential_service) == ("msp", "critical", True)


def test_bad_rows_name_row_and_column_all_at_once():
    text = b"id,name,tier,country,colour\nok,Fine,low,NL,\nBAD ID,,platinum,Netherlands,\nok,Again,low,NL,\n"
    parsed, header = read_csv(text, "bad.csv")
    with pytest.raises(InputError) as caught:
        merge_rows(Register(client="K"), parsed, header, "bad.csv")
    assert [p.path for p in caught.value.problems] == ["column 'colour'"]
    parsed, header = read_csv(
        text.replace(b",colour", b"").replace(b"NL,\n", b"NL\n").replace(b"Netherlands,", b"Netherlands"), "bad.csv"
    )
    with pytest.raises(InputError) as caught:
        merge_rows(Register(client="K"), parsed, header, "bad.csv")
    paths = {p.path for p in caught.value.problems}
    assert {
        "row 3, column id",
        "row 3, column name",
        "row 3, column tier",
        "row 3, column country",
        "row 4, column id",
    } <= paths
    assert all(p.file == "bad.csv" for p in caught.value.problems)


def test_not_a_workbook():
    with pytest.raises(InputError) as caught:
        read_xlsx(b"not a zip", "x.xlsx")
    assert "not an XLSX workbook" in caught.value.problems[0].reason


def test_answer_option_ids_and_register_names_are_one_vendor(catalog):
    from insurable.suppliers.concentration import vendor_names

    names = vendor_names(catalog.questionnaire.by_id())
    assert names["vpn"]["fortinet"] == "Fortinet FortiGate"
    shared = {
        "level": "summary",
        "assessed": "2026-11-01",
        "verdict": "insurable",
        "answers": {"q.vendor.remote_access": "fortinet"},
    }
    a = Supplier(id="a", name="A", tier="critical", shared=shared)
    b = Supplier(id="b", name="B", tier="critical", vendors={"vpn": "Fortinet FortiGate"})
    c = Supplier(id="c", name="C", tier="critical", vendors={"cloud": "own_servers"})
    d = Supplier(id="d", name="D", tier="critical", vendors={"cloud": "own_servers"})
    groups = concentrations([a, b, c, d], names=names)
    assert [(g.kind, g.vendor, g.suppliers, g.sources) for g in groups] == [
        ("vpn", "Fortinet FortiGate", ("a", "b"), ("q.vendor.remote_access", "register"))
    ]
    assert concentrations([a, b]) == []  # without the names the id and the name differ
