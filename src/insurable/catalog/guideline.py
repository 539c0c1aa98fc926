"""An underwriting guideline as data: risk classes, knock-out and condition rules, and rating.

The default guideline is labelled indicative; an insurer supplies its own with ``--guideline DIR``
(a directory holding ``guideline.yaml``). Every number cites a source; sources tagged ``D`` are our
documented assumptions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from insurable.catalog.header import Frozen, Header
from insurable.conditions import Condition
from insurable.text import Text

Effect = Literal[
    "decline",
    "refer",
    "exclusion",
    "sublimit",
    "subjectivity",
    "modifier",
    "deductible_floor",
    "capacity_cap",
    "standard_exclusion",
    "waiting_period",
    "indemnity_period",
    "coinsurance",
    "retention",
    "retroactive_date",
]

#: Effects that set a policy term (OED-style, per coverage); the loss model maps them into its ``Terms``.
POLICY_TERM_EFFECTS: tuple[str, ...] = (
    "waiting_period",
    "indemnity_period",
    "coinsurance",
    "retention",
    "retroactive_date",
)

#: Effects that make the verdict "insurable_with_conditions" when they fire.
CONDITION_EFFECTS: frozenset[str] = frozenset({"exclusion", "sublimit", "subjectivity"})


class HazardClass(Frozen):
    id: str = Field(pattern=r"^[a-z_]+$")
    rank: int = Field(ge=0, description="higher is more hazardous")
    name: Text
    factor: float = Field(gt=0, description="hazard factor in the rating")
    deductible_floor_eur: float = Field(ge=0)
    capacity_eur: float = Field(gt=0, description="largest limit one insurer writes for this class")
    sources: tuple[str, ...] = Field(min_length=1)


class ClassRule(Frozen):
    id: str = Field(pattern=r"^cls\.[a-z0-9_.]+$")
    hazard_class: str
    when: Condition
    reason: Text
    sources: tuple[str, ...] = Field(min_length=1)


class RevenueBand(Frozen):
    up_to_eur: float | None = Field(default=None, gt=0, description="upper edge; none for the top band")
    rate_per_meur: float = Field(ge=0, description="marginal premium per EUR 1M of turnover in this band")


class Point(Frozen):
    at_eur: float = Field(ge=0)
    factor: float = Field(gt=0)


class Rating(Frozen):
    """premium = (base + banded turnover rate) x hazard x clip(product of modifiers) x ILF x deductible."""

    base_premium_eur: float = Field(ge=0)
    revenue_bands: tuple[RevenueBand, ...] = Field(min_length=1)
    limit_factors: tuple[Point, ...] = Field(min_length=2, description="increased-limit factors")
    deductible_factors: tuple[Point, ...] = Field(min_length=1, description="credit by chosen deductible")
    modifier_floor: float = Field(gt=0, le=1)
    modifier_cap: float = Field(ge=1)
    minimum_premium_eur: float = Field(ge=0)
    range_spread: float = Field(ge=0, lt=1, description="indicative range: point x (1 -/+ spread)")
    rounding_eur: float = Field(default=10, gt=0)
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Rating:
        edges = [b.up_to_eur for b in self.revenue_bands]
        if any(e is None for e in edges[:-1]):
            raise ValueError("revenue_bands: only the last band may be open-ended")
        finite = [e for e in edges if e is not None]
        if finite != sorted(finite) or len(set(finite)) != len(finite):
            raise ValueError("revenue_bands: up_to_eur must increase")
        for name, points, rising in (
            ("limit_factors", self.limit_factors, True),
            ("deductible_factors", self.deductible_factors, False),
        ):
            ats = [p.at_eur for p in points]
            if ats != sorted(ats) or len(set(ats)) != len(ats):
                raise ValueError(f"{name}: at_eur must increase")
            factors = [p.factor for p in points]
            if factors != sorted(factors, reverse=not rising):
                raise ValueError(f"{name}: factors must {'rise' if rising else 'fall'} with the amount")
        if self.limit_factors[0].at_eur <= 0:
            raise ValueError("limit_factors: the first limit must be above zero")
        return self


class Rule(Frozen):
    id: str = Field(pattern=r"^uw\.[a-z0-9_.]+$")
    effect: Effect
    when: Condition
    text: Text = Field(description="what the outcome says to the applicant")
    factor: float | None = Field(
        default=None, gt=0, description="modifier: premium factor; coinsurance: share of the loss the insured keeps"
    )
    hours: float | None = Field(default=None, gt=0, description="waiting_period: hours before BI loss counts")
    coverage: str | None = Field(
        default=None, description="exclusion/sublimit: coverage id (an exclusion without one applies to the policy)"
    )
    sublimit_eur: float | None = Field(default=None, gt=0)
    sublimit_fraction: float | None = Field(default=None, gt=0, le=1, description="of the limit offered")
    days: int | None = Field(
        default=None,
        ge=0,
        description="subjectivity: days to fix it; indemnity_period: days of BI loss covered; "
        "retroactive_date: days before inception from which prior acts are covered",
    )
    deductible_eur: float | None = Field(
        default=None, ge=0, description="deductible_floor: minimum; retention: the deductible of this coverage"
    )
    standard: bool = Field(
        default=False,
        description="a market-standard term every policy carries (e.g. the social-engineering sublimit): "
        "it does not make the verdict conditional and no control lifts it",
    )
    capacity_eur: float | None = Field(default=None, gt=0, description="capacity_cap: maximum limit")
    fixed_by: tuple[str, ...] = Field(default=(), description="controls that lift this outcome")
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _params(self) -> Rule:
        need = {
            "modifier": ("factor",),
            "sublimit": ("coverage",),
            "subjectivity": ("days",),
            "deductible_floor": ("deductible_eur",),
            "capacity_cap": ("capacity_eur",),
            "waiting_period": ("hours", "coverage"),
            "indemnity_period": ("days", "coverage"),
            "coinsurance": ("factor", "coverage"),
            "retention": ("deductible_eur", "coverage"),
            "retroactive_date": ("days",),
        }.get(self.effect, ())
        for name in need:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.effect} rule needs {name}")
        if self.effect == "sublimit" and (self.sublimit_eur is None) == (self.sublimit_fraction is None):
            raise ValueError("a sublimit rule needs exactly one of sublimit_eur or sublimit_fraction")
        allowed = {
            "factor": ("modifier", "coinsurance"),
            "hours": ("waiting_period",),
            "days": ("subjectivity", "indemnity_period", "retroactive_date"),
            "deductible_eur": ("deductible_floor", "retention"),
        }
        for name, effects in allowed.items():
            if getattr(self, name) is not None and self.effect not in effects:
                raise ValueError(f"{name} only applies to {' or '.join(effects)} rules")
        if self.effect in ("subjectivity", "indemnity_period") and self.days == 0:
            raise ValueError(f"a {self.effect} rule needs days above 0")
        if self.effect == "deductible_floor" and self.deductible_eur == 0:
            raise ValueError("a deductible_floor rule needs deductible_eur above 0")
        if self.effect == "coinsurance" and self.factor is not None and not 0 < self.factor < 1:
            raise ValueError("a coinsurance factor is the share the insured keeps: between 0 and 1")
        return self


class GuidelineFile(Frozen):
    header: Header
    currency: Literal["EUR"] = "EUR"
    hazard_classes: tuple[HazardClass, ...] = Field(min_length=1)
    default_hazard_class: str
    classification: tuple[ClassRule, ...] = ()
    rating: Rating
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _classes_resolve(self) -> GuidelineFile:
        ranked = sorted(self.hazard_classes, key=lambda c: c.rank)
        if len({c.rank for c in ranked}) != len(ranked):
            raise ValueError("hazard_classes: every class needs its own rank")
        if [c.factor for c in ranked] != sorted(c.factor for c in ranked):
            raise ValueError("hazard_classes: the hazard factor must rise with the rank")
        ids = {c.id for c in self.hazard_classes}
        if self.default_hazard_class not in ids:
            raise ValueError(f"default_hazard_class: unknown hazard class {self.default_hazard_class!r}")
        for i, rule in enumerate(self.classification):
            if rule.hazard_class not in ids:
                raise ValueError(f"classification[{i}].hazard_class: unknown hazard class {rule.hazard_class!r}")
        return self

    def hazard_class(self, class_id: str) -> HazardClass:
        return next(c for c in self.hazard_classes if c.id == class_id)
