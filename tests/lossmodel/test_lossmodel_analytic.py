"""Analytic checks: compound Poisson moments and the lognormal limited expected value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from insurable.lossmodel.arrays import simple_terms
from insurable.lossmodel.engine import simulate
from tests.lossmodel.helpers import lognormal_lev, perils

TRIALS = 200_000


@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_compound_poisson_mean_and_variance(kernel):
    lam, median, sigma = 0.8, 50_000.0, 0.6
    mu = math.log(median)
    ylt = simulate(perils([lam], [median], [sigma]), simple_terms(1), trials=TRIALS, seed=7, kernel=kernel)
    s = ylt.ground_up
    mean = lam * math.exp(mu + sigma**2 / 2)  # lambda E[X]
    var = lam * math.exp(2 * mu + 2 * sigma**2)  # lambda E[X^2]
    se_mean = s.std() / math.sqrt(TRIALS)
    se_var = ((s - s.mean()) ** 2).std() / math.sqrt(TRIALS)
    assert abs(s.mean() - mean) < 4 * se_mean
    assert abs(s.var() - var) < 4 * se_var


def test_negative_binomial_counts_have_the_requested_dispersion():
    ylt = simulate(perils([2.0], [1.0], [1e-9], nb=[3.0]), simple_terms(1), trials=TRIALS, seed=3, kernel="numpy")
    counts = np.rint(ylt.ground_up)  # each loss is 1.0
    assert counts.mean() == pytest.approx(2.0, rel=0.02)
    assert counts.var() / counts.mean() == pytest.approx(3.0, rel=0.05)


@pytest.mark.parametrize(
    ("deductible", "limit"), [(0.0, math.inf), (25_000.0, 250_000.0), (100_000.0, 1_000_000.0), (0.0, 50_000.0)]
)
def test_lognormal_limited_expected_value(deductible, limit):
    lam, median, sigma = 1.0, 60_000.0, 1.5
    mu = math.log(median)
    terms = simple_terms(1, deductible=deductible, limit=limit)
    ylt = simulate(perils([lam], [median], [sigma]), terms, trials=TRIALS, seed=11, kernel="numpy")
    insured = ylt.insured[0]
    # E[min(max(X - d, 0), l)] = LEV(d + l) - LEV(d)
    expected = lam * (lognormal_lev(deductible + limit, mu, sigma) - lognormal_lev(deductible, mu, sigma))
    se = insured.std() / math.sqrt(TRIALS)
    assert abs(insured.mean() - expected) < 4 * se


def test_severity_from_two_quantiles_matches_median_and_sigma():
    from insurable.catalog.perils import Severity

    by_q = Severity(quantiles=((0.05, 50_000), (0.95, 2_000_000)))
    mu, sigma = by_q.mu_sigma()
    assert sigma == pytest.approx((math.log(2e6) - math.log(5e4)) / (2 * 1.6448536), rel=1e-6)
    assert math.exp(mu) == pytest.approx(math.sqrt(5e4 * 2e6), rel=1e-9)


def test_fair_product_model_mean_and_threads():
    from insurable.lossmodel.fair import Pert, simulate_product

    lef, lm = Pert(0.1, 0.5, 2.0), Pert(50_000, 200_000, 2_000_000)
    a = simulate_product(lef, lm, trials=100_000, seed=1, threads=1, block_years=10_000)
    b = simulate_product(lef, lm, trials=100_000, seed=1, threads=3, block_years=10_000)
    np.testing.assert_array_equal(a, b)
    assert a.mean() == pytest.approx(lef.mean() * lm.mean(), rel=4 * a.std() / a.mean() / math.sqrt(a.size))
