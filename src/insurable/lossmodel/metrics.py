"""Statistics of an annual-loss sample: mean, standard deviation, VaR and TVaR by return period, and
the loss exceedance curve.

With N trial-years and return period T, k = max(1, floor(N / T)): VaR_T is the k-th largest annual
loss and TVaR_T the mean of the k largest (the empirical AEP and its tail mean). Only the top half of
the sample is sorted, so a 10^7-year sample costs one partition and one sort of 5 x 10^6 values.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: Return periods reported as VaR/TVaR (1-in-10 ... 1-in-250).
RETURN_PERIODS: tuple[int, ...] = (10, 50, 100, 200, 250)
#: Return periods of the loss exceedance curve (those above the number of trials are dropped).
CURVE_RETURN_PERIODS: tuple[int, ...] = (2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)


class Tail:
    """The largest values of a sample, sorted descending, with their running means."""

    def __init__(self, sample: NDArray[np.floating], largest: int) -> None:
        n = sample.shape[0]
        largest = max(1, min(largest, n))
        top = np.partition(sample, n - largest)[n - largest :].astype(np.float64)
        top.sort()
        self.desc = top[::-1]
        self.running_mean = np.cumsum(self.desc) / np.arange(1, largest + 1)
        self.n: int = int(n)

    def k(self, return_period: float) -> int:
        return max(1, min(int(self.n // return_period), int(self.desc.shape[0])))

    def var(self, return_period: float) -> float:
        return float(self.desc[self.k(return_period) - 1])

    def tvar(self, return_period: float) -> float:
        return float(self.running_mean[self.k(return_period) - 1])


def tail(sample: NDArray[np.floating]) -> Tail:
    """The top half of ``sample`` (enough for every return period >= 2)."""
    return Tail(sample, sample.shape[0] // min(CURVE_RETURN_PERIODS) + 1)


def curve_periods(trials: int) -> tuple[int, ...]:
    return tuple(t for t in CURVE_RETURN_PERIODS if t <= trials)
