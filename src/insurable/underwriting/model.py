"""Typed results of an assessment. Every figure carries the rules and answers behind it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from insurable.text import Text

Verdict = Literal["insurable", "insurable_with_conditions", "refer", "declined"]

#: Verdicts from best to worst; the index is the severity.
VERDICT_ORDER: tuple[Verdict, ...] = ("insurable", "insurable_with_conditions", "refer", "declined")

ControlState = Literal["in_place", "partial", "missing", "not_applicable"]


class Result(BaseModel):
    """Base of every result model: immutable, JSON-serialisable."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FactOut(Result):
    """An answer, profile value or observed finding a rule read."""

    kind: Literal["answer", "profile", "finding"]
    id: str
    value: Any
    assumed: bool = False


class SourceRef(Result):
    id: str
    title: str
    url: str | None
    tag: str


class RuleOutcome(Result):
    """One fired rule: what it does, what triggered it and where it comes from."""

    rule_id: str
    effect: str
    text: Text
    facts: tuple[FactOut, ...]
    sources: tuple[SourceRef, ...]
    coverage: str | None = None
    amount_eur: float | None = None
    days: int | None = None
    factor: float | None = None
    fixed_by: tuple[str, ...] = ()


class PremiumRange(Result):
    low_eur: float
    point_eur: float
    high_eur: float


class RatingStep(Result):
    """One factor of the premium calculation, in order."""

    name: str
    value: float
    detail: str
    rule_ids: tuple[str, ...] = ()


class ControlStatus(Result):
    control_id: str
    ref: str
    name: Text
    status: ControlState
    met: tuple[str, ...]
    unmet: tuple[str, ...]
    nis2_art21: tuple[str, ...]
    legally_required: bool = False


class PlanItem(Result):
    """What putting one control in place changes, from a re-assessment with that control in place."""

    control_id: str
    ref: str
    name: Text
    remediation: Text
    status: ControlState
    ncsc_measure: Text
    nis2_art21: tuple[str, ...]
    legally_required: bool
    verdict_before: Verdict
    verdict_after: Verdict
    premium_before_eur: float | None
    premium_after_eur: float | None
    premium_delta_eur: float | None
    premium_delta_pct: float | None
    deductible_before_eur: float
    deductible_after_eur: float
    limit_before_eur: float
    limit_after_eur: float
    rules_lifted: tuple[str, ...]
    answers_changed: dict[str, Any]


class Assessment(Result):
    """The outcome of underwriting one organisation under one guideline. Indicative."""

    organisation: str
    indicative: bool = True
    verdict: Verdict
    hazard_class: str
    hazard_class_name: Text
    classification: tuple[RuleOutcome, ...]
    premium: PremiumRange | None
    rating: tuple[RatingStep, ...]
    requested_deductible_eur: float
    deductible_eur: float
    requested_limit_eur: float
    max_limit_eur: float
    limit_offered_eur: float
    tower_insurers: int
    declines: tuple[RuleOutcome, ...]
    referrals: tuple[RuleOutcome, ...]
    exclusions: tuple[RuleOutcome, ...]
    sublimits: tuple[RuleOutcome, ...]
    subjectivities: tuple[RuleOutcome, ...]
    standard_exclusions: tuple[RuleOutcome, ...]
    modifiers: tuple[RuleOutcome, ...]
    deductible_rules: tuple[RuleOutcome, ...]
    capacity_rules: tuple[RuleOutcome, ...]
    controls: tuple[ControlStatus, ...]
    plan: tuple[PlanItem, ...] = ()
    assumed_answers: tuple[str, ...] = ()
    hidden_answers: tuple[str, ...] = ()
    nis2: dict[str, Any] | None = None
    loss: dict[str, Any] | None = None
    guideline: str
    catalogue_versions: dict[str, str]

    def reasons(self) -> tuple[RuleOutcome, ...]:
        """Every fired rule, in the order a reader needs them."""
        return (
            self.declines
            + self.referrals
            + self.exclusions
            + self.sublimits
            + self.subjectivities
            + self.deductible_rules
            + self.capacity_rules
            + self.modifiers
            + self.classification
            + self.standard_exclusions
        )
