"""The loss report: frozen, JSON-serialisable results of one simulation (docs/lossmodel.md, "JSON").

Return periods are JSON object keys, written as strings ("10", "100", ...). Money is EUR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from insurable.catalog.header import Frozen
from insurable.lossmodel.metrics import RETURN_PERIODS, curve_periods, tail
from insurable.text import Text

if TYPE_CHECKING:
    from insurable.lossmodel.engine import YearLossTable


class CurvePoint(Frozen):
    return_period: float
    probability: float = Field(description="annual probability that the loss exceeds ``loss``")
    loss: float


class Distribution(Frozen):
    """Annual loss: mean, standard deviation, VaR (``quantiles``) and TVaR by return period."""

    mean: float
    std: float
    quantiles: dict[str, float] = Field(description="return period -> VaR (annual loss)")
    tvar: dict[str, float] = Field(description="return period -> TVaR (mean loss beyond the VaR)")
    exceedance_curve: tuple[CurvePoint, ...] = ()


class PerilResult(Distribution):
    name: str
    frequency: float = Field(description="expected events per year, after scaling and control effects")
    severity_median: float = Field(description="median of the event's first part")
    severity_sigma: float
    severity_mean: float = Field(description="mean loss per event, both parts (closed form)")
    tail_threshold: float | None = Field(default=None, description="where the Pareto tail starts")
    tail_shape: float | None = None
    second_part_probability: float | None = None
    expected_annual: float = Field(default=0.0, description="frequency x severity_mean (closed form)")


class CoverageTermsUsed(Frozen):
    coverage: str
    covered: bool
    deductible: float
    sublimit: float | None
    coinsurance: float
    waiting_period_hours: float
    waiting_period_replaces_deductible: bool = False
    indemnity_period_days: float | None
    rules: tuple[str, ...] = ()


class TermsUsed(Frozen):
    deductible: float = Field(description="per occurrence")
    limit: float | None = Field(description="per occurrence")
    aggregate_limit: float | None = Field(description="annual aggregate")
    bi_hourly_rate: float | None = Field(default=None, description="BI loss per clock hour")
    origin: str = Field(default="defaults", description="offered (by assess), requested or defaults")
    excluded: tuple[str, ...] = Field(default=(), description="coverages the terms exclude (fully retained)")
    coverages: tuple[CoverageTermsUsed, ...] = ()


class DeductibleOption(Frozen):
    deductible: float
    limit: float | None
    insured_mean: float
    retained_mean: float
    retained_quantiles: dict[str, float]
    technical_premium: float | None


class LimitOption(Frozen):
    limit: float
    deductible: float
    insured_mean: float
    retained_mean: float
    probability_exhausted: float = Field(description="annual probability the claims exceed the limit")
    technical_premium: float | None


class LimitNeeded(Frozen):
    return_period: float
    deductible: float
    limit: float = Field(description="the limit to buy: the larger of the two measures, rounded up to a market step")
    worst_years_mean: float = Field(description="mean insured loss of the worst 1-in-return_period share of years")
    event_quantile: float
    event_loss: float = Field(description="this quantile of the insured loss in a year with a claim")
    unrounded: float
    method: Text
    requested_limit: float | None
    requested_limit_return_period: float | None = Field(
        description="the requested limit is exhausted once in this many years (None: never in the sample)"
    )


class Layer(Frozen):
    layer: int
    attachment: float
    limit: float
    expected_loss: float
    attachment_probability: float
    technical_premium: float | None
    rate_on_line: float | None = None
    minimum_applied: bool = False
    count: int = Field(default=1, description="identical layers this row stands for (above every simulated loss)")


class Tower(Frozen):
    requested_limit: float
    capacity: float = Field(description="the largest line one insurer writes")
    capacity_source: str
    insurers: int = Field(default=1, description="layers (insurers) the requested limit needs")
    minimum_rate_on_line: float = 0.0
    layers: tuple[Layer, ...]

    @property
    def technical_premium(self) -> float:
        """The whole tower's technical premium: what the requested limit costs from the model."""
        return sum((layer.technical_premium or 0.0) * layer.count for layer in self.layers)


