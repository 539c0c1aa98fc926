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
    from insurable.lossmodel.severity import Spliced

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


class Tail(Frozen):
    """A generalised Pareto tail above the body's ``threshold_quantile`` (lossmodel/severity.py)."""

    threshold_quantile: float = Field(ge=0.5, le=0.999, description="the body's quantile where the tail starts")
    shape: float = Field(ge=0, lt=1, description="GPD shape xi (>= 0.5: infinite variance; < 1: finite mean)")
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)


class Severity(Frozen):
    """Loss per occurrence in EUR: lognormal from ``median`` and ``sigma`` (the standard deviation of
    the log) or from two ``quantiles`` ``[[p1, value1], [p2, value2]]`` with p1 < p2 and
    value1 < value2; optionally spliced with a generalised Pareto ``tail``."""

    distribution: Literal["lognormal", "spliced"] = "lognormal"
    median: float | None = Field(default=None, gt=0, description="scale: the median loss, EUR")
    sigma: float | None = Field(default=None, gt=0, le=5, description="standard deviation of ln(loss)")
    quantiles: tuple[tuple[float, float], tuple[float, float]] | None = None
    tail: Tail | None = None

    @model_validator(mode="after")
    def _parameters(self) -> Severity:
        by_median = self.median is not None or self.sigma is not None
        if by_median and self.quantiles is not None:
            raise ValueError("give either median and sigma, or quantiles, not both")
        if (self.distribution == "spliced") != (self.tail is not None):
            raise ValueError("tail: required for distribution spliced, and only for it")
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

    def spliced(self, factor: float = 1.0) -> Spliced:
        """The closed-form severity (times ``factor``)."""
        from insurable.lossmodel.severity import Spliced

        mu, sigma = self.mu_sigma()
        tail = self.tail
        return Spliced.from_quantile(
            mu + math.log(factor), sigma, tail.threshold_quantile if tail else None, tail.shape if tail else 0.0
        )

    def mean(self) -> float:
        return self.spliced().mean()


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
    control: str | None = Field(default=None, description="the control (controls.yaml) this effect is about")
    in_place: bool = Field(
        default=True, description="fires when the control is in place (a credit) or missing (a penalty)"
    )
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)

    @property
    def credit(self) -> bool:
        return self.frequency * self.severity < 1

    @property
    def lowers_loss_with_control(self) -> bool:
        """Whether having the control lowers the loss by this effect (what every modifier says)."""
        product = self.frequency * self.severity
        return product <= 1 if self.in_place else product >= 1


def _check_split(split: dict[str, float]) -> None:
    if any(v < 0 for v in split.values()):
        raise ValueError("split: fractions must be >= 0")
    total = sum(split.values())
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"split: fractions must sum to 1, not {total:g}")


class SecondPart(Frozen):
    """A part of the event that happens with ``probability`` (ransomware with data theft): its own
    severity, scaled by its own size driver (records held), split over its coverages."""

    probability: float = Field(gt=0, le=1)
    severity: Severity
    scaling: Scale | None = None
    split: dict[str, float] = Field(min_length=1)
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _split_sums_to_one(self) -> SecondPart:
        _check_split(self.split)
        return self


class Downtime(Frozen):
    """Business interruption as time: hours of interruption (lognormal, from the event's own draw,
    so a larger attack also stops the business longer) x the loss per clock hour (turnover x gross
    profit share / 8,760), into ``coverage``. Hazard and control severity factors scale the hours."""

    median_hours: float = Field(gt=0, le=8760)
    sigma: float = Field(ge=0, le=3)
    coverage: str = "cov.business_interruption"
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)

    def mean_hours(self) -> float:
        return self.median_hours * math.exp(self.sigma**2 / 2)


class Peril(Frozen):
    id: str = Field(pattern=r"^peril\.[a-z0-9_]+$")
    name: Text
    description: Text
    frequency: Frequency
    severity: Severity
    scaling: Scaling = Scaling()
    split: dict[str, float] = Field(min_length=1, description="coverage id -> fraction of each loss")
    effects: tuple[Effect, ...] = ()
    second_part: SecondPart | None = Field(default=None, description="a part drawn with the event (same occurrence)")
    downtime: Downtime | None = Field(default=None, description="BI as hours of interruption x loss per hour")
    common_shock: float = Field(default=1.0, ge=1, le=20, description="frequency multiplier in a shock year")
    regulatory: bool = Field(default=False, description="scaled by the NIS2 outcome (nis2_factors)")
    calibration: Text = Field(description="how the numbers were derived, with the sources")
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _split_sums_to_one(self) -> Peril:
        _check_split(self.split)
        return self


