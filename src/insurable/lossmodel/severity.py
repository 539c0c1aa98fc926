"""The spliced severity: a lognormal body with a generalised Pareto tail, and its closed forms.

A loss is drawn from one standard normal ``z`` (so both kernels keep one draw per loss):

- body, ``z <= z_t``: ``x = exp(mu + sigma * z)`` (the lognormal itself below the threshold
  ``t = exp(mu + sigma * z_t)``);
- tail, ``z > z_t``: with ``s = Phi(-z) / Phi(-z_t)`` (uniform on (0, 1] given the tail),
  ``x = t + beta / xi * (s ** -xi - 1)``, the inverse of a generalised Pareto (GPD) survival
  ``(1 + xi * y / beta) ** (-1 / xi)`` above ``t`` (``xi = 0``: exponential, ``x = t - beta * ln s``).

So the tail keeps the lognormal's probability ``q = 1 - Phi(z_t)`` above ``t`` and replaces its
shape. ``beta = q * t * sigma / phi(z_t)`` makes the density continuous at ``t``; the only new
parameters are the threshold quantile and the shape ``xi`` (``xi >= 0.5``: infinite variance, the
heavy tail claims studies show; ``xi < 1`` keeps the mean finite).

Closed forms (tested against the kernels): mean, limited expected value ``E[min(X, u)]`` and the
survival and quantile functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

_N = NormalDist()
SQRT2 = math.sqrt(2.0)


def upper_normal(z: float) -> float:
    """Phi(-z), accurate far into the tail."""
    return 0.5 * math.erfc(z / SQRT2)


@dataclass(frozen=True)
class Spliced:
    """Lognormal(mu, sigma) body; GPD(xi, beta) above ``threshold`` (no tail: ``z_t = inf``)."""

    mu: float
    sigma: float
    z_t: float = math.inf
    xi: float = 0.0

    @classmethod
    def from_quantile(cls, mu: float, sigma: float, tail_quantile: float | None, xi: float) -> Spliced:
        if tail_quantile is None:
            return cls(mu, sigma)
        return cls(mu, sigma, _N.inv_cdf(tail_quantile), xi)

    @property
    def has_tail(self) -> bool:
        return math.isfinite(self.z_t)

    @property
    def threshold(self) -> float:
        return math.exp(self.mu + self.sigma * self.z_t) if self.has_tail else math.inf

    @property
    def q(self) -> float:
        """P(X > threshold)."""
        return upper_normal(self.z_t) if self.has_tail else 0.0

    @property
    def beta(self) -> float:
        if not self.has_tail:
            return 0.0
        return self.q * self.threshold * self.sigma / _N.pdf(self.z_t)

    def scaled(self, factor: float) -> Spliced:
        """The severity of ``factor * X`` (threshold and beta scale with it)."""
        return Spliced(self.mu + math.log(factor), self.sigma, self.z_t, self.xi)

    # -- lognormal pieces -------------------------------------------------------------------
    def _ln_partial_mean(self, u: float) -> float:
        """E[X; X <= u] for the lognormal (no tail)."""
        if u <= 0:
            return 0.0
        m = math.exp(self.mu + self.sigma**2 / 2)
        if math.isinf(u):
            return m
        return m * _N.cdf((math.log(u) - self.mu - self.sigma**2) / self.sigma)

    def _ln_survival(self, u: float) -> float:
        if u <= 0:
            return 1.0
        if math.isinf(u):
            return 0.0
        return upper_normal((math.log(u) - self.mu) / self.sigma)

    # -- GPD pieces -------------------------------------------------------------------------
    def _gpd_survival(self, y: float) -> float:
        if y <= 0:
            return 1.0
        if math.isinf(y):
            return 0.0
        if self.xi == 0:
            return math.exp(-y / self.beta)
        return float((1 + self.xi * y / self.beta) ** (-1 / self.xi))

    def _gpd_lev(self, d: float) -> float:
        """E[min(Y, d)] = integral of the GPD survival from 0 to d."""
        if d <= 0:
            return 0.0
        b, xi = self.beta, self.xi
        if xi == 0:
            return b * (1 - math.exp(-d / b)) if math.isfinite(d) else b
        if math.isinf(d):
            return b / (1 - xi) if xi < 1 else math.inf
        if xi == 1:
            return b * math.log1p(d / b)
        return float(b / (1 - xi) * (1 - (1 + xi * d / b) ** (1 - 1 / xi)))

    # -- public closed forms ----------------------------------------------------------------
    def survival(self, x: float) -> float:
        if not self.has_tail or x <= self.threshold:
            return self._ln_survival(x)
        return self.q * self._gpd_survival(x - self.threshold)

    def quantile(self, p: float) -> float:
        if not 0 < p < 1:
            raise ValueError("p must lie strictly between 0 and 1")
        z = _N.inv_cdf(p)
        return self.sample(z)

    def sample(self, z: float) -> float:
        """The loss for a standard normal draw ``z`` (what the kernels compute)."""
        if z <= self.z_t:
            return math.exp(self.mu + self.sigma * z)
        s = upper_normal(z) / self.q
        t, b = self.threshold, self.beta
        if self.xi == 0:
            return t - b * math.log(s)
        return float(t + b / self.xi * (s ** (-self.xi) - 1))

    def lev(self, u: float) -> float:
        """Limited expected value E[min(X, u)]."""
        if u <= 0:
            return 0.0
        if not self.has_tail or u <= self.threshold:
            return self._ln_partial_mean(u) + (u * self._ln_survival(u) if math.isfinite(u) else 0.0)
        t = self.threshold
        return self._ln_partial_mean(t) + self.q * (t + self._gpd_lev(u - t))

    def mean(self) -> float:
        return self.lev(math.inf)

    def median(self) -> float:
        return self.quantile(0.5)

    def layer_mean(self, deductible: float, limit: float) -> float:
        """E[min(max(X - d, 0), l)] = LEV(d + l) - LEV(d)."""
        return self.lev(deductible + limit) - self.lev(deductible)
