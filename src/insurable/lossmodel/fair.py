"""The Open FAIR "product" model: risk = loss event frequency x loss magnitude, PERT inputs.

This is pyfair's semantics (one magnitude draw per trial times a frequency), kept for analysts who
think in FAIR terms and as a benchmark peer. It cannot carry per-occurrence policy terms; use the
compound model (:func:`insurable.lossmodel.engine.simulate`) for those.

Seeded like the compound engine: blocks of ``block_years`` trials, one ``SeedSequence`` child per
block, any number of threads, identical results.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from insurable.lossmodel.arrays import F64
from insurable.lossmodel.engine import BLOCK_YEARS, block_generators


@dataclass(frozen=True)
class Pert:
    """A (modified) PERT: a beta on [low, high] with mode ``mode`` and shape ``gamma`` (4 classic)."""

    low: float
    mode: float
    high: float
    gamma: float = 4.0

    def __post_init__(self) -> None:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("PERT needs low <= mode <= high and low < high")

    @property
    def alpha(self) -> float:
        return 1 + self.gamma * (self.mode - self.low) / (self.high - self.low)

    @property
    def beta(self) -> float:
        return 1 + self.gamma * (self.high - self.mode) / (self.high - self.low)

    def mean(self) -> float:
        return (self.low + self.gamma * self.mode + self.high) / (self.gamma + 2)

    def draw(self, rng: np.random.Generator, n: int) -> F64:
        out: F64 = self.low + (self.high - self.low) * rng.beta(self.alpha, self.beta, n)
        return out


def simulate_product(
    frequency: Pert,
    magnitude: Pert,
    *,
    trials: int,
    seed: int,
    threads: int | None = None,
    block_years: int = BLOCK_YEARS * 8,
) -> F64:
    """Annual risk = LEF x LM per trial (FAIR product model)."""
    if trials <= 0:
        raise ValueError("trials must be positive")
    n_blocks = -(-trials // block_years)
    generators = block_generators(seed, n_blocks)
    out = np.empty(trials, dtype=np.float64)

    def run(b: int) -> None:
        lo, hi = b * block_years, min((b + 1) * block_years, trials)
        rng = generators[b]
        lef = frequency.draw(rng, hi - lo)
        np.multiply(lef, magnitude.draw(rng, hi - lo), out=out[lo:hi])

    workers = threads if threads is not None else min(os.cpu_count() or 1, n_blocks)
    if workers <= 1:
        for b in range(n_blocks):
            run(b)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(n_blocks)))
    return out
