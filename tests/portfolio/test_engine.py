"""The block engine: one random stream per block, the same result on any number of threads."""

from __future__ import annotations

import numpy as np
import pytest

from insurable.errors import InputError
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.engine import compile_run, run_portfolio
from insurable.portfolio.synthetic import synthetic_book


def test_threads_and_block_order_give_bit_identical_results(systemic: SystemicFile) -> None:
    book = synthetic_book(2_000, systemic, seed=3)
    compiled = compile_run(book, systemic)
    one = run_portfolio(compiled, years=2_000, block_years=250, threads=1, seed=9)
    two = run_portfolio(compiled, years=2_000, block_years=250, threads=2, seed=9)
    for name in ("gross", "net", "by_source", "max_occurrence", "insured_sum"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
    other = run_portfolio(compiled, years=2_000, block_years=250, threads=1, seed=10)
    assert not np.array_equal(one.net, other.net)


def test_sources_add_up_to_the_net_year_loss(systemic: SystemicFile) -> None:
    book = synthetic_book(1_000, systemic, seed=4)
    result = run_portfolio(compile_run(book, systemic), years=2_000, threads=1)
    np.testing.assert_allclose(result.by_source.sum(axis=1), result.net, rtol=1e-9, atol=1e-6)
    assert np.all(result.net <= result.gross + 1e-6)
    assert np.isclose(result.insured_sum.sum(), result.net.sum(), rtol=1e-9)
    assert result.by_source[:, 1:].sum() > 0  # the systemic scenarios do contribute


def test_bad_numbers_are_named(systemic: SystemicFile) -> None:
    compiled = compile_run(synthetic_book(10, systemic), systemic)
    with pytest.raises(InputError) as err:
        run_portfolio(compiled, years=0, block_years=-1)
    fields = {p.path for p in err.value.problems}
    assert fields == {"years", "block_years"}
    with pytest.raises(InputError, match="unknown scenario"):
        compile_run(synthetic_book(10, systemic), systemic, scenarios=("sys.nope",))
