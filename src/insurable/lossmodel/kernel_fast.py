"""The fast kernel: one loop over trial-years and their losses, compiled with numba when available.

It draws the same numbers in the same order as :mod:`insurable.lossmodel.kernel_reference` (the
shock uniforms, counts peril by peril for the whole block by CDF inversion, then per loss in (year,
peril, loss) order one normal, or three for an event type with a second part), from a NumPy
``Generator`` passed in, so it matches the reference to rounding (``exp`` may differ in the last
bit). Per occurrence it applies every term set inline and keeps nothing per event: memory is the
outputs plus a (years x perils) count buffer per block; years without a loss cost one count check.

numba is optional (``pip install insurable[fast]``): without it :data:`AVAILABLE` is false and the
engine runs the NumPy reference kernel instead. numba is imported on first use (:func:`jitted`).
The jitted function is compiled with ``nogil=True`` so blocks run in parallel on threads, and
``cache=True`` so the compilation (several seconds) happens once per machine.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from insurable.lossmodel.arrays import F64, PerilArrays, Prepared, TailArrays, TermArrays, prepare

_SQRT2 = math.sqrt(2.0)


def _severity(mu: float, sigma: float, z: float, zt: float, t: float, q: float, beta: float, xi: float) -> float:
    """The spliced lognormal/GPD severity for one standard normal draw (severity.py)."""
    if z <= zt:
        return math.exp(mu + sigma * z)
    s = 0.5 * math.erfc(z / _SQRT2) / q
    if xi == 0.0:
        return t - beta * math.log(s)
    return t + beta / xi * (math.pow(s, -xi) - 1.0)


def _kernel(  # noqa: PLR0913, PLR0912, PLR0915 - a flat kernel takes flat arrays
    rng: Any,
    n_years: int,
    p0: Any,
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
    shock: Any,
    first: Any,
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
    # One uniform per year: the state (with a common shock) and whether the year has any event.
    for y in range(n_years):
        u = rng.random()
        state = 0
        if shock_p > 0.0:
            if u < shock_p:
                state = 1
                u = u / shock_p
            else:
                u = (u - shock_p) / (1.0 - shock_p)
        # Branch-free (the event test is a coin flip at high frequencies): -1 marks a quiet year;
        # ``first`` is the uniform again given an event, used only in event years.
        zero = p0[state]
        shock[y] = state if u >= zero else -1
        first[y] = (u - zero) / (1.0 - zero) if zero < 1.0 else 0.0
    # Years with events: the first type reuses the year's uniform, every other type draws one,
    # through the conditional count CDFs.
    # (With one type no uniform is drawn here, so its count is found in the loop below instead.)
    for y in range(n_years if n_perils > 1 else 0):
        state = shock[y]
        if state < 0:
            continue
        owed = 1
        for p in range(n_perils):
            v = first[y] if p == 0 else rng.random()
            # Count the CDF entries at or below v (searchsorted(side="right") on a rising CDF);
            # the scan stops at the first larger entry: counts are small and mostly the same.
            table = cdf[state, owed, p]
            size = cdf_len[state, p]
            k = 0
            while k < size and table[k] <= v:
                k += 1
            counts[y, p] = k
            if k > 0:
                owed = 0
    m = 0  # the output row: y, or with ``compact`` the next kept row (years with a loss only)
    for y in range(n_years):
        if shock[y] < 0:
            if not compact:
                out_ground_up[y] = 0.0
                for p in range(n_perils):
                    out_by_peril[y, p] = 0.0
                for k in range(n_sets):
                    out_insured[k, y] = 0.0
            continue
        row = m if compact else y
        if n_perils == 1:
            table = cdf[shock[y], 1, 0]
            size = cdf_len[shock[y], 0]
            v = first[y]
            k = 0
            while k < size and table[k] <= v:
                k += 1
            counts[y, 0] = k
        ground_up = 0.0
        for k in range(n_sets):
            year_paid[k] = 0.0
            for c in range(n_cov):
                used[k, c] = 0.0
        for p in range(n_perils):
            peril_total = 0.0
            for _ in range(counts[y, p]):
                z = rng.standard_normal()
                x = _severity(mu[p], sigma[p], z, tail[0, p], tail[1, p], tail[2, p], tail[3, p], tail[4, p])
                xb = 0.0
                if bi_cov[p] >= 0:
                    xb = math.exp(bi_mu[p] + bi_sigma[p] * z)
                x2 = 0.0
                if theft_p[p] > 0.0:
                    z_u = rng.standard_normal()
                    z2 = rng.standard_normal()
                    if 0.5 * math.erfc(-z_u / _SQRT2) < theft_p[p]:
                        x2 = _severity(
                            theft_mu[p],
                            theft_sigma[p],
                            z2,
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


def _compile() -> Callable[..., Any] | None:
    try:
        import numba
    except ImportError:  # pragma: no cover - exercised where numba is absent
        return None
    global _severity  # noqa: PLW0603 - the kernel calls the jitted helper by its module name
    _severity = numba.njit(nogil=True, cache=True, inline="always")(_severity)
    jitted: Callable[..., Any] = numba.njit(nogil=True, cache=True)(_kernel)
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
    rng: np.random.Generator,
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
    """Simulate ``n_years`` trial-years into the output slices. ``compiled=False`` runs the same loop
    in plain Python (slow; for tests on tiny inputs). With ``out_rows`` only the years with a loss
    are written, to the first rows of the outputs, their year indices to ``out_rows``; the count
    is returned (else ``n_years``)."""
    fast = jitted() if compiled else None
    fn: Callable[..., Any] = fast if fast is not None else _kernel
    prep = prepared or prepare(perils)
    n_cov = perils.split.shape[1]
    counts = np.empty((n_years, perils.n_perils), dtype=np.int64)
    compact = out_rows is not None
    rows = out_rows if out_rows is not None else np.empty(0, dtype=np.int64)
    kept: int = fn(
        rng,
        n_years,
        prep.counts.p0,
        prep.counts.cdf,
        prep.counts.length,
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
        counts,
        np.empty(n_years, dtype=np.int64),
        np.empty(n_years, dtype=np.float64),
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
