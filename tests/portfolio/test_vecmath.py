"""The kernel's vectorisable ln, exp and normal quantile (vecmath.py): accuracy against the C
library and scipy, the plain-Python versions bit for bit equal to the compiled ones, the domains'
edges, and that the compiled loop is SIMD code."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtri

from insurable.portfolio import vecmath as vm

numba = pytest.importorskip("numba")

PY = {name: getattr(vm, name) for name in ("vlog", "vexp", "vndtri")}
FAST = vm.jit()


def _ulps(got: np.ndarray, ref: np.ndarray) -> float:
    return float((np.abs(got - ref) / np.spacing(np.abs(ref))).max())


@numba.njit(error_model="numpy")
def _loop_ndtri(p: np.ndarray, out: np.ndarray) -> None:
    for i in range(p.shape[0]):
        out[i] = vm.vndtri(p[i])


def _compiled(name: str, xs: np.ndarray) -> np.ndarray:
    f = FAST[name]
    return np.array([f(float(x)) for x in xs])


def _samples() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    u = np.concatenate([rng.uniform(0, 1, 4000), 10 ** rng.uniform(-300, 0, 4000), [2.0**-54, 0.5, 1 - 2.0**-53]])
    x = np.concatenate([rng.uniform(-707.9, 708.9, 4000), rng.uniform(-3, 3, 4000), [0.0, -0.0, 1e-300, -1e-300]])
    return {"u": u, "x": x}


def test_ln_and_exp_are_within_one_ulp_of_the_c_library() -> None:
    s = _samples()
    assert _ulps(_compiled("vlog", s["u"]), np.log(s["u"])) <= 1.0
    assert _ulps(_compiled("vexp", s["x"]), np.exp(s["x"])) <= 1.0


def test_the_quantile_matches_scipy_to_a_few_ulp() -> None:
    u = _samples()["u"]
    got = _compiled("vndtri", u)
    ref = ndtri(u)
    assert float((np.abs(got - ref) / np.maximum(np.abs(ref), 1e-300)).max()) < 5e-15
    assert got[u == 0.5][0] == 0.0


def test_the_edges_of_exp() -> None:
    f = FAST["vexp"]
    assert f(-math.inf) == 0.0 and f(-708.5) == 0.0 and f(-800.0) == 0.0
    assert f(709.5) == math.inf and f(math.inf) == math.inf
    assert f(0.0) == 1.0


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=2.0**-60, max_value=1.0, exclude_max=True), st.floats(min_value=-720, max_value=720))
def test_python_and_compiled_agree_bit_for_bit(u: float, x: float) -> None:
    assert PY["vlog"](u) == FAST["vlog"](u)
    assert PY["vexp"](x) == FAST["vexp"](x)
    assert PY["vndtri"](u) == FAST["vndtri"](u)


def test_a_loop_over_the_quantile_compiles_to_simd() -> None:
    p = np.linspace(1e-9, 1 - 1e-9, 64)
    out = np.empty_like(p)
    _loop_ndtri(p, out)
    asm = _loop_ndtri.inspect_asm(_loop_ndtri.signatures[0])
    assert "vdivpd" in asm  # packed double division: 4 or 8 quantiles at once
    np.testing.assert_allclose(out, ndtri(p), rtol=1e-14)
