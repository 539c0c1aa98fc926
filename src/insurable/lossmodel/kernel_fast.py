"""The fast kernel: one loop over trial-years and their losses, compiled with numba when available.

It uses the same addressed draws as :mod:`insurable.lossmodel.kernel_reference` (streams.py: per
year a shock uniform, per (year, type) a count uniform, per event three draws addressed by its
number in the (year, type) cell), so it matches the reference to rounding (``exp`` and ``log`` may
differ in the last bit). Per occurrence it applies every term set inline and keeps nothing per
event: memory is the outputs plus a few per-type buffers; a year without a loss costs one hash and
one comparison per event type.

numba is optional (``pip install insurable[fast]``): without it :data:`AVAILABLE` is false and the
engine runs the NumPy reference kernel instead. numba is imported on first use (:func:`jitted`).
The jitted function is compiled with ``nogil=True`` so blocks run in parallel on threads, and
``cache=True`` so the compilation (several seconds) happens once per machine.
"""

from __future__ import annotations

import importlib.util
import math
import threading
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from insurable.lossmodel import streams
from insurable.lossmodel.arrays import F64, PerilArrays, Prepared, TailArrays, TermArrays, prepare

_SHOCK = streams.SHOCK
_TWO_M53 = streams.TWO_M53

# The draws' addresses (streams.py): Python-int versions here, rebound to numba uint64 versions by
# _compile, so the plain-Python loop and the compiled one compute the same hashes.
_upper_z = streams.upper_z
_unit = streams.unit
_open_unit = streams.open_unit


def _cell_hash(key: Any, year: int, kind: int) -> Any:
    return streams.cell_hash(int(key), year, kind)


def _draw_hash(cell: Any, j: int) -> Any:
    return streams.draw_hash(int(cell), j)


_U_G = np.uint64(streams.GOLDEN)
_U_KIND = np.uint64(streams.KIND_BITS)
_U_M1 = np.uint64(streams.M1)
_U_M2 = np.uint64(streams.M2)
_U11, _U27, _U30, _U31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)


def _mix_u64(z: Any) -> Any:
    z = (z ^ (z >> _U30)) * _U_M1
    z = (z ^ (z >> _U27)) * _U_M2
    return z ^ (z >> _U31)


def _cell_hash_u64(key: Any, year: int, kind: int) -> Any:
    return _mix_u64(key + ((np.uint64(year + 1) << _U_KIND) | np.uint64(kind)) * _U_G)


def _draw_hash_u64(cell: Any, j: int) -> Any:
    return _mix_u64(cell + np.uint64(j + 1) * _U_G)


def _unit_u64(h: Any) -> float:
    return float(np.int64(h >> _U11)) * _TWO_M53  # 53 bits: a signed conversion, cheaper


def _open_unit_u64(h: Any) -> float:
    return (float(np.int64(h >> _U11)) + 0.5) * _TWO_M53


def _severity(  # noqa: PLR0913
    mu: float, sigma: float, w: float, z: float, zt: float, t: float, q: float, beta: float, xi: float
) -> float:
    """The spliced lognormal/GPD severity for the upper-tail probability ``w``, ``z`` its normal
    (``Phi(-z) = w``; severity.py)."""
    if z <= zt:
        return math.exp(mu + sigma * z)
    s = w / q
    if xi == 0.0:
        return t - beta * math.log(s)
    return t + beta / xi * (math.pow(s, -xi) - 1.0)


