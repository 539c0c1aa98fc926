"""Loss-model priors as data: perils, their frequency and severity, scaling, control effects, terms.

One file, ``perils.yaml``, holds everything the loss model reads (docs/lossmodel.md):

- **perils** (``peril.*``): annual frequency (Poisson, or negative binomial for over-dispersion),
  severity (lognormal from a median and sigma, or from two quantiles) for the reference organisation,
  scaling by size (a power of turnover, employees or records held), control effects (bounded
  multipliers on frequency and severity, their conditions structured :class:`Condition` data), and
  the split of each loss over the coverage types of ``coverages.yaml`` (fractions summing to 1);
- **hazard classes** by activity and NACE division (REFERENCE §5.6);
- **default policy terms** per coverage (deductible, sublimit, BI waiting and indemnity period,
  coinsurance) and the options the report compares (deductibles, limits, return period, capacity);
- **pricing** parameters for the technical premium (target loss ratio, expense load).

Money is in EUR. USD figures from US claims studies are converted with ``currency.usd_to_eur``.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from insurable.catalog.header import Frozen, Header
from insurable.conditions import Condition
from insurable.errors import Problem
from insurable.text import Text

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog

#: A multiplier from one control effect is bounded to this range (a single effect never moves a
#: peril by more than 5x either way; the product per peril is bounded again by ``control_bounds``).
EFFECT_BOUNDS = (0.2, 5.0)


class Frequency(Frozen):
    """Annual number of losses: Poisson with ``mean``, or negative binomial with ``mean`` and
    ``variance_to_mean`` > 1 (over-dispersion, e.g. for clustered campaigns)."""

    distribution: Literal["poisson", "negative_binomial"] = "poisson"
    mean: float = Field(ge=0, le=1000, description="expected number of losses per year")
    variance_to_mean: float | None = Field(default=None, gt=1, le=1000)

    @model_validator(mode="after")
    def _parameters(self) -> Frequency:
        if self.distribution == "negative_binomial" and self.variance_to_mean is None:
            raise ValueError("variance_to_mean: required for a negative_binomial frequency (> 1)")
        if self.distribution == "poisson" and self.variance_to_mean is not None:
            raise ValueError("variance_to_mean: only for a negative_binomial frequency")
        return self

    def scaled(self, factor: float) -> Frequency:
        """The same distribution with its mean multiplied by ``factor`` (dispersion kept)."""
        return self.model_copy(update={"mean": self.mean * factor})


class Severity(Frozen):
    """Loss per occurrence in EUR: lognormal from ``median`` and ``sigma`` (the standard deviation of
    the log) or from two ``quantiles`` ``[[p1, value1], [p2, value2]]`` with p1 < p2 and
    value1 < value2."""

    distribution: Literal["lognormal"] = "lognormal"
    median: float | None = Field(default=None, gt=0, description="scale: the median loss, EUR")
    sigma: float | None = Field(default=None, gt=0, le=5, description="standard deviation of ln(loss)")
    quantiles: tuple[tuple[float, float], tuple[float, float]] | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Severity:
        by_median = self.median is not None or self.sigma is not None
        if by_median and self.quantiles is not None:
            raise ValueError("give either median and sigma, or quantiles, not both")
        if self.quantiles is None:
            if self.median is None:
                raise ValueError("median: required (or give quantiles)")
            if self.sigma is None:
                raise ValueError("sigma: required (or give quantiles)")
            return self
        (p1, v1), (p2, v2) = self.quantiles
        if not (0 < p1 < 1 and 0 < p2 < 1):
            raise ValueError("quantiles: probabilities must lie strictly between 0 and 1")
        if v1 <= 0 or v2 <= 0:
            raise ValueError("quantiles: values must be positive")
        if not p1 < p2:
            raise ValueError("quantiles: out of order, the first probability must be below the second")
        if not v1 < v2:
            raise ValueError("quantiles: out of order, the first value must be below the second")
        return self

    def mu_sigma(self) -> tuple[float, float]:
        """Parameters of ln(loss): mean ``mu`` and standard deviation ``sigma``."""
        if self.quantiles is None:
            assert self.median is not None and self.sigma is not None
            return math.log(self.median), self.sigma
        (p1, v1), (p2, v2) = self.quantiles
        z1, z2 = NormalDist().inv_cdf(p1), NormalDist().inv_cdf(p2)
        sigma = (math.log(v2) - math.log(v1)) / (z2 - z1)
        return math.log(v1) - z1 * sigma, sigma

    def mean(self) -> float:
        mu, sigma = self.mu_sigma()
        return math.exp(mu + sigma * sigma / 2)


Driver = Literal["turnover", "employees", "records"]


class Scale(Frozen):
    """factor = (driver / reference) ** exponent, bounded by ``size.factor_bounds``."""

    driver: Driver = "turnover"
    exponent: float = Field(ge=0, le=1.5)


class Scaling(Frozen):
    frequency: Scale | None = None
    severity: Scale | None = None


class Effect(Frozen):
    """A control effect: when ``when`` holds, multiply the peril's frequency and/or severity."""

    id: str = Field(pattern=r"^eff\.[a-z0-9_.]+$")
    when: Condition
    frequency: float = Field(default=1.0, ge=EFFECT_BOUNDS[0], le=EFFECT_BOUNDS[1])
    severity: float = Field(default=1.0, ge=EFFECT_BOUNDS[0], le=EFFECT_BOUNDS[1])
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)


