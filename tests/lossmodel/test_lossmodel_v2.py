"""Loss model v2: spliced severity closed forms, event composition, common shock, annual sublimits,
the shared Terms, the limit needed and the tower in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insurable.lossmodel import kernel_fast
from insurable.lossmodel.arrays import PerilArrays, simple_terms, stack_terms
from insurable.lossmodel.engine import simulate
from insurable.lossmodel.metrics import NonzeroStats
from insurable.lossmodel.severity import Spliced
from insurable.lossmodel.streams import Stream, run_key
from tests.lossmodel.helpers import perils

TRIALS = 200_000


def spliced_perils(main: Spliced, lam: float = 1.0, **extra: object) -> PerilArrays:
    base = perils([lam], [math.exp(main.mu)], [main.sigma], **extra)  # type: ignore[arg-type]
    return PerilArrays(
        **{**base.__dict__, "tail_z": np.array([main.z_t]), "tail_xi": np.array([main.xi])}  # type: ignore[arg-type]
    )


SEV = Spliced.from_quantile(math.log(30_000), 1.6, 0.9, 0.6)


def test_spliced_closed_forms_are_consistent():
    # The quantile function inverts the survival function, in the body and in the tail.
    for p in (0.3, 0.5, 0.89, 0.95, 0.999):
        assert SEV.survival(SEV.quantile(p)) == pytest.approx(1 - p, rel=1e-9)
    # The tail keeps the body's probability above the threshold and is continuous there.
    assert SEV.survival(SEV.threshold) == pytest.approx(0.1, rel=1e-12)
    assert SEV.sample(SEV.z_t) == pytest.approx(SEV.threshold)
    # LEV by numerical integration of the survival function.
    xs = np.linspace(0, 2e6, 400_001)
    surv = np.array([SEV.survival(x) for x in xs[::100]])
    approx = np.trapezoid(surv, xs[::100])
    assert SEV.lev(2e6) == pytest.approx(approx, rel=2e-3)
    # A heavier tail (higher xi) has a higher mean; no tail is the lognormal.
    assert Spliced.from_quantile(SEV.mu, SEV.sigma, 0.9, 0.8).mean() > SEV.mean()
    plain = Spliced(SEV.mu, SEV.sigma)
    assert plain.mean() == pytest.approx(math.exp(SEV.mu + SEV.sigma**2 / 2))


@pytest.mark.parametrize(
    ("deductible", "limit"), [(0.0, math.inf), (10_000.0, 250_000.0), (25_000.0, 1_000_000.0), (0.0, 5_000_000.0)]
)
def test_spliced_limited_expected_value_against_the_kernel(deductible, limit):
    terms = simple_terms(1, deductible=deductible, limit=limit)
    ylt = simulate(spliced_perils(SEV), terms, trials=TRIALS, seed=11, kernel="numpy")
    insured = ylt.insured[0]
    expected = 1.0 * SEV.layer_mean(deductible, limit)
    se = insured.std() / math.sqrt(TRIALS)
    assert abs(insured.mean() - expected) < 5 * se


def test_aggregate_sublimit_caps_the_year_not_each_occurrence():
    model = perils([3.0], [50_000.0], [0.5])
    terms = simple_terms(1)
    terms.sublimit[0, 0] = 100_000.0
    ylt = simulate(model, terms, trials=20_000, seed=3, kernel="numpy")
    assert ylt.insured[0].max() == pytest.approx(100_000.0)
    # Years with several losses pay at most the sublimit in total: far below occurrence-wise capping.
    assert (ylt.insured[0] <= 100_000.0 + 1e-6).all()
    assert (ylt.ground_up > 150_000).any()


def test_second_part_composes_one_occurrence_and_adds_its_mean():
    part = Spliced.from_quantile(math.log(20_000), 1.0, None, 0.0)
    base = spliced_perils(SEV, lam=0.5, split=[[1.0, 0.0]])
    model = PerilArrays(
        **{
            **base.__dict__,
            "theft_p": np.array([0.4]),
            "theft_mu": np.array([part.mu]),
            "theft_sigma": np.array([part.sigma]),
            "theft_split": np.array([[0.0, 1.0]]),
        }
    )
    ylt = simulate(model, simple_terms(2), trials=TRIALS, seed=5, kernel="numpy")
    expected = 0.5 * (SEV.mean() + 0.4 * part.mean())
    se = ylt.ground_up.std() / math.sqrt(TRIALS)
    assert abs(ylt.ground_up.mean() - expected) < 5 * se
    # One deductible per event, shared over both parts.
    ded = simulate(model, simple_terms(2, deductible=1e12), trials=5_000, seed=5, kernel="numpy")
    assert ded.insured[0].max() == 0.0


def test_common_shock_keeps_means_and_correlates_counts():
    base = perils([0.3, 0.3], [1.0, 1.0], [1e-9, 1e-9], split=[[1.0, 0.0], [0.0, 1.0]])
    shocked = PerilArrays(**{**base.__dict__, "shock_mult": np.array([5.0, 5.0]), "shock_p": 0.1})
    for model, correlated in ((base, False), (shocked, True)):
        ylt = simulate(model, simple_terms(2), trials=TRIALS, seed=8, kernel="numpy")
        counts = np.rint(ylt.by_peril.astype(np.float64))
        assert counts.mean(axis=0) == pytest.approx([0.3, 0.3], rel=0.03)
        cov = np.cov(counts.T)[0, 1]
        if correlated:
            # Cov = p(1-p)(m-1)^2 lambda^2 / (1-p+pm)^2 for a Poisson mixture with a two-point shock.
            p, m, lam = 0.1, 5.0, 0.3
            expected = p * (1 - p) * ((m - 1) * lam / (1 - p + p * m)) ** 2
            assert cov == pytest.approx(expected, rel=0.15)
        else:
            assert abs(cov) < 0.01


def _composite_model() -> PerilArrays:
    base = perils(
        [0.6, 0.3, 0.1],
        [50_000.0, 200_000.0, 1_000.0],
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
        }
    )


def _composite_terms():
    a = simple_terms(2, deductible=25_000, limit=500_000, aggregate_limit=750_000)
    a.sublimit[0, 1] = 100_000
    a.wait[0, 0] = 5_000
    a.cap[0, 0] = 300_000
    a.share[0, 1] = 0.9
    assert a.ded_applies is not None
    a.ded_applies[0, 0] = 0.0
    return stack_terms([a, simple_terms(2, deductible=10_000)])


@pytest.mark.skipif(not kernel_fast.AVAILABLE, reason="numba not installed")
def test_fast_kernel_equals_reference_with_tails_parts_shock_and_sublimits():
    model, terms = _composite_model(), _composite_terms()
    ref = simulate(model, terms, trials=20_000, seed=3, kernel="numpy", block_years=4096)
    fast = simulate(model, terms, trials=20_000, seed=3, kernel="numba", block_years=4096)
    np.testing.assert_allclose(fast.ground_up, ref.ground_up, rtol=1e-12)
    np.testing.assert_allclose(fast.by_peril, ref.by_peril, rtol=1e-6)
    np.testing.assert_allclose(fast.insured, ref.insured, rtol=1e-12)
    assert ref.ground_up.max() > 1e6  # the tail is exercised


def test_uncompiled_fast_kernel_equals_reference_composite():
    from insurable.lossmodel import kernel_reference

    model, terms = _composite_model(), _composite_terms()
    out = [(np.empty(400), np.empty((400, 3), np.float32), np.empty((2, 400))) for _ in range(2)]
    stream = Stream(run_key(5), 1_000)
    kernel_reference.run_block(stream, 400, model, terms, *out[0])
    kernel_fast.run_block(stream, 400, model, terms, *out[1], compiled=False)
    for a, b in zip(out[0], out[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    attachment=st.floats(min_value=0, max_value=3e6),
    width=st.one_of(st.just(math.inf), st.floats(min_value=1, max_value=1e30)),
)
def test_nonzero_stats_layer_moments_match_the_sample(attachment, width):
    rng = np.random.default_rng(1)
    sample = np.where(rng.random(20_000) < 0.05, rng.lognormal(11, 1.5, 20_000), 0.0)
    stats = NonzeroStats(sample)
    layer = np.minimum(np.maximum(sample - attachment, 0.0), width)
    assert stats.layer_mean(attachment, width) == pytest.approx(layer.mean(), rel=1e-9, abs=1e-9)
    assert stats.layer_std(attachment, width) == pytest.approx(layer.std(), rel=1e-6, abs=1e-6)
    assert stats.exceedance(attachment) == pytest.approx((sample > attachment).mean())


@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_sparse_table_is_the_dense_one_without_the_quiet_years(kernel):
    if kernel == "numba" and not kernel_fast.AVAILABLE:
        pytest.skip("numba not installed")
    model, terms = _composite_model(), _composite_terms()
    dense = simulate(model, terms, trials=10_000, seed=4, kernel="numpy", block_years=1024)
    sparse = simulate(model, terms, trials=10_000, seed=4, kernel=kernel, block_years=1024, sparse=True, threads=2)
    rows = np.flatnonzero(dense.ground_up > 0)
    assert sparse.sparse and sparse.trials == 10_000
    np.testing.assert_array_equal(sparse.rows, rows)
    np.testing.assert_allclose(sparse.ground_up, dense.ground_up[rows], rtol=1e-12)
    np.testing.assert_allclose(sparse.by_peril, dense.by_peril[rows], rtol=1e-6)
    np.testing.assert_allclose(sparse.insured, dense.insured[:, rows], rtol=1e-12)


def test_counts_have_the_joint_law_of_independent_draws():
    """One uniform for a quiet year, conditional CDFs otherwise: the same law as independent counts."""
    model = perils([0.05, 0.2, 0.01], [1.0, 1.0, 1.0], [1e-9] * 3, split=[[1.0]] * 3, nb=[None, 2.0, None])
    ylt = simulate(model, simple_terms(1), trials=TRIALS, seed=9, kernel="numpy")
    counts = np.rint(ylt.by_peril.astype(np.float64))
    se = counts.std(axis=0) / math.sqrt(TRIALS)
    assert (np.abs(counts.mean(axis=0) - [0.05, 0.2, 0.01]) < 5 * se).all()
    assert counts[:, 1].var() / counts[:, 1].mean() == pytest.approx(2.0, rel=0.05)
    # Independence: P(N0 > 0 and N1 > 0) = P(N0 > 0) P(N1 > 0).
    a, b = counts[:, 0] > 0, counts[:, 1] > 0
    assert (a & b).mean() == pytest.approx(a.mean() * b.mean(), rel=0.15)
    # P(no event) = e^-0.05 x p^n (negative binomial: p = 1/2, n = 0.2) x e^-0.01.
    assert (counts.sum(axis=1) == 0).mean() == pytest.approx(math.exp(-0.05) * 0.5**0.2 * math.exp(-0.01), rel=0.01)


def test_downtime_adds_hours_times_rate_to_the_bi_coverage():
    """BI as time: exp(bi_mu + bi_sigma z) from the event's own draw, into its coverage (closed form)."""
    base = spliced_perils(SEV, lam=0.5, split=[[1.0, 0.0]])
    rate, median_hours, s = 400.0, 96.0, 1.1
    model = PerilArrays(
        **{
            **base.__dict__,
            "bi_mu": np.array([math.log(median_hours * rate)]),
            "bi_sigma": np.array([s]),
            "bi_cov": np.array([1]),
        }
    )
    only_bi = simple_terms(2)
    only_bi.share[0, 0] = 0.0  # pay the BI coverage only
    ylt = simulate(model, only_bi, trials=TRIALS, seed=12, kernel="numpy")
    expected = 0.5 * median_hours * rate * math.exp(s * s / 2)
    se = ylt.insured[0].std() / math.sqrt(TRIALS)
    assert abs(ylt.insured[0].mean() - expected) < 5 * se
    assert (ylt.ground_up >= ylt.insured[0]).all()  # the hours are part of the event's ground-up loss
    if kernel_fast.AVAILABLE:
        fast = simulate(model, only_bi, trials=20_000, seed=12, kernel="numba")
        ref = simulate(model, only_bi, trials=20_000, seed=12, kernel="numpy")
        np.testing.assert_allclose(fast.insured, ref.insured, rtol=1e-12)
