"""Common random numbers: under one seed, a control (or better terms) lowers the loss in every
trial-year, not only on average (issue 9: "a control never raises expected loss"; issue 10: no
fix-path step worsens the retained loss)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insurable.catalog import load_catalog
from insurable.catalog.loader import Catalog
from insurable.lossmodel import kernel_fast
from insurable.lossmodel.arrays import PerilArrays, TermArrays, simple_terms, stack_terms
from insurable.lossmodel.engine import simulate
from insurable.lossmodel.organisation import (
    coverage_order,
    hazard_multiplier,
    organisation_perils,
    perils_file,
    requested_terms,
)
from insurable.lossmodel.terms import compile_terms, hourly_rate, with_deductible
from insurable.profile import load_organisation
from insurable.underwriting.answers import with_control_in_place
from tests.lossmodel.helpers import perils

CATALOG = load_catalog()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _model() -> PerilArrays:
    """Three event types over two coverages: tails, a second part, a common shock and downtime."""
    base = perils(
        [0.4, 0.2, 0.1],
        [50_000.0, 200_000.0, 5_000.0],
        [1.6, 1.2, 1.0],
        split=[[0.7, 0.3], [0.0, 1.0], [1.0, 0.0]],
        nb=[None, 2.5, None],
    )
    return PerilArrays(
        **{
            **base.__dict__,
            "tail_z": np.array([1.28, math.inf, 1.0]),
            "tail_xi": np.array([0.6, 0.0, 0.0]),
            "theft_p": np.array([0.5, 0.0, 0.0]),
            "theft_mu": np.array([math.log(20_000), 0.0, 0.0]),
            "theft_sigma": np.array([1.2, 1.0, 1.0]),
            "theft_tail_z": np.array([1.5, math.inf, math.inf]),
            "theft_tail_xi": np.array([0.4, 0.0, 0.0]),
            "theft_split": np.array([[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]),
            "shock_mult": np.array([3.0, 1.0, 5.0]),
            "shock_p": 0.05,
            "bi_mu": np.array([math.log(30_000), 0.0, 0.0]),
            "bi_sigma": np.array([0.8, 0.0, 0.0]),
            "bi_cov": np.array([0, -1, -1], dtype=np.int64),
        }
    )


def _scaled(model: PerilArrays, freq: list[float], sev: list[float]) -> PerilArrays:
    """The model with each type's frequency and severity (every part, downtime too) multiplied."""
    f, s = np.array(freq), np.log(np.array(sev))
    assert model.theft_mu is not None and model.bi_mu is not None
    return PerilArrays(
        **{
            **model.__dict__,
            "mean": model.mean * f,
            "nb_n": model.nb_n * f,
            "mu": model.mu + s,
            "theft_mu": model.theft_mu + s,
            "bi_mu": model.bi_mu + s,
        }
    )


def _terms(ded: float, sub: float, share: float, limit: float, wait: float) -> TermArrays:
    t = simple_terms(2, deductible=ded, limit=limit, aggregate_limit=1.5 * limit)
    t.sublimit[0, 1] = sub
    t.share[0, 1] = share
    t.wait[0, 0] = wait
    t.cap[0, 0] = 400_000
    assert t.ded_applies is not None
    t.ded_applies[0, 0] = 0.0
    return t


factor = st.floats(min_value=0.0, max_value=1.0)
sev_factor = st.floats(min_value=0.05, max_value=1.0)


@SETTINGS
@given(
    freq=st.lists(factor, min_size=3, max_size=3),
    sev=st.lists(sev_factor, min_size=3, max_size=3),
    better=st.tuples(factor, st.floats(1.0, 10.0), factor, st.floats(1.0, 10.0), factor),
    seed=st.integers(0, 2**32 - 1),
)
def test_lower_frequency_severity_and_better_terms_lower_every_trial_year(freq, sev, better, seed):
    """Same seed: lower frequencies, lower severities, a lower deductible, a sublimit or limit
    lifted, an exclusion or coinsurance lifted, a shorter waiting period: the ground-up loss of
    every event type and the retained loss fall in every trial-year."""
    ded, sub, share, limit, wait = 25_000.0, 100_000.0, 0.0, 500_000.0, 5_000.0
    d, s_up, share_up, l_up, w = better
    before = stack_terms([_terms(ded, sub, share, limit, wait), simple_terms(2, deductible=10_000)])
    after = stack_terms(
        [_terms(ded * d, sub * s_up, share + (1 - share) * share_up, limit * l_up, wait * w), simple_terms(2)]
    )
    model = _model()
    high = simulate(model, before, trials=1_500, seed=seed, kernel="numpy")
    low = simulate(_scaled(model, freq, sev), after, trials=1_500, seed=seed, kernel="numpy")
    assert np.all(low.by_peril <= high.by_peril * (1 + 1e-6) + 1e-3)
    assert np.all(low.ground_up <= high.ground_up * (1 + 1e-12) + 1e-6)
    for k in range(2):
        kept_high = high.ground_up - high.insured[k]
        kept_low = low.ground_up - low.insured[k]
        assert np.all(kept_low <= kept_high + 1e-9 * high.ground_up + 1e-6)
        assert kept_low.mean() <= kept_high.mean() + 1e-6


