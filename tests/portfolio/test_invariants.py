"""Hypothesis invariants of the block kernel on random small books and terms."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from insurable.portfolio.book import book_from_insureds
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.engine import compile_run, run_portfolio
from tests.portfolio.helpers import one_scenario, plain_insured

money = st.floats(min_value=1_000, max_value=2_000_000)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 12),
    deductible=st.floats(0, 50_000),
    limit=money,
    aggregate=money,
    frequency=st.floats(0, 2),
    loss=st.sampled_from(["outage", "compromise"]),
    seed=st.integers(0, 2**32),
)
def test_terms_never_pay_more_than_the_loss_or_the_limits(
    systemic: SystemicFile,
    n: int,
    deductible: float,
    limit: float,
    aggregate: float,
    frequency: float,
    loss: str,
    seed: int,
) -> None:
    sysf = one_scenario(systemic, frequency=1.5, loss=loss, hit_share={"alpha": 1.0, "beta": 1.0})
    insureds = [
        plain_insured(
            i,
            frequency=frequency,
            vendor="v" if i % 2 else "w",
            deductible_eur=deductible,
            limit_eur=limit,
            aggregate_limit_eur=aggregate,
        )
        for i in range(n)
    ]
    book = book_from_insureds(insureds, sysf)
    r = run_portfolio(compile_run(book, sysf), years=300, block_years=100, threads=1, seed=seed)
    assert np.all(r.net >= 0) and np.all(r.net <= r.gross * (1 + 1e-12) + 1e-6)
    assert np.all(r.net <= n * aggregate * (1 + 1e-12))
    assert np.all(r.max_occurrence <= n * limit * (1 + 1e-12))
    np.testing.assert_allclose(r.by_source.sum(axis=1), r.net, rtol=1e-9, atol=1e-6)
    assert np.all(r.insured_sum <= 300 * aggregate * (1 + 1e-12))
    again = run_portfolio(compile_run(book, sysf), years=300, block_years=100, threads=2, seed=seed)
    assert np.array_equal(r.net, again.net)
