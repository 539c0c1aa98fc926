"""Statistics of an annual-loss sample: mean, standard deviation, VaR and TVaR by return period, and
the loss exceedance curve.

With N trial-years and return period T, k = max(1, floor(N / T)): VaR_T is the k-th largest annual
loss and TVaR_T the mean of the k largest (the empirical AEP and its tail mean).

Annual cyber losses are mostly zero (a 1-3 % chance of a claim a year), so only the positive
values are partitioned and sorted: a 10^7-year sample with 2 % claim years sorts 2 x 10^5 values,
and the zeros are accounted for by count (VaR 0, TVaR = the positive sum over k).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: Return periods reported as VaR/TVaR (1-in-10 ... 1-in-250).
RETURN_PERIODS: tuple[int, ...] = (10, 50, 100, 200, 250)
#: Return periods of the loss exceedance curve (those above the number of trials are dropped).
#: Dense where an SME decides (1 to 250+ years), up to 1-in-1,000.
CURVE_RETURN_PERIODS: tuple[int, ...] = (1, 2, 5, 10, 20, 25, 50, 75, 100, 150, 200, 250, 500, 1000)


class Tail:
    """The largest positive values of a non-negative sample, sorted descending, with running means."""

    def __init__(self, sample: NDArray[np.floating], largest: int, total: int | None = None) -> None:
        n = sample.shape[0] if total is None else total
        largest = max(1, min(largest, n))
        positive = sample[sample > 0]
        m = positive.shape[0]
        if m > largest:
            top = np.partition(positive, m - largest)[m - largest :].astype(np.float64)
        else:
            top = positive.astype(np.float64)
        top.sort()
        self.desc = top[::-1]
        self.running_sum = np.cumsum(self.desc)
        self.n: int = int(n)
        self.largest = largest

    def k(self, return_period: float) -> int:
        return max(1, min(int(self.n // return_period), self.largest))

    def var(self, return_period: float) -> float:
        k = self.k(return_period)
        return float(self.desc[k - 1]) if k <= self.desc.shape[0] else 0.0

    def tvar(self, return_period: float) -> float:
        k = self.k(return_period)
        m = self.desc.shape[0]
        if m == 0:
            return 0.0
        return float(self.running_sum[min(k, m) - 1] / k)


def tail(sample: NDArray[np.floating], total: int | None = None) -> Tail:
    """The tail statistics of ``sample`` for every return period >= 1 (only its positive values are
    sorted: cheap for the mostly-zero annual losses of an organisation)."""
    n = sample.shape[0] if total is None else total
    return Tail(sample, n, total=n)


class NonzeroStats:
    """Closed forms over the positive years of an annual-loss sample (sorted once): the annual
    probability of exceeding an amount, the mean and standard deviation of a layer ``width`` xs
    ``attachment`` and quantiles of the loss in a year with a claim. Cost per query: one binary
    search, so a tower of any number of layers or a limit of EUR 1e30 answers at once."""

    def __init__(self, sample: NDArray[np.floating], total: int | None = None) -> None:
        positive = np.sort(sample[sample > 0].astype(np.float64))
        self.values = positive
        self.n = int(sample.shape[0] if total is None else total)
        self.suffix = np.concatenate([np.cumsum(positive[::-1])[::-1], [0.0]])
        self.suffix_sq = np.concatenate([np.cumsum((positive**2)[::-1])[::-1], [0.0]])

    @property
    def max(self) -> float:
        return float(self.values[-1]) if self.values.size else 0.0

    def _above(self, x: float) -> int:
        return int(np.searchsorted(self.values, x, side="right"))

    def exceedance(self, x: float) -> float:
        """P(S > x)."""
        return (self.values.shape[0] - self._above(x)) / self.n if self.n else 0.0

    def _moments_above(self, x: float) -> tuple[int, float, float]:
        i = self._above(x)
        return self.values.shape[0] - i, float(self.suffix[i]), float(self.suffix_sq[i])

    def layer_mean(self, attachment: float, width: float) -> float:
        """E[min(max(S - a, 0), w)]."""
        if self.n == 0 or width <= 0:
            return 0.0
        c1, s1, _ = self._moments_above(attachment)
        upper = attachment + width
        above = 0.0
        if np.isfinite(upper):
            c2, s2, _ = self._moments_above(upper)
            above = s2 - c2 * upper if c2 else 0.0
        total = (s1 - c1 * attachment) - above
        return max(total, 0.0) / self.n

    def layer_std(self, attachment: float, width: float) -> float:
        """Standard deviation of min(max(S - a, 0), w)."""
        if self.n == 0 or width <= 0:
            return 0.0
        a, upper = attachment, attachment + width
        c1, s1, q1 = self._moments_above(a)
        c2, s2, q2 = self._moments_above(upper) if np.isfinite(upper) else (0, 0.0, 0.0)
        # Years with a < S <= a + w pay S - a; years above pay w.
        cm, sm, qm = c1 - c2, s1 - s2, q1 - q2
        second = (qm - 2 * a * sm + cm * a * a) + (c2 * width * width if np.isfinite(width) else 0.0)
        mean = self.layer_mean(a, width)
        return float(np.sqrt(max(second / self.n - mean * mean, 0.0)))

    def conditional_quantile(self, q: float) -> float:
        """The ``q`` quantile of the loss in a year with a (positive) loss; 0 without one."""
        m = self.values.shape[0]
        if m == 0:
            return 0.0
        return float(self.values[min(m - 1, max(0, int(np.ceil(q * m)) - 1))])


def curve_periods(trials: int) -> tuple[int, ...]:
    return tuple(t for t in CURVE_RETURN_PERIODS if t <= trials)
