"""The reference kernel: plain vectorised NumPy, the oracle every faster kernel is tested against.

For one block of trial-years it draws, from the block's own ``Generator`` and in this order:

1. the number of losses per year, peril by peril (``counts[:, p]``, one uniform per year, inverted
   through the peril's count CDF, see :class:`~insurable.lossmodel.arrays.CountTables`; a peril
   with mean 0 draws nothing);
2. one standard normal per loss, in (year, peril, loss) order; the loss is
   ``exp(mu[p] + sigma[p] * z)``.

It then applies every term set (see :class:`~insurable.lossmodel.arrays.TermArrays`). Sums over
coverages run in coverage order, one at a time, so that a per-event loop adds in the same order.
"""

from __future__ import annotations

import numpy as np

from insurable.lossmodel.arrays import F64, CountTables, PerilArrays, Prepared, TermArrays, prepare


def draw_counts(rng: np.random.Generator, n_years: int, tables: CountTables) -> np.ndarray:
    """Losses per (year, peril), drawn peril by peril by inversion of the count CDF."""
    n_perils = tables.length.shape[0]
    counts = np.zeros((n_years, n_perils), dtype=np.int64)
    for p in range(n_perils):
        size = int(tables.length[p])
        if size == 0:
            continue
        counts[:, p] = np.searchsorted(tables.cdf[p, :size], rng.random(n_years), side="right")
    return counts


def occurrence_payments(x: F64, peril: np.ndarray, perils: PerilArrays, terms: TermArrays, k: int) -> F64:
    """Insured amount of each loss ``x`` (of peril ``peril``) under term set ``k``."""
    n_cov = perils.split.shape[1]
    parts = []
    total = np.zeros_like(x)
    for c in range(n_cov):
        g = x * perils.split[peril, c]
        g = np.minimum(np.maximum(g - terms.wait[k, c], 0.0), terms.cap[k, c])
        g = np.maximum(g - terms.cov_deductible[k, c], 0.0)
        parts.append(g)
        total += g
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(total > 0, np.maximum(total - terms.deductible[k], 0.0) / total, 0.0)
    paid = np.zeros_like(x)
    for c in range(n_cov):
        if perils.split[:, c].any():
            paid += np.minimum(parts[c] * ratio, terms.sublimit[k, c]) * terms.share[k, c]
    result: F64 = np.minimum(paid, terms.occurrence_limit[k])
    return result


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
) -> None:
    """Simulate ``n_years`` trial-years into the output slices (ground-up, by peril, insured per set)."""
    n_p = perils.n_perils
    counts = draw_counts(rng, n_years, (prepared or prepare(perils)).tables)
    flat = counts.ravel()
    n_events = int(flat.sum())
    z = rng.standard_normal(n_events)
    cell = np.repeat(np.arange(n_years * n_p), flat)
    year = cell // n_p
    peril = cell % n_p
    x = np.exp(perils.mu[peril] + perils.sigma[peril] * z)
    out_ground_up[:] = np.bincount(year, weights=x, minlength=n_years)
    out_by_peril[:] = np.bincount(cell, weights=x, minlength=n_years * n_p).reshape(n_years, n_p)
    for k in range(terms.n_sets):
        paid = occurrence_payments(x, peril, perils, terms, k)
        yearly = np.bincount(year, weights=paid, minlength=n_years)
        out_insured[k, :] = np.minimum(yearly, terms.aggregate_limit[k])