class TechnicalPremium(Frozen):
    expected_insured_loss: float
    risk_load: float = 0.0
    target_loss_ratio: float
    expense_load: float
    premium: float
    sources: tuple[str, ...]


class Adjustment(Frozen):
    """One factor applied to a peril: hazard class, size, a control effect, or a bound."""

    peril: str
    kind: Literal["hazard_class", "size", "control", "bound", "nis2"]
    id: str
    frequency: float
    severity: float
    reason: Text
    facts: dict[str, Any] = Field(default_factory=dict)
    sources: tuple[str, ...] = ()


class LossSummary(Frozen):
    """The compact loss section for ``insurable assess``."""

    trials: int
    seed: int
    mean_annual_loss: float
    loss_1_in_100: float
    insured_mean: float
    retained_mean: float
    deductible: float
    limit: float | None
    limit_needed: float | None
    limit_needed_return_period: float | None
    technical_premium: float | None
    technical_premium_requested_limit: float | None = Field(
        default=None, description="technical premium of one policy for the requested (tower) limit"
    )
    technical_premium_tower: float | None = Field(
        default=None, description="sum of the tower's layer premiums (each layer priced on its own)"
    )


#: Version of the ``simulate --format json`` contract (schemas/simulate.schema.json). 2: loss model v2
#: (limit needed with its method, tower insurers and counts, risk load, premium comparison reasons).
FORMAT_VERSION = 2


class GapReason(Frozen):
    factor: str = Field(description="hazard_class, controls_and_exposures, records_held, limit or deductible")
    model: float = Field(description="the factor the loss model implies")
    rating: float = Field(description="the rating's factor")
    model_over_rating: float


class PremiumComparison(Frozen):
    """The technical premium (one policy for the requested limit) beside the factor premium."""

    technical_eur: float
    technical_primary_eur: float | None = None
    technical_tower_eur: float | None = None
    factor_eur: dict[str, float] | None = Field(description="low_eur, point_eur, high_eur; None when declined")
    ratio_technical_to_factor: float | None = None
    agreement_band: tuple[float, float] | None = None
    agrees: bool | None = None
    note: str
    reasons: tuple[GapReason, ...] = ()


class LossReport(Frozen):
    """Everything one simulation reports (indicative figures, EUR)."""

    format_version: int = Field(default=FORMAT_VERSION, description="version of this JSON contract")
    kind: Literal["organisation", "scenario"]
    name: str | None = None
    trials: int
    seed: int
    kernel: str
    block_years: int
    currency: Literal["EUR"] = "EUR"
    indicative: bool = True
    mean_annual_loss: float
    std_annual_loss: float
    quantiles: dict[str, float] = Field(description="return period -> VaR of the ground-up annual loss")
    tvar: dict[str, float]
    exceedance_curve: tuple[CurvePoint, ...]
    insured: Distribution
    retained: Distribution
    by_peril: dict[str, PerilResult]
    terms: TermsUsed
    deductible_options: tuple[DeductibleOption, ...] = ()
    limit_options: tuple[LimitOption, ...] = ()
    limit_needed: LimitNeeded | None = None
    tower: Tower | None = None
    technical_premium: TechnicalPremium | None = None
    adjustments: tuple[Adjustment, ...] = ()
    catalog_versions: dict[str, str] = Field(default_factory=dict)
    premium_comparison: PremiumComparison | None = None

    def summary(self) -> LossSummary:
        return LossSummary(
            trials=self.trials,
            seed=self.seed,
            mean_annual_loss=self.mean_annual_loss,
            loss_1_in_100=self.quantiles.get("100", float("nan")),
            insured_mean=self.insured.mean,
            retained_mean=self.retained.mean,
            deductible=self.terms.deductible,
            limit=self.terms.limit,
            limit_needed=self.limit_needed.limit if self.limit_needed else None,
            limit_needed_return_period=self.limit_needed.return_period if self.limit_needed else None,
            technical_premium=self.technical_premium.premium if self.technical_premium else None,
            technical_premium_requested_limit=self.requested_limit_premium(),
            technical_premium_tower=self.tower.technical_premium if self.tower else None,
        )

    def requested_limit_premium(self) -> float | None:
        """The technical premium of one policy for the requested (tower) limit: what the factor
        premium also prices. Falls back to the premium for the policy's own limit."""
        if self.tower is not None:
            for option in self.limit_options:
                if option.limit == self.tower.requested_limit and option.technical_premium is not None:
                    return option.technical_premium
        return self.technical_premium.premium if self.technical_premium else None

    def to_json(self) -> dict[str, Any]:
        """A plain JSON-ready dict (what ``--format json`` prints)."""
        return self.model_dump(mode="json")


