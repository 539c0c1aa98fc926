"""The offer format: validation with every problem named, amounts as people write them, references
to the catalogue by id, and the one shared Terms built from an offer."""

from __future__ import annotations

import json

import pytest
import yaml

from insurable.errors import InputError
from insurable.offers import Offer, parse_offer, read_offer
from insurable.offers.model import FORMAT_VERSION
from insurable.offers.schema import render_offer_schema
from insurable.terms import Terms
from tests.offers.helpers import ALL_COVERAGES, EXAMPLE_OFFERS, ROOT, offer_data


@pytest.mark.parametrize("path", EXAMPLE_OFFERS, ids=lambda p: p.stem)
def test_example_offers_read(path, catalog):
    offer = read_offer(path, catalog)
    assert offer.format_version == 1
    assert offer.premium.net_eur > 0


def test_amounts_as_written(catalog):
    offer = parse_offer(offer_data(limit_eur="€ 2,5 mln", deductible_eur="EUR 7.500", locale="nl"), catalog)
    assert offer.limit_eur == 2_500_000
    assert offer.deductible_eur == 7_500


def test_every_problem_at_once_naming_the_field(catalog):
    data = offer_data(
        limit_eur="lots",
        deductible_eur=-5,
        coverages=[{"coverage": "cov.nonsense"}, {"coverage": "cov.extortion", "coinsurance": 1.5}],
        insured_activities=["astrology"],
        premium={},
    )
    with pytest.raises(InputError) as exc:
        parse_offer(data, catalog)
    paths = {p.path for p in exc.value.problems}
    assert "limit_eur" in paths
    assert "deductible_eur" in paths
    assert "coverages[1].coinsurance" in paths
    assert "premium.net_eur" in paths


def test_unknown_ids_are_named(catalog):
    data = offer_data(
        coverages=[{"coverage": "cov.nonsense"}],
        insured_activities=["astrology"],
        security_conditions=["ctl.wishful_thinking"],
    )
    with pytest.raises(InputError) as exc:
        parse_offer(data, catalog)
    reasons = {p.path: p.reason for p in exc.value.problems}
    assert "unknown coverage id" in reasons["coverages[0].coverage"]
    assert "unknown activity id" in reasons["insured_activities[0]"]
    assert "unknown control id" in reasons["security_conditions[0]"]


def test_aggregate_below_limit_is_refused(catalog):
    with pytest.raises(InputError) as exc:
        parse_offer(offer_data(aggregate_limit_eur=500_000), catalog)
    assert exc.value.problems[0].path == "aggregate_limit_eur"


def test_duplicate_coverage_is_refused(catalog):
    with pytest.raises(InputError) as exc:
        parse_offer(offer_data(coverages=[{"coverage": "cov.extortion"}, {"coverage": "cov.extortion"}]), catalog)
    assert "more than once" in exc.value.problems[0].reason


def test_file_problems_carry_line(tmp_path, catalog):
    path = tmp_path / "offer.yaml"
    data = offer_data()
    data["deductible_eur"] = "veel"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_offer(path, catalog)
    problem = exc.value.problems[0]
    assert problem.path == "deductible_eur"
    assert problem.file == str(path)
    assert problem.line is not None


def test_terms_from_offer_use_the_shared_model(catalog):
    offer = parse_offer(
        offer_data(
            coverages=[
                {"coverage": "cov.business_interruption", "waiting_period_hours": 12, "indemnity_period_days": 90},
                {"coverage": "cov.extortion", "sublimit_eur": 250_000, "coinsurance": 0.2},
                {"coverage": "cov.liability"},
            ],
            exclusions=[{"kind": "professional_services", "coverages": ["cov.liability"]}],
        ),
        catalog,
    )
    terms = offer.terms(ALL_COVERAGES)
    assert isinstance(terms, Terms)
    assert terms.limit_eur == 1_000_000 and terms.deductible_eur == 10_000
    ext = terms.coverage("cov.extortion")
    assert ext is not None and ext.sublimit_eur == 250_000 and ext.coinsurance == 0.2
    bi = terms.coverage("cov.business_interruption")
    assert bi is not None and bi.waiting_period_hours == 12 and bi.indemnity_period_days == 90
    # Not listed -> not covered; removed by an exclusion -> not covered, naming the exclusion.
    assert set(terms.excluded()) == set(ALL_COVERAGES) - {"cov.business_interruption", "cov.extortion"}
    liability = terms.coverage("cov.liability")
    assert liability is not None and "offer:test-offer:exclusion:professional_services" in liability.rules


def test_schema_is_current_and_versioned():
    text = (ROOT / "schemas" / "offer.schema.json").read_text(encoding="utf-8")
    assert text == render_offer_schema()
    schema = json.loads(text)
    assert schema["$id"].endswith(f"offer-{FORMAT_VERSION}.schema.json")  # no fragment: JSON Schema 2020-12
    assert set(Offer.model_fields) <= set(schema["properties"])
