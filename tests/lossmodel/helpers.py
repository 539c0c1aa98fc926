"""Small builders for loss-model tests."""

from __future__ import annotations

import math

import numpy as np

from insurable.lossmodel.arrays import NEGATIVE_BINOMIAL, POISSON, PerilArrays, negative_binomial_params


def perils(
    means: list[float],
    medians: list[float],
    sigmas: list[float],
    split: list[list[float]] | None = None,
    nb: list[float | None] | None = None,
) -> PerilArrays:
    n = len(means)
    split_arr = np.array(split if split is not None else [[1.0]] * n, dtype=np.float64)
    kind = np.full(n, POISSON, dtype=np.int64)
    nb_n = np.zeros(n)
    nb_p = np.zeros(n)
    for i, ratio in enumerate(nb or [None] * n):
        if ratio is not None:
            kind[i] = NEGATIVE_BINOMIAL
            nb_n[i], nb_p[i] = negative_binomial_params(means[i], ratio)
    return PerilArrays(
        ids=tuple(f"p{i}" for i in range(n)),
        coverage_ids=tuple(f"c{j}" for j in range(split_arr.shape[1])),
        kind=kind,
        mean=np.array(means, dtype=np.float64),
        nb_n=nb_n,
        nb_p=nb_p,
        mu=np.log(np.array(medians, dtype=np.float64)),
        sigma=np.array(sigmas, dtype=np.float64),
        split=split_arr,
    )


def lognormal_lev(u: float, mu: float, sigma: float) -> float:
    """E[min(X, u)] for X lognormal(mu, sigma)."""
    from statistics import NormalDist

    if u <= 0:
        return 0.0
    if math.isinf(u):
        return math.exp(mu + sigma**2 / 2)
    phi = NormalDist().cdf
    lu = math.log(u)
    return math.exp(mu + sigma**2 / 2) * phi((lu - mu - sigma**2) / sigma) + u * (1 - phi((lu - mu) / sigma))
