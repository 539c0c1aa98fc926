"""The kernel's own random numbers (kernel.py): xoshiro256** bits, the uniform, the ziggurat normal,
and the normal truncated at c by inversion of its uniform (AS 241, ``vecmath.vndtri``, as the thinned
outages draw them), checked against published outputs,
scipy's quantile and closed forms (fixed seeds: KS and moments), and the whole kernel in Python against
the compiled one."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from insurable.portfolio import engine, vecmath
from insurable.portfolio import kernel as kmod
from insurable.portfolio.catalog import SystemicFile
from insurable.portfolio.engine import compile_run, run_portfolio
from insurable.portfolio.synthetic import synthetic_book


@pytest.fixture(scope="module")
def jitted() -> object:
    kmod.kernel()  # binds the numba helpers (module globals) when numba is there
    return kmod


def _state(words: tuple[int, int, int, int] = (1, 2, 3, 4)) -> np.ndarray:
    return np.array(words, dtype=np.uint64)


def test_xoshiro_matches_the_reference_outputs_in_python_and_numba(jitted: object) -> None:
    # xoshiro256** from state (1, 2, 3, 4): 11520, 0, 1509978240, 1215971899390074240 (the
    # reference C code); the kernel keeps the top 53 bits
    st = _state()
    assert [kmod._next53_py(st) for _ in range(4)] == [v >> 11 for v in (11520, 0, 1509978240, 1215971899390074240)]
    a, b = _state((7, 11, 13, 17)), _state((7, 11, 13, 17))
    assert [kmod._next53_py(a) for _ in range(500)] == [int(kmod._next53(b)) for _ in range(500)]
    assert np.array_equal(a, b)


def test_uniform_is_open_and_uniform(jitted: object) -> None:
    st = _state((3, 5, 8, 13))
    u = np.array([kmod._uniform(st) for _ in range(50_000)])
    assert u.min() > 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3


def test_ndtri_matches_scipy_to_double_precision(jitted: object) -> None:
    p = np.concatenate([np.linspace(1e-6, 1 - 1e-6, 20_001), np.logspace(-300, -1, 600), 1 - np.logspace(-15, -1, 300)])
    ours = np.array([vecmath.vndtri(float(x)) for x in p])
    ref = special.ndtri(p)
    assert np.max(np.abs(ours - ref) / np.maximum(1.0, np.abs(ref))) < 1e-13


def test_normal_matches_the_standard_normal(jitted: object) -> None:
    st = _state((21, 34, 55, 89))
    z = np.array([vecmath.vndtri(kmod._uniform(st)) for _ in range(100_000)])
    assert stats.kstest(z, "norm").pvalue > 1e-3
    assert abs(z.mean()) < 0.015 and abs(z.var() - 1.0) < 0.02


def test_ziggurat_layers_have_equal_areas() -> None:
    # layer i >= 1 is the rectangle x_i x (f(x_{i-1}) - f(x_i)); every one has the area v of the
    # base layer (the strip below f(r) to r plus the tail beyond r)
    r = kmod._ZIG_R
    v = r * math.exp(-0.5 * r * r) + math.sqrt(math.pi / 2.0) * math.erfc(r / math.sqrt(2.0))
    x = kmod._WI * 2.0**52
    areas = x[2:] * (kmod._FI[1:-1] - kmod._FI[2:])
    assert np.allclose(areas, v, rtol=1e-9)
    assert kmod._FI[1:] == pytest.approx(np.exp(-0.5 * x[1:] ** 2), rel=1e-12)
    assert kmod._KI[2:] == pytest.approx(np.floor(x[1:-1] / x[2:] * 2.0**52), rel=1e-12)


def test_ziggurat_normal_is_standard_normal_in_python_and_numba(jitted: object) -> None:
    a, b = _state((5, 8, 13, 21)), _state((5, 8, 13, 21))
    assert [kmod._normal_py(a) for _ in range(5_000)] == [kmod._normal(b) for _ in range(5_000)]
    st = _state((34, 55, 89, 144))
    z = np.array([kmod._normal(st) for _ in range(200_000)])
    assert stats.kstest(z, "norm").pvalue > 1e-3
    assert abs(z.mean()) < 0.01 and abs(z.var() - 1.0) < 0.015
    beyond = int((np.abs(z) > kmod._ZIG_R).sum())  # the tail's own rejection step
    expected = z.size * 2.0 * stats.norm.sf(kmod._ZIG_R)
    assert abs(beyond - expected) < 5.0 * math.sqrt(expected)
    assert z[np.abs(z) > kmod._ZIG_R].size > 0


def test_chunk_fills_draw_the_same_bits_as_one_draw_at_a_time(jitted: object) -> None:
    # the kernel draws a chunk's uniforms and normals with the state in registers
    a, b = _state((2, 7, 1, 8)), _state((2, 7, 1, 8))
    buf = np.empty(5_000)
    kmod._fill_normal(a, buf, 5_000)  # 5,000 normals: some go through the rejection steps
    assert buf.tolist() == [kmod._normal_py(b) for _ in range(5_000)]
    kmod._fill_uniform(a, buf, 700, 3.0)
    assert buf[:700].tolist() == [kmod._uniform(b) * 3.0 for _ in range(700)]
    assert np.array_equal(a, b)


@pytest.mark.parametrize(("a", "b"), [(2.0, 6.0), (3.0, 3.0), (1.0, 19.0), (1.0, 49.0), (0.4, 2.5)])
def test_beta_is_the_beta_distribution(jitted: object, a: float, b: float) -> None:
    # an event's hit share: Ga / (Ga + Gb), Marsaglia & Tsang's gamma (boosted below a = 1)
    st = _state((4, 6, 8, 10))
    h = np.array([kmod._beta(st, a, b) for _ in range(40_000)])
    assert h.min() >= 0.0 and h.max() <= 1.0
    assert stats.kstest(h, stats.beta(a, b).cdf).pvalue > 1e-3
    assert h.mean() == pytest.approx(a / (a + b), abs=4 * stats.beta(a, b).std() / math.sqrt(h.size))


@pytest.mark.parametrize("c", [-3.0, -0.2, 0.4, 1.7, 6.0, 25.0])
def test_above_is_the_normal_truncated_at_c(jitted: object, c: float) -> None:
    q = 0.5 * math.erfc(c / math.sqrt(2.0))
    st = _state((1, 1, 2, 3))
    z = np.array([-vecmath.vndtri(kmod._uniform(st) * q) for _ in range(40_000)])
    assert z.min() > c
    dist = stats.truncnorm(c, np.inf)
    assert stats.kstest(z, dist.cdf).pvalue > 1e-3
    assert z.mean() == pytest.approx(dist.mean(), abs=4 * dist.std() / math.sqrt(z.size))


def test_the_python_kernel_and_the_compiled_one_agree_bit_for_bit(
    jitted: object, systemic: SystemicFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = compile_run(synthetic_book(200, systemic), systemic)
    fast = run_portfolio(compiled, years=150, block_years=50, threads=1, seed=5)
    monkeypatch.setattr(engine, "kernel", lambda: kmod._kernel)
    slow = run_portfolio(compiled, years=150, block_years=50, threads=1, seed=5)
    assert np.array_equal(fast.net, slow.net) and np.array_equal(fast.gross, slow.gross)
    assert np.array_equal(fast.by_source, slow.by_source) and np.array_equal(fast.insured_sum, slow.insured_sum)
