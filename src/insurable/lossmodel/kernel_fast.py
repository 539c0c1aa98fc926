"""The fast kernel: one loop over trial-years and their losses, compiled with numba when available.

It draws the same numbers in the same order as :mod:`insurable.lossmodel.kernel_reference` (counts
peril by peril for the whole block by CDF inversion, then one normal per loss in (year, peril, loss) order), from a
NumPy ``Generator`` passed in, so it matches the reference to rounding (``exp`` may differ in the last
bit). Per loss it visits only the coverages the peril splits into, applies every term set inline and
keeps nothing per event: memory is the outputs plus a (years x perils) count buffer per block.

numba is optional (``pip install insurable[fast]``): without it :data:`AVAILABLE` is false and the
engine runs the NumPy reference kernel instead. The jitted function is compiled with
``nogil=True`` so blocks run in parallel on threads, and ``cache=True`` so the compilation (several
seconds) happens once per machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from insurable.lossmodel.arrays import F64, PerilArrays, Prepared, TermArrays, prepare


def _kernel(  # noqa: PLR0913 - a flat kernel takes flat arrays
    rng: Any,
    n_years: int,
    cdf: Any,
    cdf_len: Any,
    mu: Any,
    sigma: Any,
    cov_idx: Any,
    cov_frac: Any,
    cov_count: Any,
    deductible: Any,
    occurrence_limit: Any,
    aggregate_limit: Any,
    cov_deductible: Any,
    sublimit: Any,
    wait: Any,
    cap: Any,
    share: Any,
    counts: Any,
    parts: Any,
    year_paid: Any,
    out_ground_up: Any,
    out_by_peril: Any,
    out_insured: Any,
) -> None:
    n_perils = mu.shape[0]
    n_sets = deductible.shape[0]
    for p in range(n_perils):
        size = cdf_len[p]
        if size == 0:
            for y in range(n_years):
                counts[y, p] = 0
            continue
        for y in range(n_years):
            u = rng.random()
            # Count the CDF entries at or below u: the same inversion as searchsorted(side="right")
            # on a rising CDF, without a data-dependent branch (a mispredict costs more than a compare).
            k = 0
            for j in range(size):
                k += cdf[p, j] <= u
            counts[y, p] = k
    for y in range(n_years):
        ground_up = 0.0
        for k in range(n_sets):
            year_paid[k] = 0.0
        for p in range(n_perils):
            peril_total = 0.0
            n_cov = cov_count[p]
            for _ in range(counts[y, p]):
                x = math.exp(mu[p] + sigma[p] * rng.standard_normal())
                ground_up += x
                peril_total += x
                for k in range(n_sets):
                    if n_cov == 1:
                        # One coverage: the policy deductible comes off that coverage directly
                        # (the general path below gives the same amount up to rounding).
                        c = cov_idx[p, 0]
                        g = x * cov_frac[p, 0]
                        g = min(max(g - wait[k, c], 0.0), cap[k, c])
                        g = max(g - cov_deductible[k, c], 0.0)
                        paid = min(max(g - deductible[k], 0.0), sublimit[k, c]) * share[k, c]
                        year_paid[k] += min(paid, occurrence_limit[k])
                        continue
                    total = 0.0
                    for j in range(n_cov):
                        c = cov_idx[p, j]
                        g = x * cov_frac[p, j]
                        g = min(max(g - wait[k, c], 0.0), cap[k, c])
                        g = max(g - cov_deductible[k, c], 0.0)
                        parts[j] = g
                        total += g
                    ratio = 0.0
                    if total > 0.0:
                        ratio = max(total - deductible[k], 0.0) / total
                    paid = 0.0
                    for j in range(n_cov):
                        c = cov_idx[p, j]
                        paid += min(parts[j] * ratio, sublimit[k, c]) * share[k, c]
                    year_paid[k] += min(paid, occurrence_limit[k])
            out_by_peril[y, p] = peril_total
        out_ground_up[y] = ground_up
        for k in range(n_sets):
            out_insured[k, y] = min(year_paid[k], aggregate_limit[k])


def _compile() -> Callable[..., None] | None:
    try:
        import numba
    except ImportError:  # pragma: no cover - exercised where numba is absent
        return None
    jitted: Callable[..., None] = numba.njit(nogil=True, cache=True)(_kernel)
    return jitted


_JITTED = _compile()
#: Whether the numba kernel is available.
AVAILABLE = _JITTED is not None


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
) -> None:
    """Simulate ``n_years`` trial-years into the output slices. ``compiled=False`` runs the same loop
    in plain Python (slow; for tests on tiny inputs)."""
    fn: Callable[..., None] = _JITTED if (compiled and _JITTED is not None) else _kernel
    prep = prepared or prepare(perils)
    counts = np.empty((n_years, perils.n_perils), dtype=np.int64)
    parts = np.empty(max(perils.split.shape[1], 1), dtype=np.float64)
    year_paid = np.empty(terms.n_sets, dtype=np.float64)
    fn(
        rng,
        n_years,
        prep.tables.cdf,
        prep.tables.length,
        perils.mu,
        perils.sigma,
        prep.cov_idx,
        prep.cov_frac,
        prep.cov_count,
        terms.deductible,
        terms.occurrence_limit,
        terms.aggregate_limit,
        terms.cov_deductible,
        terms.sublimit,
        terms.wait,
        terms.cap,
        terms.share,
        counts,
        parts,
        year_paid,
        out_ground_up,
        out_by_peril,
        out_insured,
    )
