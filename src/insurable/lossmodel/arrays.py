"""The flat arrays a kernel reads: perils (frequency, severity, coverage split) and term sets.

Richer structures (catalogue perils, scaled and adjusted; policy and coverage terms) are "compiled"
once into these arrays, as OasisLMF's fmpy does, so that the kernels stay small loops over numbers.
Money is EUR; an absent limit is ``inf``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

POISSON = 0
NEGATIVE_BINOMIAL = 1


@dataclass(frozen=True)
class PerilArrays:
    """P event types over C coverages. ``split[p, c]`` is the fraction of a type-p loss in coverage c.

    Severity (see :mod:`insurable.lossmodel.severity`): lognormal ``(mu, sigma)`` with, where
    ``tail_z`` is finite, a generalised Pareto tail of shape ``tail_xi`` above ``exp(mu + sigma *
    tail_z)``. An event can carry a second part drawn with it (ransomware with data theft): with
    probability ``theft_p`` a loss of severity ``(theft_mu, theft_sigma, theft_tail_z, theft_tail_xi)``
    split by ``theft_split``; the two parts are one occurrence under the policy terms. A common shock
    (``shock_p``, ``shock_mult``) multiplies the frequency of every type with ``shock_mult != 1`` in
    the same years, keeping each type's mean (dependence between event types, docs/lossmodel.md).
    An event type with downtime (``bi_cov >= 0``) adds ``exp(bi_mu + bi_sigma * z)`` to that
    coverage: hours of interruption times the loss per hour, from the event's own normal ``z`` (a
    larger attack also stops the business longer).
    """

    ids: tuple[str, ...]
    coverage_ids: tuple[str, ...]
    kind: I64  # POISSON or NEGATIVE_BINOMIAL
    mean: F64  # expected losses per year
    nb_n: F64  # negative binomial n (unused for Poisson)
    nb_p: F64  # negative binomial p (unused for Poisson)
    mu: F64  # mean of ln(loss) of the body
    sigma: F64  # standard deviation of ln(loss) of the body
    split: F64  # shape (P, C)
    tail_z: F64 | None = None  # (P,) tail threshold in standard-normal units; inf = no tail
    tail_xi: F64 | None = None  # (P,) GPD shape
    theft_p: F64 | None = None  # (P,) probability of the second part
    theft_mu: F64 | None = None
    theft_sigma: F64 | None = None
    theft_tail_z: F64 | None = None
    theft_tail_xi: F64 | None = None
    theft_split: F64 | None = None  # (P, C)
    shock_mult: F64 | None = None  # (P,) frequency multiplier in a shock year (1: not exposed)
    shock_p: float = 0.0  # probability of a shock year
    bi_mu: F64 | None = None  # (P,) ln(median downtime hours x loss per hour x multipliers)
    bi_sigma: F64 | None = None  # (P,) of ln(downtime); the event's own normal draws it
    bi_cov: I64 | None = None  # (P,) coverage of the downtime loss; -1: none

    def __post_init__(self) -> None:
        n, c = self.split.shape
        defaults: dict[str, F64] = {
            "tail_z": np.full(n, math.inf),
            "tail_xi": np.zeros(n),
            "theft_p": np.zeros(n),
            "theft_mu": np.zeros(n),
            "theft_sigma": np.ones(n),
            "theft_tail_z": np.full(n, math.inf),
            "theft_tail_xi": np.zeros(n),
            "theft_split": np.zeros((n, c)),
            "shock_mult": np.ones(n),
            "bi_mu": np.zeros(n),
            "bi_sigma": np.zeros(n),
        }
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        if self.bi_cov is None:
            object.__setattr__(self, "bi_cov", np.full(n, -1, dtype=np.int64))

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
class TailArrays:
    """Derived tail parameters for one severity per peril: z threshold, threshold, q, beta, xi."""

    z: F64
    t: F64
    q: F64
    beta: F64
    xi: F64


def tail_arrays(mu: F64, sigma: F64, z: F64, xi: F64) -> TailArrays:
    """Threshold ``t = exp(mu + sigma z)``, ``q = Phi(-z)`` and ``beta`` for a continuous density."""
    nd = NormalDist()
    n = mu.shape[0]
    t, q, beta = np.full(n, math.inf), np.zeros(n), np.zeros(n)
    for p in range(n):
        if math.isfinite(z[p]):
            t[p] = math.exp(mu[p] + sigma[p] * z[p])
            q[p] = 0.5 * math.erfc(z[p] / math.sqrt(2.0))
            beta[p] = q[p] * t[p] * sigma[p] / nd.pdf(float(z[p]))
    return TailArrays(z.astype(np.float64), t, q, beta, xi.astype(np.float64))


@dataclass(frozen=True)
class TermArrays:
    """K term sets over C coverages, applied per occurrence (docs/lossmodel.md, "Policy terms").

    For each occurrence (both parts of an event together) and each coverage c with part g:

    1. BI time deductible and indemnity period: g = min(max(g - wait[c], 0), cap[c]);
    2. coverage deductible (retention): g = max(g - cov_deductible[c], 0);
    3. policy deductible, shared pro rata over the coverages it applies to (``ded_applies[c]``; a
       BI waiting period can replace it): r = max(G - deductible, 0) / G, G the sum of those g;
    4. annual aggregate sublimit: e = min(g * r, what is left of sublimit[c] this year), then
       paid = sum over c of e * share[c] (share = 1 - coinsurance, 0 = excluded);
       then min(paid, occurrence_limit);
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
    ded_applies: F64 | None = None  # (K, C) 1: the policy deductible applies to c; default all 1

    def __post_init__(self) -> None:
        if self.ded_applies is None:
            object.__setattr__(self, "ded_applies", np.ones_like(self.share))

    @property
    def n_sets(self) -> int:
        return int(self.deductible.shape[0])

    @property
    def applies(self) -> F64:
        assert self.ded_applies is not None
        return self.ded_applies


