"""Per-claim limit vs annual aggregate (issue 14): an offer's limit "per aanspraak" and its
aggregate "per jaar" flow separately into Terms and the loss model.

Closed forms on the kernel (hypothesis): the insured year under a per-claim limit L and an
aggregate A is min(insured under L alone, A); with A = L it is min(insured without limits, L), the
identity the fast path (one unlimited sample for every limit) rests on. On the organisation: a
lower aggregate never lowers the retained loss, an aggregate equal to the limit is the old model,
and a higher aggregate keeps less when several claims hit one year."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insurable.intake import read_organisation
from insurable.lossmodel.arrays import simple_terms, stack_terms
from insurable.lossmodel.engine import simulate
from insurable.lossmodel.organisation import (
    coverage_order,
    per_claim_differs,
    perils_file,
    retained_mean,
    simulate_organisation,
)
from insurable.offers import compare_offers, context_for, parse_offer
from insurable.terms import Terms
from tests.lossmodel.helpers import perils
from tests.offers.helpers import MSP, offer_data

TRIALS = 6000
SEED = 11
money = st.floats(min_value=0, max_value=200_000, allow_nan=False)
limits = st.floats(min_value=5_000, max_value=2e6, allow_nan=False)


def _run(sets, kernel: str = "numpy"):
    # Frequent, heavy claims: several in many years, so per-claim and aggregate limits both bind.
    model = perils([3.0, 1.2], [60_000.0, 250_000.0], [1.3, 1.7], split=[[0.6, 0.4], [0.0, 1.0]])
    return simulate(model, sets, trials=2000, seed=3, kernel=kernel, block_years=1024)


@settings(max_examples=20, deadline=None)
@given(deductible=money, per_claim=limits, extra=st.floats(min_value=0, max_value=5e6))
def test_aggregate_caps_the_year_of_per_claim_payments(deductible, per_claim, extra):
    aggregate = per_claim + extra
    sets = stack_terms(
        [
            simple_terms(2, deductible, per_claim, aggregate),
            simple_terms(2, deductible, per_claim, math.inf),  # per claim only
            simple_terms(2, deductible, per_claim, per_claim),
            simple_terms(2, deductible),  # no limits
        ]
    )
    ins = _run(sets).insured
    np.testing.assert_allclose(ins[0], np.minimum(ins[1], aggregate), rtol=1e-12)
    np.testing.assert_allclose(ins[2], np.minimum(ins[3], per_claim), rtol=1e-12)
    assert (ins[2] <= ins[0] + 1e-6).all()  # a higher aggregate never pays less
    assert (ins[1] <= ins[3] + 1e-6).all()  # a per-claim limit never pays more than none


def test_kernels_agree_on_per_claim_and_aggregate():
    sets = stack_terms([simple_terms(2, 5_000, 100_000, 250_000), simple_terms(2, 0, 40_000, 90_000)])
    fast, reference = _run(sets, "auto"), _run(sets, "numpy")
    np.testing.assert_allclose(fast.insured, reference.insured, rtol=1e-9)


@pytest.fixture(scope="module")
def msp(catalog):
    return read_organisation(MSP, catalog)


def _terms(catalog, limit: float, aggregate: float | None) -> Terms:
    data = offer_data(limit_eur=limit, deductible_eur=1_000, aggregate_limit_eur=aggregate)
    return parse_offer(data, catalog).terms(coverage_order(catalog, perils_file(catalog)))


def test_per_claim_differs():
    assert not per_claim_differs(Terms(deductible_eur=0, limit_eur=1e6))
    assert not per_claim_differs(Terms(deductible_eur=0, limit_eur=1e6, aggregate_limit_eur=1e6))
    assert not per_claim_differs(Terms(deductible_eur=0, limit_eur=None))
    assert per_claim_differs(Terms(deductible_eur=0, limit_eur=1e6, aggregate_limit_eur=2e6))


def test_a_lower_aggregate_never_lowers_retained_loss(msp, catalog):
    limit = 25_000.0
    reports = [
        simulate_organisation(msp, catalog, trials=TRIALS, seed=SEED, kernel="numpy", terms=_terms(catalog, limit, a))
        for a in (limit, 2 * limit, 10 * limit, 1e12)
    ]
    retained = [r.retained.mean for r in reports]
    assert all(lo >= hi - 1e-6 for lo, hi in zip(retained, retained[1:], strict=False)), retained
    assert retained[0] > retained[-1]  # at a low per-claim limit some years have several claims
    for r in reports:
        assert r.terms.limit == limit
        np.testing.assert_allclose(r.insured.mean + r.retained.mean, r.mean_annual_loss, rtol=1e-9)
    # The tail too: the retained 1-in-100 year never falls as the aggregate falls.
    q = [r.retained.quantiles["100"] for r in reports]
    assert all(lo >= hi - 1e-6 for lo, hi in zip(q, q[1:], strict=False)), q
    # The policy's own limit option reads the same insured loss and the chance a limit binds.
    for r in reports:
        own = next(o for o in r.limit_options if o.limit == limit)
        assert own.insured_mean == pytest.approx(r.insured.mean, rel=1e-9)
        assert 0 < own.probability_exhausted < 1
    exhausted = [next(o for o in r.limit_options if o.limit == limit).probability_exhausted for r in reports]
    assert all(lo >= hi for lo, hi in zip(exhausted, exhausted[1:], strict=False)), exhausted


def test_aggregate_at_the_limit_is_the_annual_model(msp, catalog):
    limit = 25_000.0
    same = simulate_organisation(
        msp, catalog, trials=TRIALS, seed=SEED, kernel="numpy", terms=_terms(catalog, limit, limit)
    )
    unset = simulate_organisation(
        msp, catalog, trials=TRIALS, seed=SEED, kernel="numpy", terms=_terms(catalog, limit, None)
    )
    assert same.retained == unset.retained
    assert same.limit_options == unset.limit_options


def test_fix_path_retained_mean_reads_the_aggregate(msp, catalog):
    terms = _terms(catalog, 25_000.0, 100_000.0)
    report = simulate_organisation(msp, catalog, trials=TRIALS, seed=SEED, kernel="numpy", terms=terms)
    assert retained_mean(msp, catalog, terms, trials=TRIALS, seed=SEED, kernel="numpy") == pytest.approx(
        report.retained.mean, rel=1e-9
    )


def test_comparison_reads_each_offers_aggregate(msp, catalog):
    ctx = context_for(msp, catalog)
    low = parse_offer(offer_data(id="per-claim-only", limit_eur=25_000, deductible_eur=1_000), catalog)
    high = parse_offer(
        offer_data(id="with-aggregate", limit_eur=25_000, aggregate_limit_eur=250_000, deductible_eur=1_000), catalog
    )
    c = compare_offers(msp, [low, high], catalog, ctx, trials=TRIALS, seed=SEED)
    by_id = {r.programme: r for r in c.results}
    assert by_id["with-aggregate"].retained_mean_eur < by_id["per-claim-only"].retained_mean_eur
    assert by_id["with-aggregate"].probability_limit_exhausted <= by_id["per-claim-only"].probability_limit_exhausted
    assert by_id["with-aggregate"].probability_limit_exhausted > 0
