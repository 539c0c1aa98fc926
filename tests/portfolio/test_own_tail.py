"""Own events with the loss model's spliced severity (lognormal body, generalised Pareto tail):
the mean matched to the loss model, the kernel's tail draw against ``Spliced.sample``, the largest
own event of a year against its closed form, and the tail taken from the catalogue's perils."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from insurable.catalog.loader import load_catalog
from insurable.lossmodel.severity import Spliced
from insurable.portfolio import kernel as kmod
from insurable.portfolio.book import Insured, LossParams, book_from_insureds, loss_params, own_severity
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.engine import compile_run, run_portfolio
from insurable.profile import load_organisation
from tests.portfolio.helpers import one_scenario, plain_insured


def _tailed(i: int, frequency: float, quantile: float | None, shape: float) -> Insured:
    ins = plain_insured(i, frequency=frequency)
    loss = ins.loss.model_copy(update={"event_tail_quantile": quantile, "event_tail_shape": shape})
    return ins.model_copy(update={"loss": loss})


@pytest.mark.parametrize(("quantile", "shape"), [(None, 0.0), (0.9, 0.0), (0.9, 0.5), (0.75, 0.3), (0.99, 0.9)])
def test_the_mean_is_the_loss_models_event_mean(quantile: float | None, shape: float) -> None:
    p = LossParams(
        frequency=0.1,
        event_mean_eur=80_000,
        event_sigma=1.6,
        event_tail_quantile=quantile,
        event_tail_shape=shape,
        compromise_median_eur=1,
        compromise_sigma=1,
        downtime_median_hours=0,
        downtime_sigma=0,
        hourly_rate_eur=0,
    )
    mu, z_t, xi = own_severity(p)
    assert Spliced(mu, 1.6, z_t, xi).mean() == pytest.approx(80_000, rel=1e-9)
    assert math.isinf(z_t) == (quantile is None)


@pytest.mark.parametrize("xi", [0.0, 0.3, 0.7])
def test_the_kernels_tail_draw_is_spliced_sample(xi: float) -> None:
    sev = Spliced.from_quantile(9.0, 1.4, 0.9, xi)
    kmod.kernel()  # binds the compiled helpers when numba is there
    for z in (sev.z_t + 1e-9, 1.5, 2.0, 3.3, 5.0, 8.0):
        if z <= sev.z_t:
            continue
        assert kmod._gpd(z, sev.threshold, sev.beta, sev.q, xi) == pytest.approx(sev.sample(z), rel=1e-12)


def test_the_largest_own_event_of_a_year_follows_the_closed_form(systemic: SystemicFile) -> None:
    # n identical insureds, no terms: the year's largest own loss M has P(M <= x) = exp(-n f S(x))
    n, f, years = 4, 0.3, 200_000
    sysf = one_scenario(systemic)  # no insured has the vendor: own events only
    book = book_from_insureds([_tailed(i, f, 0.9, 0.5) for i in range(n)], sysf)
    result = run_portfolio(compile_run(book, sysf), years=years, threads=2, seed=11)
    mu, z_t, xi = own_severity(_tailed(0, f, 0.9, 0.5).loss)
    sev = Spliced(mu, 1.0, z_t, xi)
    for p in (0.5, 0.9, 0.99, 0.999, 0.9999):
        x = sev.quantile(p)
        expected = 1.0 - math.exp(-n * f * sev.survival(x))
        observed = float((result.max_occurrence > x).mean())
        se = math.sqrt(expected * (1 - expected) / years)
        assert abs(observed - expected) < 5 * se, (p, observed, expected)
    assert result.gross.mean() == pytest.approx(n * f * 50_000, rel=0.1)  # xi = 0.5: a slow mean


def test_a_tail_raises_the_books_tail_but_not_its_mean(systemic: SystemicFile) -> None:
    sysf = one_scenario(systemic)  # no insured has the vendor: own events only
    runs = {}
    for q in (None, 0.9):
        book = book_from_insureds([_tailed(i, 0.2, q, 0.5) for i in range(20)], sysf)
        runs[q] = run_portfolio(compile_run(book, sysf), years=100_000, threads=2, seed=3).gross
    assert runs[0.9].mean() == pytest.approx(runs[None].mean(), rel=0.1)
    assert np.quantile(runs[0.9], 0.999) > 1.5 * np.quantile(runs[None], 0.999)


def test_an_organisations_own_events_take_the_catalogues_tails() -> None:
    catalog = load_catalog()
    org = load_organisation(Path(__file__).parents[2] / "examples" / "dutch-msp.yaml")
    p = loss_params(org, catalog)
    assert p.event_tail_quantile is not None and 0.75 <= p.event_tail_quantile <= 0.99
    assert 0.3 <= p.event_tail_shape <= 0.8  # a blend of the perils' shapes, 0.3-0.8 in perils.yaml


def test_a_compromise_takes_the_ransomware_tail(systemic: SystemicFile) -> None:
    # one compromise scenario on identical insureds, no downtime, no terms: a year's mean gross is
    # events x hits x the spliced mean, and a tail lifts the book's 1-in-1000 at the same median
    sysf = one_scenario(systemic, loss="compromise", duration=None, frequency=0.5, coverage="cov.business_interruption")
    runs = {}
    for q, xi in ((None, 0.0), (0.9, 0.3)):
        insureds = []
        for i in range(10):
            ins = plain_insured(i, vendor=f"v{i}")
            update = {"compromise_tail_quantile": q, "compromise_tail_shape": xi}
            insureds.append(ins.model_copy(update={"loss": ins.loss.model_copy(update=update)}))
        book = book_from_insureds(insureds, sysf)
        runs[q] = run_portfolio(compile_run(book, sysf), years=100_000, threads=2, seed=7).gross
        sev = Spliced.from_quantile(math.log(20_000), 1.0, q, xi)
        factor = sysf.scenarios[0].severity_factor
        expected = 10 * 0.5 * (2.0 / 5.0) * sev.mean() * factor  # insureds x frequency x E[h] x mean
        assert runs[q].mean() == pytest.approx(expected, rel=0.05), q
    # the same seed draws the same normals: above the splice the Pareto quantile is the larger
    assert np.quantile(runs[0.9], 0.999) > np.quantile(runs[None], 0.999)
    assert np.quantile(runs[0.9], 0.5) == pytest.approx(np.quantile(runs[None], 0.5), rel=0.02)


def test_bad_tail_fields_in_an_oed_file_are_named(systemic: SystemicFile, tmp_path: Path) -> None:
    import csv

    from insurable.errors import InputError
    from insurable.portfolio.oed import read_oed, write_oed

    insureds = [_tailed(i, 0.1, 0.9, 0.5) for i in range(3)]
    loc, acc = tmp_path / "loc.csv", tmp_path / "acc.csv"
    write_oed(insureds, loc, acc, systemic)
    with loc.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["FlexiLocEventTailQuantile"] = "1.5"
    rows[1]["FlexiLocCompromiseTailShape"] = "abc"
    rows[2]["FlexiLocEventTailQuantile"] = ""
    with loc.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(InputError) as err:
        read_oed(loc, acc, load_catalog(), systemic)
    found = {(p.line, p.path) for p in err.value.problems}
    assert found == {
        (2, "FlexiLocEventTailQuantile"),
        (3, "FlexiLocCompromiseTailShape"),
        (4, "FlexiLocEventTailShape"),
    }, err.value.problems
    assert all("\n" not in p.reason for p in err.value.problems)