class Peril(Frozen):
    id: str = Field(pattern=r"^peril\.[a-z0-9_]+$")
    name: Text
    description: Text
    frequency: Frequency
    severity: Severity
    scaling: Scaling = Scaling()
    split: dict[str, float] = Field(min_length=1, description="coverage id -> fraction of each loss")
    effects: tuple[Effect, ...] = ()
    calibration: Text = Field(description="how the numbers were derived, with the sources")
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _split_sums_to_one(self) -> Peril:
        if any(v < 0 for v in self.split.values()):
            raise ValueError("split: fractions must be >= 0")
        total = sum(self.split.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"split: fractions must sum to 1, not {total:g}")
        return self


class HazardClass(Frozen):
    """A sector hazard class: matched by activity or NACE division, scales every peril."""

    id: str = Field(pattern=r"^[a-z_]+$")
    rank: int = Field(ge=0, description="higher is more hazardous; the highest match wins")
    name: Text
    frequency: float = Field(gt=0, le=5)
    severity: float = Field(gt=0, le=5)
    activities: tuple[str, ...] = ()
    nace_divisions: tuple[str, ...] = Field(default=(), description="two-digit NACE Rev. 2 divisions")
    default: bool = False
    sources: tuple[str, ...] = Field(min_length=1)


class SizeReference(Frozen):
    """The reference organisation the peril parameters describe."""

    turnover_eur: float = Field(gt=0)
    employees: float = Field(gt=0)
    records: float = Field(gt=0)
    factor_bounds: tuple[float, float] = Field(description="bounds on each size factor")
    sources: tuple[str, ...] = Field(min_length=1)


class Bounds(Frozen):
    """Bounds on the product of all control effects on one peril."""

    frequency: tuple[float, float]
    severity: tuple[float, float]
    sources: tuple[str, ...] = Field(min_length=1)


class BusinessInterruption(Frozen):
    """How BI loss relates to time: hourly loss rate = turnover x gross-profit share / operating hours.

    A BI loss of amount x implies an outage of x / rate hours; the waiting period removes the first
    ``waiting_period_hours`` x rate, the indemnity period caps the loss at its hours x rate.
    """

    gross_profit_share: float = Field(gt=0, le=1)
    operating_hours_per_year: float = Field(gt=0, le=8760)
    sources: tuple[str, ...] = Field(min_length=1)


class Currency(Frozen):
    usd_to_eur: float = Field(gt=0)
    sources: tuple[str, ...] = Field(min_length=1)