def rp_key(return_period: float) -> str:
    return f"{return_period:g}"


def mean_std(sample: NDArray[np.floating], total: int | None = None) -> tuple[float, float]:
    """Mean and (ddof 1) standard deviation of ``sample`` padded with zeros to ``total`` values."""
    m = sample.shape[0]
    n = m if total is None else total
    if n == 0:
        return 0.0, 0.0
    mean = float(sample.sum(dtype=np.float64)) / n
    if n < 2:
        return mean, 0.0
    dev = sample.astype(np.float64) - mean
    ss = float(np.square(dev).sum()) + (n - m) * mean * mean  # no BLAS: np.dot wakes its thread pool
    return mean, float(np.sqrt(max(ss, 0.0) / (n - 1)))


def distribution(sample: NDArray[np.floating], curve: bool = True, total: int | None = None) -> Distribution:
    """Mean, std, VaR/TVaR at :data:`RETURN_PERIODS` and (optionally) the exceedance curve.

    With ``total``, ``sample`` holds only some of the years (those with a claim) and the other
    ``total - len(sample)`` years are zero: the statistics are those of the whole sample, without
    ever building it."""
    n = sample.shape[0] if total is None else total
    top = tail(sample, total=n)
    periods = [t for t in RETURN_PERIODS if t <= n]
    points = (
        tuple(CurvePoint(return_period=t, probability=1 / t, loss=top.var(t)) for t in curve_periods(n))
        if curve
        else ()
    )
    mean, std = mean_std(sample, n)
    return Distribution(
        mean=mean,
        std=std,
        quantiles={rp_key(t): top.var(t) for t in periods},
        tvar={rp_key(t): top.tvar(t) for t in periods},
        exceedance_curve=points,
    )


def report_from_table(
    kind: Literal["organisation", "scenario"],
    name: str | None,
    ylt: YearLossTable,
    insured: NDArray[np.floating],
    by_peril: dict[str, PerilResult],
    terms: TermsUsed,
    **extra: Any,
) -> LossReport:
    """A report from a year-loss table (dense, or sparse: the years with a loss; ``insured`` then
    holds the same years): the ground-up statistics, insured and retained loss, and whatever else
    the caller measured (options, limit needed, tower, premium)."""
    n = ylt.trials
    ground_up = ylt.ground_up
    total = distribution(ground_up, total=n)
    return LossReport(
        kind=kind,
        name=name,
        trials=ylt.trials,
        seed=ylt.seed,
        kernel=ylt.kernel,
        block_years=ylt.block_years,
        mean_annual_loss=total.mean,
        std_annual_loss=total.std,
        quantiles=total.quantiles,
        tvar=total.tvar,
        exceedance_curve=total.exceedance_curve,
        insured=distribution(insured, total=n),
        retained=distribution(ground_up - insured, total=n),
        by_peril=by_peril,
        terms=terms,
        **extra,
    )
