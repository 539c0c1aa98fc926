"""The reference kernel: plain vectorised NumPy, the oracle every faster kernel is tested against.

For one block of trial-years it draws, from the block's own ``Generator`` and in this order:

1. one uniform per year: with a common shock (``shock_p > 0``) it first decides a shock year (below
   ``shock_p``) and is rescaled; then a year below ``p0[state]`` has no event at all;
2. for the years with events, one uniform per (year, event type but the first), in that order; the
   first type reuses the year's uniform rescaled to (0, 1); each is inverted through the
   conditional count CDFs of :class:`~insurable.lossmodel.arrays.CountSampler`;
3. per loss, in (year, peril, loss) order, one standard normal ``z`` for its severity and, for an
   event type with a second part (``theft_p > 0``), two more: ``z_u`` (the part happens when
   ``Phi(z_u) < theft_p``) and ``z2`` (its severity). The severity is the spliced lognormal/GPD of
   :mod:`insurable.lossmodel.severity`.

It then applies every term set (see :class:`~insurable.lossmodel.arrays.TermArrays`) per occurrence.
Sums over coverages run in coverage order, and annual sublimits erode in event order (one pass per
rank of an event within its year), so a per-event loop computes the same numbers.
"""

from __future__ import annotations

import math

import numpy as np

from insurable.lossmodel.arrays import F64, CountSampler, PerilArrays, Prepared, TailArrays, TermArrays, prepare

_ERFC = np.frompyfunc(math.erfc, 1, 1)
_SQRT2 = math.sqrt(2.0)


def draw_counts(rng: np.random.Generator, n_years: int, sampler: CountSampler, shock_p: float = 0.0) -> np.ndarray:
    """Losses per (year, event type): one uniform per year says whether (and, with a common shock,
    in which state) the year has any event; a year with events draws one uniform per type, in
    (year, type) order, inverted through the conditional count CDFs of :class:`CountSampler`."""
    n_perils = sampler.length.shape[1]
    counts = np.zeros((n_years, n_perils), dtype=np.int64)
    u = rng.random(n_years)
    state = np.zeros(n_years, dtype=np.int64)
    if shock_p > 0:
        shock = u < shock_p
        u = np.where(shock, u / shock_p, (u - shock_p) / (1.0 - shock_p))
        state = shock.astype(np.int64)
    years = np.flatnonzero(u >= sampler.p0[state])
    if years.size == 0:
        return counts
    # The first type reuses the year's uniform (uniform again given an event); the others draw.
    p0 = sampler.p0[state[years]]
    v = np.empty((years.size, n_perils))
    v[:, 0] = (u[years] - p0) / (1.0 - p0)
    if n_perils > 1:
        v[:, 1:] = rng.random((years.size, n_perils - 1))
    st = state[years]
    owed = np.ones(years.size, dtype=bool)
    for p in range(n_perils):
        c = np.zeros(years.size, dtype=np.int64)
        for s in (0, 1):
            size = int(sampler.length[s, p])
            if size == 0:
                continue
            for o in (0, 1):
                sel = (st == s) & (owed == bool(o))
                if sel.any():
                    c[sel] = np.searchsorted(sampler.cdf[s, o, p, :size], v[sel, p], side="right")
        counts[years, p] = c
        owed &= c == 0
    return counts


def spliced(mu: F64, sigma: F64, z: F64, tail: TailArrays, idx: np.ndarray) -> F64:
    """Spliced lognormal/GPD severity for draws ``z`` of types ``idx``."""
    x: F64 = np.exp(mu[idx] + sigma[idx] * z)
    in_tail = z > tail.z[idx]
    if in_tail.any():
        zt, i = z[in_tail], idx[in_tail]
        s = (_ERFC(zt / _SQRT2).astype(np.float64) * 0.5) / tail.q[i]
        xi, t, b = tail.xi[i], tail.t[i], tail.beta[i]
        safe_xi = np.where(xi == 0, 1.0, xi)
        gpd = np.where(xi == 0, t - b * np.log(s), t + b / safe_xi * (s ** (-safe_xi) - 1))
        x[in_tail] = gpd
    return x