class HazardMultiplier(Frozen):
    """Loss multipliers for one hazard class of the guideline (underwriting.hazard.classify_hazard).

    Keyed by the guideline's class id; an insurer's own guideline with other ids falls back to the
    entry of the same rank (else the nearest lower rank, else the lowest)."""

    hazard_class: str = Field(pattern=r"^[a-z_]+$")
    rank: int = Field(ge=0)
    frequency: float = Field(gt=0, le=5)
    severity: float = Field(gt=0, le=5)
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)


class SizeReference(Frozen):
    """The reference organisation the peril parameters describe."""

    turnover_eur: float = Field(gt=0)
    employees: float = Field(gt=0)
    records: float = Field(gt=0)
    factor_bounds: tuple[float, float] = Field(description="bounds on each size factor")
    sources: tuple[str, ...] = Field(min_length=1)


class Bounds(Frozen):
    """Bounds per peril on the combined effect (frequency x severity) of all credits and of all
    penalties: credits together never reduce it below ``credit_floor`` (0.4: at most 2.5x),
    penalties never raise it above ``penalty_cap``."""

    credit_floor: float = Field(gt=0, le=1)
    penalty_cap: float = Field(ge=1)
    sources: tuple[str, ...] = Field(min_length=1)


class CommonShock(Frozen):
    """Dependence between event types: in a shock year (probability ``probability``) every type's
    frequency is multiplied by its ``common_shock``, in other years divided so that the mean stays."""

    probability: float = Field(ge=0, lt=1)
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)


class BusinessInterruption(Frozen):
    """How BI loss relates to time: loss per clock hour of outage = turnover x gross-profit share /
    8,760 hours. A BI loss x implies an outage of x / rate clock hours; the waiting period (clock
    hours, as policies state it) removes its hours x rate, the indemnity period caps the hours paid.
    """

    gross_profit_share: float = Field(gt=0, le=1)
    sources: tuple[str, ...] = Field(min_length=1)

    @property
    def hours_per_year(self) -> float:
        return 8760.0


class Currency(Frozen):
    usd_to_eur: float = Field(gt=0)
    sources: tuple[str, ...] = Field(min_length=1)


class CoverageTerms(Frozen):
    """Per-coverage, per-occurrence terms. ``covered: false`` removes the coverage."""

    coverage: str
    covered: bool = True
    deductible_eur: float = Field(default=0, ge=0, description="coverage retention, before the policy's")
    sublimit_eur: float | None = Field(default=None, gt=0, description="annual aggregate sublimit")
    coinsurance: float = Field(default=0, ge=0, lt=1, description="share of each loss the insured keeps")
    waiting_period_hours: float = Field(default=0, ge=0, description="BI: time deductible, clock hours")
    waiting_period_replaces_deductible: bool = Field(
        default=False, description="BI: the waiting period is this coverage's deductible (Hiscox CyberClear)"
    )
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
    """Technical premium = (expected insured loss + risk load) / target loss ratio + expense load.

    Risk load = ``risk_load_per_std`` x the standard deviation of the annual insured loss (the
    standard-deviation principle). A tower layer is never priced below ``minimum_rate_on_line`` x
    its width."""

    target_loss_ratio: float = Field(gt=0, le=1)
    expense_load_eur: float = Field(ge=0)
    risk_load_per_std: float = Field(default=0, ge=0, le=1)
    minimum_rate_on_line: float = Field(default=0, ge=0, lt=1)
    reason: Text | None = None
    sources: tuple[str, ...] = Field(min_length=1)


class LimitNeededRule(Frozen):
    """How the limit needed is found: the larger of the mean of the worst ``tail_return_period``
    share of years (TVaR) and the ``event_quantile`` of the insured loss in a year with a claim,
    rounded up to the next of ``market_steps_eur``."""

    tail_return_period: float = Field(gt=1)
    event_quantile: float = Field(gt=0, lt=1)
    market_steps_eur: tuple[float, ...] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class Nis2Factors(Frozen):
    """Frequency multipliers of the regulatory event type by NIS2 classification (assess's outcome)."""

    essential: float = Field(gt=0)
    important: float = Field(gt=0)
    out_of_scope: float = Field(gt=0)
    sources: tuple[str, ...] = Field(min_length=1)


