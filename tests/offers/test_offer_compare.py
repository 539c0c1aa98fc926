"""Comparing offers: same seed for every programme, a tower counts as one programme, the ranking
follows the total cost of risk with its reason, and the terms behave (hypothesis): a higher
deductible never lowers the retained loss; excluding a cover moves its loss to retained."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insurable.errors import InputError
from insurable.intake import read_organisation
from insurable.lossmodel.organisation import coverage_order, perils_file, simulate_organisation
from insurable.offers import compare_offers, context_for, parse_offer, programmes, read_offer
from tests.offers.helpers import ALL_COVERAGES, EXAMPLE_OFFERS, MSP, offer_data

TRIALS = 4000
SEED = 7


@pytest.fixture(scope="module")
def msp(catalog):
    return read_organisation(MSP, catalog)


@pytest.fixture(scope="module")
def ctx(msp, catalog):
    return context_for(msp, catalog)


@pytest.fixture(scope="module")
def examples(catalog):
    return [read_offer(p, catalog) for p in EXAMPLE_OFFERS]


def retained_and_ground_up(org, catalog, offer) -> tuple[float, float, float]:
    terms = offer.terms(coverage_order(catalog, perils_file(catalog)))
    report = simulate_organisation(org, catalog, trials=TRIALS, seed=SEED, terms=terms, kernel="numpy")
    return report.retained.mean, report.mean_annual_loss, report.insured.mean


def test_tower_is_one_programme(examples):
    groups = {p.id: p for p in programmes(examples)}
    assert set(groups) == {"hanze-tower", "specialist-cyber", "vendor-bundle"}
    tower = groups["hanze-tower"]
    assert [o.id for o in tower.layers] == ["pi-cyber-package", "pi-cyber-excess"]
    assert tower.limit_eur == 2_000_000
    assert tower.premium_gross_eur == pytest.approx((9500 + 2100) * 1.21)


def test_tower_gap_is_refused(catalog, examples):
    excess = next(o for o in examples if o.id == "pi-cyber-excess")
    moved = excess.model_copy(update={"layer": excess.layer.model_copy(update={"attachment_eur": 1_500_000})})
    primary = next(o for o in examples if o.id == "pi-cyber-package")
    with pytest.raises(InputError) as exc:
        programmes([primary, moved])
    assert "a gap" in exc.value.problems[0].reason
    assert "layer.attachment_eur" in exc.value.problems[0].path


def test_comparison_ranks_by_total_cost_of_risk(msp, catalog, ctx, examples):
    comparison = compare_offers(msp, examples, catalog, ctx, trials=TRIALS, seed=SEED)
    totals = [r.cost_of_risk.total_eur for r in comparison.results]
    assert totals == sorted(totals)
    assert [r.rank for r in comparison.results] == [1, 2, 3]
    rate = comparison.tail_charge.rate
    for r in comparison.results:
        c = r.cost_of_risk
        assert c.total_eur == pytest.approx(c.premium_eur + c.retained_mean_eur + c.tail_charge_eur, abs=0.02)
        expected = rate * max(0.0, r.retained_1_in_250_eur - r.retained_mean_eur)
        assert c.tail_charge_eur == pytest.approx(expected, abs=0.02)
        assert r.retained_1_in_250_eur >= r.retained_1_in_100_eur
        assert 0 <= r.probability_limit_exhausted <= 1
        assert r.reason.en.startswith(f"Rank {r.rank}:") and r.reason.nl.startswith(f"Rang {r.rank}:")
    # The bundle leaves fraud and fines uncovered; the tower adds an excess layer above the primary.
    bundle = next(r for r in comparison.results if r.programme == "vendor-bundle")
    assert {"cov.financial_fraud", "cov.regulatory"} <= set(bundle.uncovered_coverages)
    assert any(p.peril == "peril.funds_transfer_fraud" for p in bundle.uncovered_perils)
    tower = next(r for r in comparison.results if r.programme == "hanze-tower")
    assert tower.pi_cyber == "overlap"
    assert bundle.pi_cyber == "no_pi"


def test_same_seed_same_numbers(msp, catalog, ctx, examples):
    a = compare_offers(msp, examples, catalog, ctx, trials=TRIALS, seed=SEED)
    b = compare_offers(msp, list(reversed(examples)), catalog, ctx, trials=TRIALS, seed=SEED)
    assert a.to_json() == b.to_json()
    # Every programme saw the same ground-up losses: the loss model ran on the same sample.
    assert a.ground_up_mean_eur > 0


@settings(max_examples=12, deadline=None)
@given(
    low=st.floats(min_value=0, max_value=200_000, allow_nan=False),
    extra=st.floats(min_value=0, max_value=500_000, allow_nan=False),
)
def test_higher_deductible_never_lowers_retained(msp, catalog, low, extra):
    a = parse_offer(offer_data(deductible_eur=low), catalog)
    b = parse_offer(offer_data(deductible_eur=low + extra), catalog)
    assert retained_and_ground_up(msp, catalog, b)[0] >= retained_and_ground_up(msp, catalog, a)[0] - 1e-6


@settings(max_examples=10, deadline=None)
@given(excluded=st.sets(st.sampled_from(ALL_COVERAGES), min_size=1, max_size=len(ALL_COVERAGES)))
def test_excluding_a_cover_moves_its_loss_to_retained(msp, catalog, excluded):
    # Zero deductible and a limit above any loss: insured is linear in the covered parts, so an
    # exclusion moves exactly what it insured into retained, and the ground-up loss is unchanged.
    big = 1e12
    full = parse_offer(offer_data(deductible_eur=0, limit_eur=big), catalog)
    cut = parse_offer(
        offer_data(deductible_eur=0, limit_eur=big, exclusions=[{"kind": "other", "coverages": sorted(excluded)}]),
        catalog,
    )
    kept_full, ground_full, insured_full = retained_and_ground_up(msp, catalog, full)
    kept_cut, ground_cut, insured_cut = retained_and_ground_up(msp, catalog, cut)
    assert ground_cut == pytest.approx(ground_full, rel=1e-12)
    assert kept_cut >= kept_full - 1e-6
    assert kept_cut - kept_full == pytest.approx(insured_full - insured_cut, rel=1e-9, abs=1e-6)
    if set(excluded) == set(ALL_COVERAGES):
        assert math.isclose(kept_cut, ground_cut, rel_tol=1e-12)


def test_bad_trials_is_an_input_error(msp, catalog, ctx, examples):
    with pytest.raises(InputError) as exc:
        compare_offers(msp, examples, catalog, ctx, trials=0, seed=1)
    assert exc.value.problems[0].path == "trials"