def test_a_lower_frequency_keeps_a_subset_of_the_events_with_the_same_severities():
    """Halving a frequency removes events; the years that keep their count keep their losses."""
    model = _model()
    high = simulate(model, simple_terms(2), trials=20_000, seed=11, kernel="numpy")
    low = simulate(_scaled(model, [0.5, 1.0, 1.0], [1.0] * 3), simple_terms(2), trials=20_000, seed=11, kernel="numpy")
    np.testing.assert_array_equal(low.by_peril[:, 1:], high.by_peril[:, 1:])  # other types untouched
    fewer = low.by_peril[:, 0] < high.by_peril[:, 0]
    same = low.by_peril[:, 0] == high.by_peril[:, 0]
    assert np.all(fewer | same)
    assert fewer.sum() > 100 and (same & (high.by_peril[:, 0] > 0)).sum() > 100
    # Loss count roughly halves and the mean severity of the events kept is unchanged in law.
    assert low.by_peril[:, 0].mean() == pytest.approx(0.5 * high.by_peril[:, 0].mean(), rel=0.25)


@pytest.mark.skipif(not kernel_fast.AVAILABLE, reason="numba not installed")
def test_the_fast_kernel_is_monotone_too_and_equals_the_reference():
    model, lower = _model(), _scaled(_model(), [0.7, 0.2, 1.0], [0.8, 1.0, 0.5])
    terms = stack_terms([_terms(25_000, 100_000, 0.5, 500_000, 5_000), simple_terms(2)])
    for m in (model, lower):
        ref = simulate(m, terms, trials=20_000, seed=4, kernel="numpy", block_years=3_000)
        fast = simulate(m, terms, trials=20_000, seed=4, kernel="numba", threads=2, block_years=4_096)
        np.testing.assert_allclose(fast.ground_up, ref.ground_up, rtol=1e-12)
        np.testing.assert_allclose(fast.insured, ref.insured, rtol=1e-12)
    high = simulate(model, terms, trials=50_000, seed=4, kernel="numba")
    low = simulate(lower, terms, trials=50_000, seed=4, kernel="numba")
    assert np.all(low.ground_up - low.insured[0] <= high.ground_up - high.insured[0] + 1e-6)


# -- an organisation: random control subsets of an example ------------------------------------------
MSP = load_organisation(EXAMPLES / "dutch-msp.yaml")
CONTROL_IDS = sorted(c.id for c in CATALOG.controls.controls)


def _with_controls(org, controls):
    answers = dict(org.answers)
    for cid in controls:
        answers = with_control_in_place(answers, CATALOG.questionnaire, cid)
    return org.with_answers(answers)


def _kept_per_year(org, trials: int):
    model = perils_file(CATALOG)
    cov = coverage_order(CATALOG, model)
    mult, why = hazard_multiplier(org, CATALOG, model)
    arrays, _, _, _ = organisation_perils(org, model, cov, mult, why, "important")
    terms = requested_terms(org, CATALOG, None, None)
    assert org.annual_turnover_eur is not None
    base, _ = compile_terms(cov, terms, rate_per_hour=hourly_rate(org.annual_turnover_eur, model.business_interruption))
    ylt = simulate(
        arrays,
        with_deductible(base, terms.deductible_eur, unlimited=False),
        trials=trials,
        seed=20261126,
        kernel="numpy",
    )
    return arrays, ylt.ground_up - ylt.insured[0]


@SETTINGS
@given(
    subset=st.sets(st.sampled_from(CONTROL_IDS), max_size=6),
    extra=st.sampled_from(CONTROL_IDS),
    example=st.sampled_from(sorted(EXAMPLES.glob("*.yaml"))),
)
def test_a_control_never_raises_frequency_severity_or_a_years_retained_loss(subset, extra, example):
    org = _with_controls(load_organisation(example), sorted(subset))
    fixed = _with_controls(org, [extra])
    before, kept_before = _kept_per_year(org, 2_000)
    after, kept_after = _kept_per_year(fixed, 2_000)
    assert after.theft_mu is not None and before.theft_mu is not None
    assert after.bi_mu is not None and before.bi_mu is not None
    # Per event type: neither the frequency nor any part's severity rises (the bounds too).
    assert np.all(after.mean <= before.mean * (1 + 1e-12))
    assert np.all(after.mu <= before.mu + 1e-12)
    assert np.all(after.theft_mu <= before.theft_mu + 1e-12)
    assert np.all(after.bi_mu <= before.bi_mu + 1e-12)
    # So, under one seed, no trial-year keeps more.
    assert np.all(kept_after <= kept_before + 1e-6 * (1 + kept_before))
    assert kept_after.mean() <= kept_before.mean() + 1e-9


def test_the_catalogue_refuses_an_effect_that_raises_one_dimension_with_the_control():
    from insurable.lossmodel.checks import check_effect_dimensions

    assert check_effect_dimensions(CATALOG) == []
    model = perils_file(CATALOG)
    i, peril = next((i, p) for i, p in enumerate(model.perils) if any(e.control and e.in_place for e in p.effects))
    j, effect = next((j, e) for j, e in enumerate(peril.effects) if e.control and e.in_place)
    bad = effect.model_copy(update={"frequency": 0.5, "severity": 1.2})  # product 0.6: a credit, yet severity rises
    effects = list(peril.effects)
    effects[j] = bad
    perils_ = list(model.perils)
    perils_[i] = peril.model_copy(update={"effects": tuple(effects)})
    files = {**CATALOG.files, "perils.yaml": model.model_copy(update={"perils": tuple(perils_)})}
    catalog = Catalog(directory=CATALOG.directory, files=files, paths=dict(CATALOG.paths))
    problems = check_effect_dimensions(catalog)
    assert [p.path for p in problems] == [f"perils[{i}].effects[{j}].severity"]
    assert "must not raise" in problems[0].reason
