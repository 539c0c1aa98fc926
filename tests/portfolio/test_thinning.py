"""Outage thinning (kernel.py): only the hits above an insured's waiting period are drawn. The net
loss must have the same distribution as drawing every hit, checked against a closed form and
against the walk-every-hit path of the same kernel."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy.stats import lognorm, norm

from insurable.portfolio import engine
from insurable.portfolio.book import Insured, book_from_insureds
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.engine import compile_run, run_portfolio
from insurable.portfolio.metrics import report
from insurable.portfolio.synthetic import synthetic_book
from insurable.terms import CoverageTerms
from tests.portfolio.helpers import one_scenario, plain_insured


def compound_sf(rate: float, cdf: Callable[[np.ndarray], np.ndarray], x_max: float, xs: np.ndarray) -> np.ndarray:
    """P(S > x) for S = a Poisson(rate) sum of iid severities with ``cdf`` (mass at 0 allowed), by
    FFT of the discretised severity."""
    step = x_max / 20_000
    m = 1 << 17
    edges = (np.arange(m + 1) - 0.5) * step
    edges[0] = 0.0
    c = cdf(edges)
    pmf = np.diff(c)
    pmf[0] += c[0]  # the mass at 0
    pmf[-1] += 1.0 - c[-1]
    phi = np.fft.rfft(pmf, n=2 * m)
    pdf = np.fft.irfft(np.exp(rate * (phi - 1.0)), n=2 * m)[:m]
    return 1.0 - np.cumsum(pdf)[np.minimum((xs / step).astype(int), m - 1)]


def waiting(i: int, hours: float, vendor: str) -> Insured:
    base = plain_insured(i, vendor=vendor)
    cbi = CoverageTerms(
        coverage="cov.contingent_bi", waiting_period_hours=hours, waiting_period_replaces_deductible=True
    )
    bi = CoverageTerms(coverage="cov.business_interruption")
    return base.model_copy(update={"terms": base.terms.model_copy(update={"coverages": (cbi, bi)})})


def test_outage_above_the_waiting_period_matches_the_closed_form(systemic: SystemicFile) -> None:
    # Each insured its own vendor: one hit at most per event, so the book is a compound Poisson of
    # rate n f E[h] with severity rate x (X - w)+, X = D exp(s Z) lognormal(ln median, sqrt(sd^2 + s^2)).
    n, f, a, b, median, sd, s, w, per_hour = 6, 0.6, 2.0, 3.0, 10.0, 0.8, 0.5, 14.0, 1_000.0
    sysf = one_scenario(
        systemic,
        frequency=f,
        hit_share={"alpha": a, "beta": b},
        duration={"median_hours": median, "sigma": sd, "insured_sigma": s},
    )
    book = book_from_insureds([waiting(i, w, f"v{i}") for i in range(n)], sysf)
    compiled = compile_run(book, sysf)
    assert compiled.groups[0][-1] == n  # every instance thinned: one threshold group each
    years = 200_000
    result = run_portfolio(compiled, years=years, threads=2, seed=11)
    rate = n * f * a / (a + b)
    mu, sig = math.log(median), math.hypot(sd, s)
    d1 = (mu + sig * sig - math.log(w)) / sig
    excess = math.exp(mu + sig * sig / 2) * norm.cdf(d1) - w * norm.cdf(d1 - sig)
    assert result.net.mean() == pytest.approx(rate * per_hour * excess, rel=0.03)
    assert result.gross.mean() == pytest.approx(rate * per_hour * math.exp(mu + sig * sig / 2), rel=0.03)
    assert np.all(result.net <= result.gross + 1e-6)

    def severity_cdf(x: np.ndarray) -> np.ndarray:
        return lognorm.cdf(x / per_hour + w, s=sig, scale=math.exp(mu))

    rep = report(result, book)
    for point in rep.curve:
        if point.return_period > 500 or point.aep <= 0:
            continue
        sf = compound_sf(rate, severity_cdf, float(point.aep) * 4, np.array([point.aep]))[0]
        assert sf == pytest.approx(1 / point.return_period, rel=0.12), point


def test_thinned_walk_equals_the_walk_over_every_hit(systemic: SystemicFile, monkeypatch: pytest.MonkeyPatch) -> None:
    book = synthetic_book(400, systemic, seed=8)
    years = 40_000
    thinned = compile_run(book, systemic)
    assert thinned.groups[0][-1] > 0
    monkeypatch.setattr(engine, "MAX_GROUPS", -1)
    monkeypatch.setattr(engine, "MEMBERS_PER_GROUP", 10**9)
    every = compile_run(book, systemic)
    assert every.groups[0][-1] == 0
    a = run_portfolio(thinned, years=years, threads=2, seed=3)
    b = run_portfolio(every, years=years, threads=2, seed=4)
    for j, sid in enumerate(("own", *a.scenario_ids)):
        x, y = a.by_source[:, j], b.by_source[:, j]
        se = math.sqrt((x.var() + y.var()) / years)
        assert abs(x.mean() - y.mean()) < 4.5 * se + 1e-9, sid
    se = math.sqrt((a.gross.var() + b.gross.var()) / years)
    assert abs(a.gross.mean() - b.gross.mean()) < 4.5 * se
    # the whole distribution of the book's net year loss, not only its mean
    qs = (0.5, 0.9, 0.99)
    np.testing.assert_allclose(np.quantile(a.net, qs), np.quantile(b.net, qs), rtol=0.06)
    assert np.all(a.net <= a.gross + 1e-6)
