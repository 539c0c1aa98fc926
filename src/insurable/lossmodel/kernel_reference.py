"""The reference kernel: plain vectorised NumPy, the oracle every faster kernel is tested against.

Every number it uses is addressed (:mod:`insurable.lossmodel.streams`): for the run's key and each
trial-year of the block (by its index in the whole run),

1. with a common shock (``shock_p > 0``) the year is a shock year when its shock uniform is below
   ``shock_p``;
2. per (year, event type) one uniform, inverted through the type's count CDF in the year's state;
3. per event ``i`` of a (year, type) cell, in (year, type, event) order, the cell's draws ``3i``
   (``w``, the severity's upper-tail probability: ``z`` with ``Phi(-z) = w``), and for an event type
   with a second part (``theft_p > 0``) ``3i + 1`` (the part happens when it is below ``theft_p``)
   and ``3i + 2`` (its ``w``). The severity is the spliced lognormal/GPD of
   :mod:`insurable.lossmodel.severity`: ``exp(mu + sigma z)`` below the threshold, the GPD of
   ``s = w / q`` above it.

It then applies every term set (see :class:`~insurable.lossmodel.arrays.TermArrays`) per occurrence.
Sums over coverages run in coverage order, and annual sublimits erode in event order (one pass per
rank of an event within its year), so a per-event loop computes the same numbers.
"""

from __future__ import annotations

import numpy as np

from insurable.lossmodel import streams
from insurable.lossmodel.arrays import F64, PerilArrays, Prepared, TailArrays, TermArrays, prepare


def draw_counts(
    key: int, first_year: int, n_years: int, prep: Prepared, shock_p: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Losses per (year, event type), shape (n_years, P), and the (year, type) cell hashes the
    events' draws are addressed from."""
    n_perils = prep.count_len.shape[1]
    kinds = np.arange(n_perils + 1, dtype=np.int64)
    kinds[-1] = streams.SHOCK
    hashes = streams.cell_hashes(key, first_year, n_years, kinds)
    cells = hashes[:, :n_perils]
    u = streams.unit_array(cells)
    counts = np.zeros((n_years, n_perils), dtype=np.int64)
    shock = np.flatnonzero(streams.unit_array(hashes[:, n_perils]) < shock_p) if shock_p > 0 else None
    for p in range(n_perils):
        size = int(prep.count_len[0, p])
        if size:
            counts[:, p] = np.searchsorted(prep.count_cdf[0, p, :size], u[:, p], side="right")
        if shock is not None and shock.size:
            size = int(prep.count_len[1, p])
            counts[shock, p] = np.searchsorted(prep.count_cdf[1, p, :size], u[shock, p], side="right") if size else 0
    return counts, cells


def spliced(mu: F64, sigma: F64, w: F64, tail: TailArrays, idx: np.ndarray) -> F64:
    """Spliced lognormal/GPD severity of types ``idx`` for upper-tail probabilities ``w``."""
    z = streams.upper_z_array(w)
    x: F64 = np.exp(mu[idx] + sigma[idx] * z)
    in_tail = z > tail.z[idx]
    if in_tail.any():
        i = idx[in_tail]
        s = w[in_tail] / tail.q[i]
        xi, t, b = tail.xi[i], tail.t[i], tail.beta[i]
        safe_xi = np.where(xi == 0, 1.0, xi)
        gpd = np.where(xi == 0, t - b * np.log(s), t + b / safe_xi * (s ** (-safe_xi) - 1))
        x[in_tail] = gpd
    return x


def occurrence_parts(
    draws: F64, peril: np.ndarray, has_theft: np.ndarray, perils: PerilArrays, prep: Prepared
) -> tuple[F64, F64, F64, F64]:
    """Per event: the severity of its first part, of its second part (0 when none), of its
    downtime (0 when none) and the parts per coverage, shape (C, n_events). ``draws`` are the
    event's three uniforms (rows: severity ``w``, second part happens, second part ``w``)."""
    w = draws[0]
    x = spliced(perils.mu, perils.sigma, w, prep.tail, peril)
    assert perils.bi_cov is not None and perils.bi_mu is not None and perils.bi_sigma is not None
    bc = perils.bi_cov[peril]
    timed = bc >= 0
    xb = np.zeros_like(x)
    if timed.any():
        z = streams.upper_z_array(w[timed])
        xb[timed] = np.exp(perils.bi_mu[peril[timed]] + perils.bi_sigma[peril[timed]] * z)
    x2 = np.zeros_like(x)
    if has_theft.any():
        u, w2 = draws[1][has_theft], draws[2][has_theft]
        p_idx = peril[has_theft]
        happens = u < prep.theft_p[p_idx]
        second = spliced(prep.theft_mu, prep.theft_sigma, w2, prep.theft_tail, p_idx)
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
    stream: streams.Stream,
    n_years: int,
    perils: PerilArrays,
    terms: TermArrays,
    out_ground_up: F64,
    out_by_peril: np.ndarray,
    out_insured: F64,
    *,
    prepared: Prepared | None = None,
) -> None:
    """Simulate the ``n_years`` trial-years from ``stream.first_year`` on into the output slices
    (ground-up, by peril, insured per set)."""
    prep = prepared or prepare(perils)
    n_p = perils.n_perils
    counts, cells = draw_counts(stream.key, stream.first_year, n_years, prep, perils.shock_p)
    flat = counts.ravel()
    n_events = int(flat.sum())
    cell = np.repeat(np.arange(n_years * n_p), flat)
    year = cell // n_p
    peril = cell % n_p
    first_of_cell = np.cumsum(flat) - flat
    index = np.arange(n_events) - first_of_cell[cell]  # the event's number within its cell
    has_theft = prep.theft_p[peril] > 0
    hashes = cells.ravel()[cell]
    draws = np.zeros((3, n_events))
    draws[0] = streams.open_unit_array(streams.draw_hashes(hashes, 3 * index))
    if has_theft.any():
        h, i = hashes[has_theft], index[has_theft]
        draws[1][has_theft] = streams.unit_array(streams.draw_hashes(h, 3 * i + 1))
        draws[2][has_theft] = streams.open_unit_array(streams.draw_hashes(h, 3 * i + 2))
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
