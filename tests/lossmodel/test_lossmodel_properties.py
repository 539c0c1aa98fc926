"""Invariants of the policy terms (hypothesis): 0 <= insured <= limit, insured + retained = ground-up,
insured monotone in the deductible and the limit; identity at zero deductible and no limit."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from insurable.lossmodel.arrays import TermArrays, simple_terms, stack_terms
from insurable.lossmodel.engine import simulate
from tests.lossmodel.helpers import perils

money = st.floats(min_value=0, max_value=2e6, allow_nan=False)
limits = st.one_of(st.just(math.inf), st.floats(min_value=1e3, max_value=5e6))
SPLIT = [[0.5, 0.3, 0.2], [0.0, 0.0, 1.0]]


def _terms(deductible: float, limit: float, aggregate: float, sub: float, wait: float, coins: float) -> TermArrays:
    t = simple_terms(3, deductible=deductible, limit=limit, aggregate_limit=aggregate)
    t.sublimit[0, 1] = sub
    t.wait[0, 0] = wait
    t.cap[0, 0] = 400_000.0
    t.share[0, 2] = 1 - coins
    return t


def _run(terms: TermArrays, kernel: str = "numpy"):
    model = perils([1.5, 0.7], [40_000.0, 150_000.0], [1.4, 1.8], split=SPLIT)
    return simulate(model, terms, trials=3000, seed=5, kernel=kernel, block_years=1024)


@settings(max_examples=25, deadline=None)
@given(deductible=money, limit=limits, aggregate=limits, sub=limits, wait=money, coins=st.floats(0, 0.9))
def test_insured_is_bounded_and_adds_up(deductible, limit, aggregate, sub, wait, coins):
    ylt = _run(_terms(deductible, limit, aggregate, sub, wait, coins))
    insured = ylt.insured[0]
    retained = ylt.ground_up - insured
    assert (insured >= 0).all()
    assert (insured <= aggregate).all()
    assert (insured <= ylt.ground_up * (1 + 1e-12)).all()
    np.testing.assert_allclose(insured + retained, ylt.ground_up, rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(d1=money, d2=money, l1=limits, l2=limits)
def test_insured_is_monotone_in_deductible_and_limit(d1, d2, l1, l2):
    lo_d, hi_d = sorted((d1, d2))
    lo_l, hi_l = sorted((l1, l2))
    sets = stack_terms(
        [
            _terms(lo_d, hi_l, hi_l, math.inf, 0, 0),
            _terms(hi_d, hi_l, hi_l, math.inf, 0, 0),
            _terms(lo_d, lo_l, lo_l, math.inf, 0, 0),
        ]
    )
    ins = _run(sets).insured
    assert (ins[1] <= ins[0] + 1e-6).all()  # a higher deductible never pays more
    assert (ins[2] <= ins[0] + 1e-6).all()  # a lower limit never pays more


def test_identity_at_zero_deductible_and_no_limit():
    ylt = _run(simple_terms(3))
    np.testing.assert_allclose(ylt.insured[0], ylt.ground_up, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    xs=st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=20),
    d=money,
    lim=st.floats(min_value=1e3, max_value=5e6),
)
def test_per_occurrence_terms_pay_min_max_x_minus_d_limit(xs, d, lim):
    from insurable.lossmodel.kernel_reference import apply_terms

    x = np.array(xs)
    year, rank = np.arange(x.size), np.zeros(x.size, dtype=np.int64)  # one occurrence per year
    paid = apply_terms(x[None, :], year, rank, x.size, simple_terms(1, d, lim), 0)
    np.testing.assert_allclose(paid, np.minimum(np.maximum(x - d, 0), lim), rtol=1e-12, atol=1e-9)


def test_waiting_period_removes_bi_loss():
    model = perils([1.0], [30_000.0], [1.0], split=[[1.0, 0.0, 0.0]])
    none = simple_terms(3)
    wait = simple_terms(3)
    wait.wait[0, 0] = 12 * 1_000.0  # 12 hours at EUR 1,000 an hour
    a = simulate(model, none, trials=5000, seed=2, kernel="numpy").insured[0]
    b = simulate(model, wait, trials=5000, seed=2, kernel="numpy").insured[0]
    assert b.mean() < a.mean()
    assert (a - b <= 12_000.0 * 20 + 1e-6).all()