class CoverageTerms(Frozen):
    """Per-coverage, per-occurrence terms. ``covered: false`` removes the coverage."""

    coverage: str
    covered: bool = True
    deductible_eur: float = Field(default=0, ge=0, description="coverage deductible, before the policy's")
    sublimit_eur: float | None = Field(default=None, gt=0, description="per-occurrence sublimit")
    coinsurance: float = Field(default=0, ge=0, lt=1, description="share of each loss the insured keeps")
    waiting_period_hours: float = Field(default=0, ge=0, description="BI: time deductible")
    indemnity_period_days: float | None = Field(default=None, gt=0, description="BI: longest period paid")
    sources: tuple[str, ...] = Field(min_length=1)


class DefaultTerms(Frozen):
    deductible_eur: float = Field(ge=0, description="per occurrence, when the profile requests none")
    limit_eur: float = Field(gt=0, description="per occurrence and annual aggregate, when none requested")
    deductible_options_eur: tuple[float, ...] = Field(min_length=1)
    limit_options_eur: tuple[float, ...] = Field(min_length=1)
    return_period: float = Field(gt=1, description="the limit needed covers this return period")
    capacity_eur: float = Field(gt=0, description="one insurer's capacity when the guideline gives none")
    coverages: tuple[CoverageTerms, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)


class Pricing(Frozen):
    """Technical premium = expected insured loss / target loss ratio + expense load."""

    target_loss_ratio: float = Field(gt=0, le=1)
    expense_load_eur: float = Field(ge=0)
    sources: tuple[str, ...] = Field(min_length=1)


class PerilsFile(Frozen):
    header: Header
    currency: Currency
    size: SizeReference
    hazard_classes: tuple[HazardClass, ...] = Field(min_length=1)
    control_bounds: Bounds
    business_interruption: BusinessInterruption
    perils: tuple[Peril, ...] = Field(min_length=1)
    terms: DefaultTerms
    pricing: Pricing

    @model_validator(mode="after")
    def _one_default_class(self) -> PerilsFile:
        defaults = [c.id for c in self.hazard_classes if c.default]
        if len(defaults) != 1:
            raise ValueError("hazard_classes: exactly one class needs default: true")
        return self

    def by_id(self) -> dict[str, Peril]:
        return {p.id: p for p in self.perils}


def check_perils(catalog: Catalog) -> list[Problem]:
    """Cross-references of perils.yaml: coverage ids, question ids and options, activities."""
    from insurable.catalog.references import check_condition

    model = catalog.files.get("perils.yaml")
    if not isinstance(model, PerilsFile):
        return []
    file = str(catalog.paths.get("perils.yaml", catalog.directory / "perils.yaml"))
    coverages = {c.id for c in catalog.coverages.coverages} if "coverages.yaml" in catalog.files else None
    activities = {a.id for a in catalog.vocabulary.activities} if "vocabulary.yaml" in catalog.files else None
    problems: list[Problem] = []
    for i, peril in enumerate(model.perils):
        for cov in peril.split:
            if coverages is not None and cov not in coverages:
                problems.append(Problem(f"perils[{i}].split.{cov}", f"unknown coverage id {cov!r}", file))
        for j, effect in enumerate(peril.effects):
            if "questionnaire.yaml" in catalog.files or not effect.when.question_ids():
                problems += check_condition(effect.when, f"perils[{i}].effects[{j}].when", file, catalog)
    for i, terms in enumerate(model.terms.coverages):
        if coverages is not None and terms.coverage not in coverages:
            problems.append(Problem(f"terms.coverages[{i}].coverage", f"unknown coverage id {terms.coverage!r}", file))
    for i, cls in enumerate(model.hazard_classes):
        for j, act in enumerate(cls.activities):
            if activities is not None and act not in activities:
                problems.append(Problem(f"hazard_classes[{i}].activities[{j}]", f"unknown activity {act!r}", file))
    return problems
