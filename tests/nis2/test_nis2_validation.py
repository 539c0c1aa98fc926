"""Bad NIS2 input: every problem at once, each naming its field (tests/nis2/bad_inputs.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from insurable.catalog import Catalog
from insurable.errors import InputError
from insurable.nis2 import classify, nis2_catalogue, validate
from insurable.profile import parse_organisation

BAD: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "bad_inputs.yaml").read_text("utf-8"))["bad"]


@pytest.mark.parametrize("case", [c for c in BAD if c["stage"] == "nis2"], ids=lambda c: c["id"])
def test_classify_names_every_problem(case: dict[str, Any], catalog: Catalog):
    org = parse_organisation(case["org"])
    with pytest.raises(InputError) as err:
        classify(org, nis2_catalogue(catalog), file="org.yaml")
    paths = [p.path for p in err.value.problems]
    assert set(case["paths"]) <= set(paths)
    assert all(p.file == "org.yaml" for p in err.value.problems)
    for word in case.get("words", []):
        assert word in str(err.value)


@pytest.mark.parametrize("case", [c for c in BAD if c["stage"] == "profile"], ids=lambda c: c["id"])
def test_profile_model_rejects(case: dict[str, Any]):
    with pytest.raises(InputError) as err:
        parse_organisation(case["org"])
    paths = {p.path for p in err.value.problems}
    assert set(case["paths"]) - {"nis2_entity_types[0]"} <= paths


def test_unknown_type_suggests_close_id(catalog: Catalog):
    org = parse_organisation(
        {"employees": 1, "annual_turnover_eur": 1, "balance_sheet_total_eur": 1, "nis2_entity_types": ["A1.8.04"]}
    )
    problems = validate(org, nis2_catalogue(catalog))
    assert "did you mean A1.8.0.4?" in problems[0].reason


def test_valid_public_administration_and_qtsp_combinations_pass(catalog: Catalog):
    nis2 = nis2_catalogue(catalog)
    ok = [
        {"nis2_entity_types": ["A1.10.0.1"], "nis2_flags": {"public_administration": "central"}},
        {"nis2_entity_types": ["A1.10.0.2"], "nis2_flags": {"public_administration": "regional"}},
        {
            "nis2_entity_types": ["A1.10.0.2"],
            "nis2_flags": {"public_administration": "regional", "public_administration_identified": False},
        },
        {"nis2_entity_types": ["A1.3.0.1"], "nis2_flags": {"dora_exempt": True}},
        {"country": "US", "nis2_flags": {"eu_services": True, "representative_member_state": "IE"}},
        {"country": "US", "nis2_flags": {"eu_services": False}},
        {"nis2_flags": {"eu_establishments": ["NL", "BE"], "domain_registration": "agent"}},
        {"nis2_entity_types": ["A1.8.0.7"], "nis2_flags": {"qualified_trust_service_provider": True}},
        {"nis2_entity_types": [], "nis2_flags": {"cer_critical_entity": True}},
    ]
    for data in ok:
        org = parse_organisation({"employees": 1, "annual_turnover_eur": 1, "balance_sheet_total_eur": 1, **data})
        assert validate(org, nis2) == []