def _kernel(  # noqa: PLR0913, PLR0912, PLR0915 - a flat kernel takes flat arrays
    key: Any,
    first_year: int,
    n_years: int,
    cdf: Any,
    cdf_len: Any,
    shock_p: float,
    mu: Any,
    sigma: Any,
    tail: Any,
    split: Any,
    theft_p: Any,
    theft_mu: Any,
    theft_sigma: Any,
    theft_tail: Any,
    theft_split: Any,
    bi_mu: Any,
    bi_sigma: Any,
    bi_cov: Any,
    deductible: Any,
    occurrence_limit: Any,
    aggregate_limit: Any,
    cov_deductible: Any,
    sublimit: Any,
    wait: Any,
    cap: Any,
    share: Any,
    applies: Any,
    counts: Any,
    cells: Any,
    parts: Any,
    g: Any,
    used: Any,
    year_paid: Any,
    out_ground_up: Any,
    out_by_peril: Any,
    out_insured: Any,
    compact: bool,
    out_rows: Any,
) -> int:
    n_perils = mu.shape[0]
    n_sets = deductible.shape[0]
    n_cov = split.shape[1]
    m = 0  # the output row: y, or with ``compact`` the next kept row (years with a loss only)
    for y in range(n_years):
        # Every draw is addressed by (year, type, event): nothing here depends on what others drew.
        year = first_year + y
        state = 0
        if shock_p > 0.0 and _unit(_cell_hash(key, year, _SHOCK)) < shock_p:
            state = 1
        any_event = False
        for p in range(n_perils):
            h = _cell_hash(key, year, p)
            cells[p] = h
            v = _unit(h)
            # Count the CDF entries at or below v (searchsorted(side="right") on a rising CDF); the
            # scan stops at the first larger entry: almost always the first (no event).
            size = cdf_len[state, p]
            k = 0
            while k < size and cdf[state, p, k] <= v:
                k += 1
            counts[p] = k
            if k > 0:
                any_event = True
        if not any_event:
            if not compact:
                out_ground_up[y] = 0.0
                for p in range(n_perils):
                    out_by_peril[y, p] = 0.0
                for k in range(n_sets):
                    out_insured[k, y] = 0.0
            continue
        row = m if compact else y
        ground_up = 0.0
        for k in range(n_sets):
            year_paid[k] = 0.0
            for c in range(n_cov):
                used[k, c] = 0.0
        for p in range(n_perils):
            peril_total = 0.0
            for i in range(counts[p]):
                w = _open_unit(_draw_hash(cells[p], 3 * i))
                z = _upper_z(w)
                x = _severity(mu[p], sigma[p], w, z, tail[0, p], tail[1, p], tail[2, p], tail[3, p], tail[4, p])
                xb = 0.0
                if bi_cov[p] >= 0:
                    xb = math.exp(bi_mu[p] + bi_sigma[p] * z)
                x2 = 0.0
                if theft_p[p] > 0.0 and _unit(_draw_hash(cells[p], 3 * i + 1)) < theft_p[p]:
                    w2 = _open_unit(_draw_hash(cells[p], 3 * i + 2))
                    x2 = _severity(
                        theft_mu[p],
                        theft_sigma[p],
                        w2,
                        _upper_z(w2),
                        theft_tail[0, p],
                        theft_tail[1, p],
                        theft_tail[2, p],
                        theft_tail[3, p],
                        theft_tail[4, p],
                    )
                total_x = x + x2 + xb
                ground_up += total_x
                peril_total += total_x
                for c in range(n_cov):
                    parts[c] = x * split[p, c] + x2 * theft_split[p, c]
                if bi_cov[p] >= 0:
                    parts[bi_cov[p]] += xb
                if n_cov == 1:
                    # One coverage: the same steps without the loops over coverages (the policy
                    # deductible comes off directly; the general path gives it up to rounding).
                    for k in range(n_sets):
                        gc = min(max(parts[0] - wait[k, 0], 0.0), cap[k, 0])
                        gc = max(gc - cov_deductible[k, 0], 0.0)
                        if applies[k, 0] > 0.0:
                            gc = max(gc - deductible[k], 0.0)
                        e = min(gc, sublimit[k, 0] - used[k, 0])
                        used[k, 0] += e
                        year_paid[k] += min(e * share[k, 0], occurrence_limit[k])
                    continue
                for k in range(n_sets):
                    total = 0.0
                    for c in range(n_cov):
                        gc = min(max(parts[c] - wait[k, c], 0.0), cap[k, c])
                        gc = max(gc - cov_deductible[k, c], 0.0)
                        g[c] = gc
                        if applies[k, c] > 0.0:
                            total += gc
                    ratio = 0.0
                    if total > 0.0:
                        ratio = max(total - deductible[k], 0.0) / total
                    paid = 0.0
                    for c in range(n_cov):
                        gc = g[c]
                        if applies[k, c] > 0.0:
                            gc = gc * ratio
                        e = min(gc, sublimit[k, c] - used[k, c])
                        used[k, c] += e
                        paid += e * share[k, c]
                    year_paid[k] += min(paid, occurrence_limit[k])
            out_by_peril[row, p] = peril_total
        out_ground_up[row] = ground_up
        for k in range(n_sets):
            out_insured[k, row] = min(year_paid[k], aggregate_limit[k])
        if compact and ground_up > 0.0:
            out_rows[m] = y
            m += 1
    return m if compact else n_years