def occurrence_parts(
    rng_draws: F64, peril: np.ndarray, has_theft: np.ndarray, perils: PerilArrays, prep: Prepared
) -> tuple[F64, F64, F64, F64]:
    """Per event: the severity of its first part, of its second part (0 when none), of its
    downtime (0 when none) and the parts per coverage, shape (C, n_events)."""
    z = rng_draws[0]
    x = spliced(perils.mu, perils.sigma, z, prep.tail, peril)
    assert perils.bi_cov is not None and perils.bi_mu is not None and perils.bi_sigma is not None
    bc = perils.bi_cov[peril]
    timed = bc >= 0
    xb = np.zeros_like(x)
    xb[timed] = np.exp(perils.bi_mu[peril[timed]] + perils.bi_sigma[peril[timed]] * z[timed])
    x2 = np.zeros_like(x)
    if has_theft.any():
        z_u, z2 = rng_draws[1][has_theft], rng_draws[2][has_theft]
        p_idx = peril[has_theft]
        happens = 0.5 * _ERFC(-z_u / _SQRT2).astype(np.float64) < prep.theft_p[p_idx]
        second = spliced(prep.theft_mu, prep.theft_sigma, z2, prep.theft_tail, p_idx)
        x2[has_theft] = np.where(happens, second, 0.0)
    parts = x[None, :] * perils.split[peril].T + x2[None, :] * prep.theft_split[peril].T
    if timed.any():
        idx = np.flatnonzero(timed)
        parts[bc[idx], idx] += xb[idx]
    return x, x2, xb, parts


def apply_terms(parts: F64, year: np.ndarray, rank: np.ndarray, n_years: int, terms: TermArrays, k: int) -> F64:
    """Insured amount of each occurrence under term set ``k`` (annual sublimits erode in order)."""
    n_cov = parts.shape[0]
    g = np.empty_like(parts)
    total = np.zeros(parts.shape[1])
    for c in range(n_cov):
        gc = np.minimum(np.maximum(parts[c] - terms.wait[k, c], 0.0), terms.cap[k, c])
        gc = np.maximum(gc - terms.cov_deductible[k, c], 0.0)
        g[c] = gc
        if terms.applies[k, c] > 0:
            total += gc
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(total > 0, np.maximum(total - terms.deductible[k], 0.0) / total, 0.0)
    for c in range(n_cov):
        if terms.applies[k, c] > 0:
            g[c] = g[c] * ratio
    eroded = np.zeros_like(g)
    used = np.zeros((n_cov, n_years))
    for r in range(int(rank.max()) + 1 if rank.size else 0):
        sel = np.flatnonzero(rank == r)
        ys = year[sel]
        for c in range(n_cov):
            e = np.minimum(g[c, sel], terms.sublimit[k, c] - used[c, ys])
            eroded[c, sel] = e
            used[c, ys] += e
    paid = np.zeros(parts.shape[1])
    for c in range(n_cov):
        paid += eroded[c] * terms.share[k, c]
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
    prep = prepared or prepare(perils)
    n_p = perils.n_perils
    counts = draw_counts(rng, n_years, prep.counts, perils.shock_p)
    flat = counts.ravel()
    n_events = int(flat.sum())
    cell = np.repeat(np.arange(n_years * n_p), flat)
    year = cell // n_p
    peril = cell % n_p
    has_theft = prep.theft_p[peril] > 0
    n_draw = np.where(has_theft, 3, 1)
    z = rng.standard_normal(int(n_draw.sum()))
    offset = np.cumsum(n_draw) - n_draw
    draws = np.zeros((3, n_events))
    draws[0] = z[offset]
    draws[1][has_theft] = z[offset[has_theft] + 1]
    draws[2][has_theft] = z[offset[has_theft] + 2]
    x, x2, xb, parts = occurrence_parts(draws, peril, has_theft, perils, prep)
    total = x + x2 + xb
    per_year = np.bincount(year, minlength=n_years)
    first = np.cumsum(per_year) - per_year
    rank = np.arange(n_events) - first[year]
    out_ground_up[:] = np.bincount(year, weights=total, minlength=n_years)
    out_by_peril[:] = np.bincount(cell, weights=total, minlength=n_years * n_p).reshape(n_years, n_p)
    for k in range(terms.n_sets):
        paid = apply_terms(parts, year, rank, n_years, terms, k)
        yearly = np.bincount(year, weights=paid, minlength=n_years)
        out_insured[k, :] = np.minimum(yearly, terms.aggregate_limit[k])
