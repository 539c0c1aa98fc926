"""Table-driven NIS2 classification cases (tests/nis2/cases.yaml) and coverage of the decision table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from insurable.catalog import Catalog
from insurable.nis2 import Nis2File, classify, nis2_catalogue
from insurable.profile import parse_organisation

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text("utf-8"))["cases"]


@pytest.fixture(scope="module")
def nis2(catalog: Catalog) -> Nis2File:
    return nis2_catalogue(catalog)


def test_enough_cases_with_unique_ids():
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any], nis2: Nis2File):
    result = classify(parse_organisation(case["org"]), nis2)
    expect = case["expect"]
    assert result.classification == expect["classification"]
    simple = {
        "size": result.size_category,
        "size_own": result.size_category_own,
        "rules": list(result.rules),
        "duties": list(result.duties),
        "provisional": result.provisional_classification,
        "eu_link": result.eu_link,
        "established": result.established_in_eu,
        "lex_specialis": result.lex_specialis,
        "art21_letters": list(result.art21_letters),
        "jurisdiction": result.jurisdiction_basis,
        "jurisdiction_states": list(result.jurisdiction_member_states),
    }
    for key, actual in simple.items():
        if key in expect:
            assert actual == expect[key], key
    numbers = {
        "headcount": result.headcount_used,
        "turnover": result.turnover_used_eur,
        "balance": result.balance_sheet_used_eur,
        "fine_cap_eur": result.fine_cap_eur,
        "fine_turnover_eur": result.fine_turnover_eur,
    }
    for key, actual in numbers.items():
        if key in expect:
            assert actual == (None if expect[key] is None else pytest.approx(expect[key])), key
    for text in expect.get("basis_has", []):
        assert any(text in b for b in result.legal_basis), (text, result.legal_basis)
    for text in expect.get("basis_lacks", []):
        assert not any(text in b for b in result.legal_basis), (text, result.legal_basis)
    for duty in expect.get("duties_has", []):
        assert duty in result.duties
    for duty in expect.get("duties_lacks", []):
        assert duty not in result.duties
    for duty in expect.get("displaced_has", []):
        assert duty in result.displaced_duties
    notes = {n.id for n in result.notes}
    for note in expect.get("notes_has", []):
        assert note in notes
    for note in expect.get("notes_lacks", []):
        assert note not in notes


def test_every_decision_row_decides_some_case(nis2: Nis2File):
    decided = {rule for case in CASES for rule in classify(parse_organisation(case["org"]), nis2).rules}
    assert {row.id for row in nis2.decision_table} <= decided


def test_every_classification_and_size_is_covered(nis2: Nis2File):
    results = [classify(parse_organisation(case["org"]), nis2) for case in CASES]
    assert {r.classification for r in results} == {
        "essential",
        "important",
        "in_scope_neither",
        "out_of_scope",
        "not_assessed",
    }
    assert {r.size_category for r in results} == {"micro", "small", "medium", "large"}


def test_in_scope_has_every_art21_letter_and_art20(nis2: Nis2File):
    org = parse_organisation(CASES[2]["org"])
    result = classify(org, nis2)
    assert result.in_scope
    assert result.art21_letters == tuple("abcdefghij")
    assert result.art20_applies


def test_every_duty_applies_to_some_case(nis2: Nis2File):
    applied = {d for case in CASES for d in classify(parse_organisation(case["org"]), nis2).duties}
    assert {d.id for d in nis2.duties} == applied


def test_every_note_is_shown_by_some_case(nis2: Nis2File):
    shown = {n.id for case in CASES for n in classify(parse_organisation(case["org"]), nis2).notes}
    assert {n.id for n in nis2.notes} == shown


def test_every_case_names_the_article_and_paragraph_that_decides(nis2: Nis2File):
    """Each row's legal basis cites an article with its paragraph (Art. N(p)...) or a recital."""
    import re

    for row in nis2.decision_table:
        assert all(re.match(r"^(Art\. \d+\(\d+\)|Recital \d+)", b) for b in row.legal_basis), row.id