def _with_globals(fn: Callable[..., Any], names: dict[str, Any]) -> Callable[..., Any]:
    """``fn`` with its global names looked up in ``names``."""
    copy = types.FunctionType(fn.__code__, names, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = fn.__qualname__
    copy.__module__ = fn.__module__
    return copy


def _compile() -> Callable[..., Any] | None:
    try:
        import numba
    except ImportError:  # pragma: no cover - exercised where numba is absent
        return None
    # The kernel calls its helpers by their global names: the compiled kernel is a copy of it whose
    # globals name the jitted helpers (the plain-Python kernel keeps the Python-int ones).
    helper = numba.njit(nogil=True, cache=True, inline="always")
    names = dict(globals())
    names["_mix_u64"] = helper(_mix_u64)
    names["_upper_z"] = helper(streams.upper_z)
    names["_unit"], names["_open_unit"] = helper(_unit_u64), helper(_open_unit_u64)
    names["_cell_hash"] = helper(_with_globals(_cell_hash_u64, names))
    names["_draw_hash"] = helper(_with_globals(_draw_hash_u64, names))
    names["_severity"] = helper(_with_globals(_severity, names))
    jitted: Callable[..., Any] = numba.njit(nogil=True, cache=True)(_with_globals(_kernel, names))
    return jitted


#: Whether the numba kernel is available (numba installed). It is compiled, or loaded from numba's
#: cache, on first use only: importing numba and loading the cache costs about a second, which a
#: command that simulates a few thousand years should not pay (engine.resolve_kernel).
AVAILABLE = importlib.util.find_spec("numba") is not None
_JITTED: Callable[..., Any] | None = None
_LOCK = threading.Lock()


def jitted() -> Callable[..., Any] | None:
    """The compiled kernel, compiled (or loaded from cache) on first call; None without numba."""
    global _JITTED  # noqa: PLW0603 - compiled once per process
    if _JITTED is None and AVAILABLE:
        with _LOCK:
            if _JITTED is None:
                _JITTED = _compile()
    return _JITTED


def _tail_matrix(tail: TailArrays) -> F64:
    return np.ascontiguousarray(np.stack([tail.z, tail.t, tail.q, tail.beta, tail.xi]))


def run_block(
    stream: streams.Stream,
    n_years: int,
    perils: PerilArrays,
    terms: TermArrays,
    out_ground_up: F64,
    out_by_peril: np.ndarray,
    out_insured: F64,
    *,
    prepared: Prepared | None = None,
    compiled: bool = True,
    out_rows: np.ndarray | None = None,
) -> int:
    """Simulate the ``n_years`` trial-years from ``stream.first_year`` on into the output slices.
    ``compiled=False`` runs the same loop in plain Python (slow; for tests on tiny inputs). With
    ``out_rows`` only the years with a loss are written, to the first rows of the outputs, their
    year indices (within the block) to ``out_rows``; the count is returned (else ``n_years``)."""
    fast = jitted() if compiled else None
    fn: Callable[..., Any] = fast if fast is not None else _kernel
    prep = prepared or prepare(perils)
    n_cov = perils.split.shape[1]
    compact = out_rows is not None
    rows = out_rows if out_rows is not None else np.empty(0, dtype=np.int64)
    kept: int = fn(
        np.uint64(stream.key) if fast is not None else int(stream.key),
        int(stream.first_year),
        n_years,
        prep.count_cdf,
        prep.count_len,
        float(perils.shock_p),
        perils.mu,
        perils.sigma,
        _tail_matrix(prep.tail),
        perils.split,
        prep.theft_p,
        prep.theft_mu,
        prep.theft_sigma,
        _tail_matrix(prep.theft_tail),
        prep.theft_split,
        perils.bi_mu,
        perils.bi_sigma,
        perils.bi_cov,
        terms.deductible,
        terms.occurrence_limit,
        terms.aggregate_limit,
        terms.cov_deductible,
        terms.sublimit,
        terms.wait,
        terms.cap,
        terms.share,
        terms.applies,
        np.empty(perils.n_perils, dtype=np.int64),
        np.empty(perils.n_perils, dtype=np.uint64),
        np.empty(max(n_cov, 1)),
        np.empty(max(n_cov, 1)),
        np.zeros((terms.n_sets, max(n_cov, 1))),
        np.empty(terms.n_sets, dtype=np.float64),
        out_ground_up,
        out_by_peril,
        out_insured,
        compact,
        rows,
    )
    return kept
