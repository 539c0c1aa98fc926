"""The same blocks on a Dask LocalCluster (two workers, threads: processes=False keeps the test
fast on a 2-core machine) give the local result bit for bit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from insurable.errors import InputError
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.engine import compile_run, run_portfolio, tail_contributions
from insurable.portfolio.metrics import tail_years
from insurable.portfolio.synthetic import synthetic_book

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_dask_is_bit_identical_to_local(systemic: SystemicFile, client: Any) -> None:
    compiled = compile_run(synthetic_book(3_000, systemic, seed=8), systemic)
    local = run_portfolio(compiled, years=4_000, block_years=500, threads=1, seed=21)
    seen: list[int] = []
    remote = run_portfolio(
        compiled, years=4_000, block_years=500, scheduler=client, seed=21, on_block=lambda b: seen.append(b.index)
    )
    assert remote.scheduler == "dask"
    assert seen == list(range(8))  # reduced (and streamed) in block order whatever finished first
    for name in ("gross", "net", "by_source", "max_occurrence", "insured_sum"):
        assert np.array_equal(getattr(local, name), getattr(remote, name)), name
    for key in ("count", "claims", "net", "max"):
        assert np.array_equal(local.events[key], remote.events[key]), key
    years = tail_years(local.net, 100)
    assert np.array_equal(
        tail_contributions(compiled, local, years, threads=2),
        tail_contributions(compiled, remote, years, scheduler=client),
    )


def test_unreachable_scheduler_is_an_input_error(systemic: SystemicFile) -> None:
    compiled = compile_run(synthetic_book(10, systemic), systemic)
    with pytest.raises(InputError, match="scheduler"):
        run_portfolio(compiled, years=10, scheduler="tcp://127.0.0.1:9")