class PerilsFile(Frozen):
    header: Header
    currency: Currency
    size: SizeReference
    hazard_multipliers: tuple[HazardMultiplier, ...] = Field(min_length=1)
    control_bounds: Bounds
    common_shock: CommonShock
    nis2_factors: Nis2Factors
    business_interruption: BusinessInterruption
    perils: tuple[Peril, ...] = Field(min_length=1)
    terms: DefaultTerms
    limit_needed: LimitNeededRule
    pricing: Pricing

    def by_id(self) -> dict[str, Peril]:
        return {p.id: p for p in self.perils}

    def hazard_multiplier(self, class_id: str, rank: int) -> tuple[HazardMultiplier, str]:
        """The multipliers for a guideline class: by id, else by rank (documented fallback)."""
        for m in self.hazard_multipliers:
            if m.hazard_class == class_id:
                return m, "by class id"
        ranked = sorted(self.hazard_multipliers, key=lambda m: m.rank)
        same = [m for m in ranked if m.rank == rank]
        if same:
            return same[0], f"class {class_id!r} not listed: the entry of the same rank {rank}"
        lower = [m for m in ranked if m.rank < rank]
        if lower:
            return lower[-1], f"class {class_id!r} not listed: the nearest lower rank {lower[-1].rank}"
        return ranked[0], f"class {class_id!r} not listed: the lowest rank"


def check_perils(catalog: Catalog) -> list[Problem]:
    """Cross-references of perils.yaml: coverage ids, question ids and options, activities."""
    from insurable.catalog.references import check_condition

    model = catalog.files.get("perils.yaml")
    if not isinstance(model, PerilsFile):
        return []
    file = str(catalog.paths.get("perils.yaml", catalog.directory / "perils.yaml"))
    coverages = {c.id for c in catalog.coverages.coverages} if "coverages.yaml" in catalog.files else None
    {a.id for a in catalog.vocabulary.activities} if "vocabulary.yaml" in catalog.files else None
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
    for i, peril in enumerate(model.perils):
        if peril.downtime is not None and coverages is not None and peril.downtime.coverage not in coverages:
            problems.append(
                Problem(f"perils[{i}].downtime.coverage", f"unknown coverage id {peril.downtime.coverage!r}", file)
            )
        if peril.second_part is not None:
            for cov in peril.second_part.split:
                if coverages is not None and cov not in coverages:
                    problems.append(
                        Problem(f"perils[{i}].second_part.split.{cov}", f"unknown coverage id {cov!r}", file)
                    )
    problems += _check_hazard_multipliers(catalog, model, file)
    problems += _check_control_directions(catalog, model, file)
    return problems


def _check_hazard_multipliers(catalog: Catalog, model: PerilsFile, file: str) -> list[Problem]:
    """Every hazard class of the guideline has its loss multipliers (same id), and they rise with rank."""
    if "guideline.yaml" not in catalog.files:
        return []
    listed = {m.hazard_class: m for m in model.hazard_multipliers}
    problems = [
        Problem("hazard_multipliers", f"no loss multipliers for the guideline's hazard class {cls.id!r}", file)
        for cls in catalog.guideline.hazard_classes
        if cls.id not in listed
    ]
    ranked = sorted(model.hazard_multipliers, key=lambda m: m.rank)
    for lo, hi in zip(ranked, ranked[1:], strict=False):
        if hi.frequency * hi.severity < lo.frequency * lo.severity:
            problems.append(
                Problem(
                    "hazard_multipliers",
                    f"{hi.hazard_class!r} ranks above {lo.hazard_class!r} but multiplies less",
                    file,
                )
            )
    return problems


def _check_control_directions(catalog: Catalog, model: PerilsFile, file: str) -> list[Problem]:
    """The guideline's premium modifiers and the loss model's effects agree in direction per control.

    Every guideline modifier linked to a control (``fixed_by``) prices the control as lowering the
    risk: a credit when it is in place, a debit when it is missing. Every loss effect linked to a
    control must then lower the loss when the control is in place: frequency x severity <= 1 for
    an effect that fires with the control in place, >= 1 for one that fires when it is missing.
    """
    controls = {c.id for c in catalog.controls.controls} if "controls.yaml" in catalog.files else None
    priced: dict[str, list[str]] = {}
    if "guideline.yaml" in catalog.files:
        for rule in catalog.guideline.rules:
            if rule.effect == "modifier" and rule.factor is not None:
                for ctl in rule.fixed_by:
                    priced.setdefault(ctl, []).append(rule.id)
    problems: list[Problem] = []
    for i, peril in enumerate(model.perils):
        for j, effect in enumerate(peril.effects):
            if effect.control is None:
                continue
            where = f"perils[{i}].effects[{j}]"
            if controls is not None and effect.control not in controls:
                problems.append(Problem(f"{where}.control", f"unknown control {effect.control!r}", file))
            if not effect.lowers_loss_with_control:
                state = "in place" if effect.in_place else "missing"
                rules = ", ".join(priced.get(effect.control, ())) or "no modifier"
                problems.append(
                    Problem(
                        f"{where}.frequency",
                        f"{effect.id} says {effect.control} {state} moves the loss the wrong way "
                        f"(frequency x severity {effect.frequency * effect.severity:g}); the guideline "
                        f"prices the control as lowering the risk ({rules})",
                        file,
                    )
                )
    return problems