@dataclass(frozen=True)
class CountTables:
    """Per peril the CDF of the annual loss count, for inversion with one uniform per (year, peril):
    ``count = number of entries of cdf[p, :length[p]] <= u``. Both kernels read the same table, so they
    draw identical counts; for one ``u`` the count never falls when the mean rises (the Poisson and
    the negative binomial with a fixed ``p`` rise stochastically with their mean). The table runs until
    the tail left is below 1e-16 (or 200,000 entries)."""

    cdf: F64  # (P, L), padded with 2.0
    length: I64  # (P,)


def _log_pmf(kind: int, mean: float, nb_n: float, nb_p: float, k: NDArray[np.float64]) -> F64:
    lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
    if kind == NEGATIVE_BINOMIAL:
        out: F64 = lgamma(k + nb_n) - lgamma(nb_n) - lgamma(k + 1) + nb_n * math.log(nb_p) + k * math.log1p(-nb_p)
        return out
    poisson: F64 = -mean + k * math.log(mean) - lgamma(k + 1)
    return poisson


def count_tables(perils: PerilArrays, factor: F64 | None = None) -> CountTables:
    """The count CDF of every peril, its mean times ``factor[p]`` (a peril with mean 0 has an empty
    table and draws nothing). A negative binomial keeps its dispersion (``nb_p``)."""
    rows: list[F64] = []
    for p in range(perils.n_perils):
        f = 1.0 if factor is None else float(factor[p])
        mean = float(perils.mean[p]) * f
        if mean <= 0:
            rows.append(np.zeros(0))
            continue
        nb_n = float(perils.nb_n[p]) * f
        var = mean / perils.nb_p[p] if perils.kind[p] == NEGATIVE_BINOMIAL else mean
        size = int(min(200_000, mean + 50 * math.sqrt(var) + 60))
        k = np.arange(size, dtype=np.float64)
        pmf = np.exp(_log_pmf(int(perils.kind[p]), mean, nb_n, float(perils.nb_p[p]), k))
        cdf = np.cumsum(pmf)
        keep = int(np.searchsorted(cdf, 1.0 - 1e-16, side="left")) + 1
        rows.append(cdf[: min(keep, size)])
    width = max(1, max(r.size for r in rows))
    table = np.full((perils.n_perils, width), 2.0)
    for p, row in enumerate(rows):
        table[p, : row.size] = row
    return CountTables(table, np.array([r.size for r in rows], dtype=np.int64))


def shock_factors(perils: PerilArrays) -> tuple[F64, F64]:
    """Frequency factors in ordinary and shock years that keep each type's mean:
    ordinary ``1 / (1 - p + p m)``, shock ``m / (1 - p + p m)``."""
    assert perils.shock_mult is not None
    m = perils.shock_mult
    p = perils.shock_p
    norm = 1.0 - p + p * m
    return 1.0 / norm, m / norm


@dataclass(frozen=True)
class Prepared:
    """What a kernel needs besides the perils, computed once per simulation."""

    tables: CountTables
    shock_tables: CountTables
    cov_idx: I64
    cov_frac: F64
    cov_count: I64
    tail: TailArrays
    theft_tail: TailArrays
    theft_mu: F64
    theft_sigma: F64
    theft_p: F64
    theft_split: F64
    composite: bool  # any second part or shock: the general (dense) path of the kernels
    count_cdf: F64  # (2, P, L): the count CDF per year state (0 ordinary, 1 shock) and type
    count_len: I64  # (2, P)


def stacked_counts(tables: CountTables, shock_tables: CountTables) -> tuple[F64, I64]:
    """The count CDFs of ordinary (0) and shock (1) years as one (2, P, L) table and its lengths (2, P)."""
    width = max(tables.cdf.shape[1], shock_tables.cdf.shape[1])
    n_p = tables.length.shape[0]
    cdf = np.full((2, n_p, width), 2.0)
    cdf[0, :, : tables.cdf.shape[1]] = tables.cdf
    cdf[1, :, : shock_tables.cdf.shape[1]] = shock_tables.cdf
    return cdf, np.stack([tables.length, shock_tables.length]).astype(np.int64)


def prepare(perils: PerilArrays) -> Prepared:
    idx, frac, count = perils.sparse_split()
    assert perils.tail_z is not None and perils.tail_xi is not None and perils.theft_p is not None
    assert perils.theft_mu is not None and perils.theft_sigma is not None and perils.theft_split is not None
    assert perils.theft_tail_z is not None and perils.theft_tail_xi is not None
    if perils.shock_p > 0:
        ordinary, shock = shock_factors(perils)
        tables, shock_tables = count_tables(perils, ordinary), count_tables(perils, shock)
    else:
        tables = count_tables(perils)
        shock_tables = tables
    cdf, length = stacked_counts(tables, shock_tables)
    return Prepared(
        tables=tables,
        shock_tables=shock_tables,
        cov_idx=idx,
        cov_frac=frac,
        cov_count=count,
        tail=tail_arrays(perils.mu, perils.sigma, perils.tail_z, perils.tail_xi),
        theft_tail=tail_arrays(perils.theft_mu, perils.theft_sigma, perils.theft_tail_z, perils.theft_tail_xi),
        theft_mu=perils.theft_mu,
        theft_sigma=perils.theft_sigma,
        theft_p=perils.theft_p,
        theft_split=perils.theft_split,
        composite=bool(perils.shock_p > 0 or (perils.theft_p > 0).any()),
        count_cdf=cdf,
        count_len=length,
    )


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
        ded_applies=np.concatenate([t.applies for t in sets]),
    )
