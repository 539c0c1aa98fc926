"""Closed-form checks: the AEP of one scenario on identical insureds is the analytic compound
distribution; contributions add up to TVaR; a scenario's share of TVaR."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from insurable.portfolio.book import book_from_insureds
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.engine import compile_run, run_portfolio
from insurable.portfolio.metrics import report, tail_years
from insurable.portfolio.pipeline import analyse
from tests.portfolio.helpers import one_scenario, plain_insured


def compound_poisson_lognormal_sf(rate: float, mu: float, sigma: float, xs: np.ndarray) -> np.ndarray:
    """P(S > x) for S = sum of Poisson(rate) iid lognormal(mu, sigma), by FFT of the discretised
    severity (independent of the simulation)."""
    from scipy.stats import lognorm

    step = float(xs.max()) / 20_000
    m = 1 << 17
    edges = (np.arange(m + 1) - 0.5) * step
    edges[0] = 0.0
    cdf = lognorm.cdf(edges, s=sigma, scale=math.exp(mu))
    pmf = np.diff(cdf)
    pmf[-1] += 1.0 - cdf[-1]
    phi = np.fft.rfft(pmf, n=2 * m)
    pdf = np.fft.irfft(np.exp(rate * (phi - 1.0)), n=2 * m)[:m]
    cum = np.cumsum(pdf)
    return 1.0 - cum[np.minimum((xs / step).astype(int), m - 1)]


def test_aep_matches_the_compound_poisson_lognormal(systemic: SystemicFile) -> None:
    # n identical insureds, each its own cloud vendor: independent instances, each hit with
    # probability alpha / (alpha + beta) per event (Beta-thinned Poisson), loss = rate x duration.
    n, f, a, b, median, s = 8, 0.5, 2.0, 3.0, 10.0, 0.8
    sysf = one_scenario(systemic, frequency=f, hit_share={"alpha": a, "beta": b})
    book = book_from_insureds([plain_insured(i, vendor=f"v{i}") for i in range(n)], sysf)
    years = 200_000
    result = run_portfolio(compile_run(book, sysf), years=years, threads=2, seed=5)
    rate = n * f * a / (a + b)
    mu = math.log(median * 1_000)
    expected_mean = rate * math.exp(mu + s * s / 2)
    assert result.net.mean() == pytest.approx(expected_mean, rel=0.02)
    np.testing.assert_allclose(result.net, result.gross, rtol=1e-12)  # no terms bite
    rep = report(result, book)
    for point in rep.curve:
        if point.return_period > 500:
            continue
        sf = compound_poisson_lognormal_sf(rate, mu, s, np.array([point.aep]))[0]
        assert sf == pytest.approx(1 / point.return_period, rel=0.12), point


def test_contributions_add_up_to_tvar_and_match_the_ylt(systemic: SystemicFile, tmp_path: Path) -> None:
    insureds = [
        plain_insured(i, frequency=0.05, vendor=("a" if i % 3 else "b"), limit_eur=400_000.0, deductible_eur=5_000.0)
        for i in range(60)
    ]
    ylt = tmp_path / "ylt.parquet"
    analysis = analyse(insureds, systemic, years=20_000, block_years=500, threads=2, ylt=ylt, return_period=100)
    rep = analysis.report
    assert sum(s.tvar for s in rep.scenarios) == pytest.approx(rep.tvar, rel=1e-9)
    assert analysis.insured_tail is not None
    k = tail_years(analysis.result.net, 100).shape[0]
    assert analysis.insured_tail.sum() / k == pytest.approx(rep.tvar, rel=1e-9)  # same years, second pass

    import pyarrow.parquet as pq

    table = pq.read_table(ylt)
    net = table.column("net").to_numpy()
    np.testing.assert_array_equal(table.column("year").to_numpy(), np.arange(20_000))
    np.testing.assert_array_equal(net, analysis.result.net)
    top = np.argsort(-net, kind="stable")[:k]
    for s in rep.scenarios:
        column = table.column(s.id).to_numpy()
        assert s.tvar == pytest.approx(column[top].mean(), rel=1e-9, abs=1e-6)
        assert s.share == pytest.approx(column[top].mean() / net[top].mean(), rel=1e-9, abs=1e-12)


def test_a_scenario_alone_carries_the_whole_tvar_and_nothing_without_exposure(systemic: SystemicFile) -> None:
    sysf = one_scenario(systemic, frequency=0.2)
    exposed = [plain_insured(i, vendor="shared") for i in range(20)]
    rep = analyse(exposed, sysf, years=5_000, contributions=False).report
    shares = {s.id: s.share for s in rep.scenarios}
    assert shares == {"own": 0.0, "sys.test": pytest.approx(1.0)}
    not_exposed = [plain_insured(i, frequency=0.1) for i in range(20)]
    rep = analyse(not_exposed, sysf, years=5_000, contributions=False).report
    shares = {s.id: s.share for s in rep.scenarios}
    assert shares == {"own": pytest.approx(1.0), "sys.test": 0.0}


def test_terms_cap_each_year(systemic: SystemicFile) -> None:
    sysf = one_scenario(systemic, frequency=2.0, hit_share={"alpha": 50.0, "beta": 1.0})
    insureds = [plain_insured(i, vendor="shared", limit_eur=8_000.0, aggregate_limit_eur=12_000.0) for i in range(5)]
    book = book_from_insureds(insureds, sysf)
    result = run_portfolio(compile_run(book, sysf), years=3_000, threads=1)
    assert result.net.max() <= 5 * 12_000 + 1e-6
    assert result.max_occurrence.max() <= 5 * 8_000 + 1e-6
    assert result.gross.max() > result.net.max()
