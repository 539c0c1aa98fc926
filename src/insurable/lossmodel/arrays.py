"""The flat arrays a kernel reads: perils (frequency, severity, coverage split) and term sets.

Richer structures (catalogue perils, scaled and adjusted; policy and coverage terms) are "compiled"
once into these arrays, as OasisLMF's fmpy does, so that the kernels stay small loops over numbers.
Money is EUR; an absent limit is ``inf``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

POISSON = 0
NEGATIVE_BINOMIAL = 1


@dataclass(frozen=True)
class PerilArrays:
    """P perils over C coverages. ``split[p, c]`` is the fraction of a peril-p loss in coverage c."""

    ids: tuple[str, ...]
    coverage_ids: tuple[str, ...]
    kind: I64  # POISSON or NEGATIVE_BINOMIAL
    mean: F64  # expected losses per year
    nb_n: F64  # negative binomial n (unused for Poisson)
    nb_p: F64  # negative binomial p (unused for Poisson)
    mu: F64  # mean of ln(loss)
    sigma: F64  # standard deviation of ln(loss)
    split: F64  # shape (P, C)

    @property
    def n_perils(self) -> int:
        return len(self.ids)

    def sparse_split(self) -> tuple[I64, F64, I64]:
        """Per peril the indices and fractions of its non-zero coverages (ascending), and their count."""
        n_p, n_c = self.split.shape
        idx = np.zeros((n_p, max(n_c, 1)), dtype=np.int64)
        frac = np.zeros((n_p, max(n_c, 1)), dtype=np.float64)
        count = np.zeros(n_p, dtype=np.int64)
        for p in range(n_p):
            nz = np.flatnonzero(self.split[p] > 0)
            count[p] = nz.size
            idx[p, : nz.size] = nz
            frac[p, : nz.size] = self.split[p, nz]
        return idx, frac, count


@dataclass(frozen=True)
class TermArrays:
    """K term sets over C coverages, applied per occurrence (docs/lossmodel.md, "Policy terms").

    For each loss x of peril p and each coverage c with part g = x * split[p, c]:

    1. BI time deductible and indemnity period: g = min(max(g - wait[c], 0), cap[c]);
    2. coverage deductible: g = max(g - cov_deductible[c], 0);
    3. policy deductible, shared pro rata: r = max(G - deductible, 0) / G with G the sum of the g;
    4. paid = sum over c of min(g * r, sublimit[c]) * share[c] (share = 1 - coinsurance, 0 = not
       covered), then min(paid, occurrence_limit);
    5. per year: min(sum of paid, aggregate_limit).
    """

    deductible: F64  # (K,)
    occurrence_limit: F64  # (K,)
    aggregate_limit: F64  # (K,)
    cov_deductible: F64  # (K, C)
    sublimit: F64  # (K, C)
    wait: F64  # (K, C) EUR: waiting hours x hourly rate
    cap: F64  # (K, C) EUR: indemnity hours x hourly rate
    share: F64  # (K, C)

    @property
    def n_sets(self) -> int:
        return int(self.deductible.shape[0])


@dataclass(frozen=True)
class CountTables:
    """Per peril the CDF of the annual loss count, for inversion with one uniform per year and peril:
    ``count = number of entries of cdf[p, :length[p]] <= u``. Both kernels read the same table, so they
    draw identical counts. The table runs until the tail left is below 1e-16 (or 200,000 entries)."""

    cdf: F64  # (P, L), padded with 2.0
    length: I64  # (P,)


def _log_pmf(kind: int, mean: float, nb_n: float, nb_p: float, k: NDArray[np.float64]) -> F64:
    lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
    if kind == NEGATIVE_BINOMIAL:
        out: F64 = lgamma(k + nb_n) - lgamma(nb_n) - lgamma(k + 1) + nb_n * math.log(nb_p) + k * math.log1p(-nb_p)
        return out
    poisson: F64 = -mean + k * math.log(mean) - lgamma(k + 1)
    return poisson


def count_tables(perils: PerilArrays) -> CountTables:
    """The count CDF of every peril (a peril with mean 0 has an empty table and draws nothing)."""
    rows: list[F64] = []
    for p in range(perils.n_perils):
        mean = float(perils.mean[p])
        if mean <= 0:
            rows.append(np.zeros(0))
            continue
        var = mean / perils.nb_p[p] if perils.kind[p] == NEGATIVE_BINOMIAL else mean
        size = int(min(200_000, mean + 50 * math.sqrt(var) + 60))
        k = np.arange(size, dtype=np.float64)
        pmf = np.exp(_log_pmf(int(perils.kind[p]), mean, float(perils.nb_n[p]), float(perils.nb_p[p]), k))
        cdf = np.cumsum(pmf)
        keep = int(np.searchsorted(cdf, 1.0 - 1e-16, side="left")) + 1
        rows.append(cdf[: min(keep, size)])
    width = max(1, max(r.size for r in rows))
    table = np.full((perils.n_perils, width), 2.0)
    for p, row in enumerate(rows):
        table[p, : row.size] = row
    return CountTables(table, np.array([r.size for r in rows], dtype=np.int64))


@dataclass(frozen=True)
class Prepared:
    """What a kernel needs besides the perils, computed once per simulation."""

    tables: CountTables
    cov_idx: I64
    cov_frac: F64
    cov_count: I64


def prepare(perils: PerilArrays) -> Prepared:
    idx, frac, count = perils.sparse_split()
    return Prepared(count_tables(perils), idx, frac, count)


def negative_binomial_params(mean: float, variance_to_mean: float) -> tuple[float, float]:
    """NumPy's (n, p) for a negative binomial with this mean and variance/mean ratio."""
    p = 1.0 / variance_to_mean
    return mean * p / (1.0 - p), p


def simple_terms(
    n_coverages: int,
    deductible: float = 0.0,
    limit: float = math.inf,
    aggregate_limit: float = math.inf,
) -> TermArrays:
    """One term set: a policy deductible and limits, every coverage covered in full."""
    zeros = np.zeros((1, n_coverages))
    return TermArrays(
        deductible=np.array([deductible], dtype=np.float64),
        occurrence_limit=np.array([limit], dtype=np.float64),
        aggregate_limit=np.array([aggregate_limit], dtype=np.float64),
        cov_deductible=zeros.copy(),
        sublimit=np.full((1, n_coverages), math.inf),
        wait=zeros.copy(),
        cap=np.full((1, n_coverages), math.inf),
        share=np.ones((1, n_coverages)),
    )


def stack_terms(sets: list[TermArrays]) -> TermArrays:
    """Concatenate term sets (each with one or more sets) into one TermArrays."""
    return TermArrays(
        deductible=np.concatenate([t.deductible for t in sets]),
        occurrence_limit=np.concatenate([t.occurrence_limit for t in sets]),
        aggregate_limit=np.concatenate([t.aggregate_limit for t in sets]),
        cov_deductible=np.concatenate([t.cov_deductible for t in sets]),
        sublimit=np.concatenate([t.sublimit for t in sets]),
        wait=np.concatenate([t.wait for t in sets]),
        cap=np.concatenate([t.cap for t in sets]),
        share=np.concatenate([t.share for t in sets]),
    )
