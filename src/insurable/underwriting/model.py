"""Typed results of an assessment. Every figure carries the rules and answers behind it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from insurable.text import Text

Verdict = Literal["insurable", "insurable_with_conditions", "refer", "incomplete", "declined"]

#: Verdicts from best to worst; the index is the severity. ``incomplete`` is no judgement: required
#: answers are blank, and an assumed answer never declines on its own (see ``Assessment.missing``).
VERDICT_ORDER: tuple[Verdict, ...] = ("insurable", "insurable_with_conditions", "refer", "incomplete", "declined")

#: Version of the assessment's JSON format (schemas/assessment.schema.json); bump on a breaking change.
FORMAT_VERSION = "2.0"

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
    hours: float | None = None
    factor: float | None = None
    fixed_by: tuple[str, ...] = ()
    standard: bool = False


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


class ControlCost(Result):
    """Effort and indicative cost of putting a control in place, for the firm's size band."""

    effort: Literal["low", "medium", "high"]
    band: str
    one_off_low_eur: float
    one_off_high_eur: float
    yearly_low_eur: float
    yearly_high_eur: float
    first_year_eur: float
    sources: tuple[SourceRef, ...]


class MissingAnswer(Result):
    """A visible question left blank that a rule reads; ``effect`` is the strongest such rule's effect."""

    question_id: str
    effect: str
    required: bool
    assumed: bool
    rule_ids: tuple[str, ...]


class PathStep(Result):
    """One step of the fix-path: the control added to all steps before it, and what that changes.

    Every figure comes from re-running the engine on the cumulative answers; the retained loss from
    the loss model under the step's terms with one seed for every step.
    """

    step: int
    control_id: str
    ref: str
    name: Text
    remediation: Text
    status: ControlState
    legally_required: bool
    nis2_art21: tuple[str, ...]
    answers_changed: dict[str, Any]
    verdict_before: Verdict
    verdict_after: Verdict
    premium_before_eur: float | None
    premium_after_eur: float | None
    deductible_before_eur: float
    deductible_after_eur: float
    limit_before_eur: float
    limit_after_eur: float
    retained_loss_before_eur: float | None = None
    retained_loss_after_eur: float | None = None
    lifted: tuple[RuleOutcome, ...] = ()
    cost: ControlCost | None = None
    value_eur: float = Field(description="yearly premium saving plus expected retained-loss reduction")
    payback_years: float | None = None
    rank_key: tuple[float, ...] = Field(
        description="the stated ranking value: verdict, conditions, capacity, value/cost"
    )


class Blocker(Result):
    """A reason no control can lift, and what the firm can do instead."""

    outcome: RuleOutcome
    kind: Literal["history", "size", "sector", "exposure", "answer"]
    advice: Text


class Nis2Check(Result):
    """The NIS2 status the firm declared (``q.org.nis2_status``) against the tool's own classification."""

    declared: str
    classified: str
    agrees: bool
    text: Text


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
    cost: ControlCost | None = None


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
    policy_terms: tuple[RuleOutcome, ...] = ()
    missing: tuple[MissingAnswer, ...] = ()
    path: tuple[PathStep, ...] = ()
    blockers: tuple[Blocker, ...] = ()
    plan: tuple[PlanItem, ...] = ()
    assumed_answers: tuple[str, ...] = ()
    hidden_answers: tuple[str, ...] = ()
    nis2: dict[str, Any] | None = None
    nis2_check: Nis2Check | None = None
    loss: dict[str, Any] | None = None
    guideline: str
    catalogue_versions: dict[str, str]
    format_version: str = FORMAT_VERSION
    input_sha256: str | None = None

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
            + self.policy_terms
            + self.modifiers
            + self.classification
            + self.standard_exclusions
        )
