"""The underwriting engine: a pure function from (profile, answers, guideline) to an assessment.

Order of work: effective answers (skip logic, blanks) -> hazard class (classification rules) ->
rules (decline, refer, exclusion, sublimit, subjectivity, modifier, deductible floor, capacity cap)
-> deductible and capacity -> price -> verdict -> control status -> improvement plan (the same
engine re-run with each missing control in place, see :mod:`insurable.underwriting.plan`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, get_args

from insurable.catalog.guideline import CONDITION_EFFECTS, Effect, GuidelineFile, Rule
from insurable.catalog.header import Source
from insurable.catalog.loader import Catalog
from insurable.conditions import evaluate
from insurable.errors import raise_if
from insurable.profile import ASSESSMENT_FIELDS, Organisation, missing_fields
from insurable.underwriting.answers import (
    EffectiveAnswers,
    control_state,
    effective_answers,
    profile_accessor,
)
from insurable.underwriting.hazard import classify_hazard, source_refs
from insurable.underwriting.model import (
    Assessment,
    ControlStatus,
    FactOut,
    RuleOutcome,
    Verdict,
)
from insurable.underwriting.rating import price


def _fire(
    rule: Rule,
    answers: EffectiveAnswers,
    org: Organisation,
    register: dict[str, Source],
    evidence: Mapping[str, Any] | None = None,
) -> RuleOutcome | None:
    outcome = evaluate(rule.when, answers.values, profile_accessor(org), evidence)
    if not outcome.value:
        return None
    facts = tuple(
        FactOut(
            kind="answer" if f.kind == "answer" else "finding" if f.kind == "finding" else "profile",
            id=f.id,
            value=f.value,
            assumed=f.id in answers.assumed,
        )
        for f in outcome.facts
    )
    return RuleOutcome(
        rule_id=rule.id,
        effect=rule.effect,
        text=rule.text,
        facts=facts,
        sources=source_refs(rule.sources, register),
        coverage=rule.coverage,
        amount_eur=rule.sublimit_eur or rule.deductible_eur or rule.capacity_eur,
        days=rule.days,
        factor=rule.factor,
        fixed_by=rule.fixed_by,
    )


def _verdict(fired: dict[str, list[RuleOutcome]]) -> Verdict:
    if fired["decline"]:
        return "declined"
    if fired["refer"]:
        return "refer"
    if any(fired[e] for e in CONDITION_EFFECTS):
        return "insurable_with_conditions"
    return "insurable"


def assess(
    org: Organisation,
    catalog: Catalog,
    *,
    guideline: GuidelineFile | None = None,
    with_plan: bool = True,
    legally_required: frozenset[str] | None = None,
    nis2: dict[str, Any] | None = None,
    loss_trials: int | None = 50_000,
    loss_seed: int | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> Assessment:
    """Assess ``org`` under ``guideline`` (default: the catalogue's). Pure; raises InputError on gaps.

    ``legally_required`` (control ids) and ``nis2`` (the NIS2 outcome as JSON) are computed here
    when the catalogue has ``nis2.yaml``. With ``loss_trials`` (and ``perils.yaml``) the loss model
    runs under the terms this assessment offers (its deductible, one insurer's capacity) and the
    technical premium is set beside the factor premium. The plan's re-assessments skip both.
    ``evidence`` (exposure check id -> observed value, :func:`insurable.evidence.finding_values`)
    is read by rules' ``finding`` predicates; the plan keeps it, since fixing an answer does not
    close what a scan observed.
    """
    raise_if(missing_fields(org, ASSESSMENT_FIELDS))
    if nis2 is None and legally_required is None and "nis2.yaml" in catalog.files:
        nis2, legally_required = _nis2_outcome(org, catalog)
    g = guideline or catalog.guideline
    register = catalog.sources()
    qn = catalog.questionnaire
    answers = effective_answers(org, qn)

    hazard, classification = classify_hazard(org, catalog, g, answers)

    fired: dict[str, list[RuleOutcome]] = {effect: [] for effect in get_args(Effect)}
    for rule in g.rules:
        result = _fire(rule, answers, org, register, evidence)
        if result is not None:
            fired[rule.effect].append(result)

    assert org.requested_deductible_eur is not None and org.requested_limit_eur is not None
    assert org.annual_turnover_eur is not None
    credited = max(org.requested_deductible_eur, hazard.deductible_floor_eur)
    deductible = max([credited] + [r.amount_eur or 0.0 for r in fired["deductible_floor"]])
    capacity = min([hazard.capacity_eur] + [r.amount_eur or math.inf for r in fired["capacity_cap"]])
    requested = org.requested_limit_eur
    limit_offered = min(requested, capacity)
    tower = math.ceil(requested / capacity - 1e-9) if requested > capacity else 1

    # Sublimits expressed as a fraction resolve against the limit one insurer offers.
    sublimits = []
    for fired_sublimit in fired["sublimit"]:
        rule = _rule(g, fired_sublimit.rule_id)
        amount = rule.sublimit_eur if rule.sublimit_eur is not None else (rule.sublimit_fraction or 1.0) * limit_offered
        sublimits.append(fired_sublimit.model_copy(update={"amount_eur": min(amount, limit_offered)}))

    verdict = _verdict(fired)
    premium, steps = price(g.rating, hazard, org.annual_turnover_eur, fired["modifier"], requested, credited)

    required = legally_required or frozenset()
    controls = []
    for control in catalog.controls.controls:
        state, met, unmet = control_state(control, qn, answers)
        controls.append(
            ControlStatus(
                control_id=control.id,
                ref=control.ref,
                name=control.name,
                status=state,
                met=met,
                unmet=unmet,
                nis2_art21=control.nis2_art21,
                legally_required=control.id in required,
            )
        )

    assessment = Assessment(
        organisation=org.name or "",
        verdict=verdict,
        hazard_class=hazard.id,
        hazard_class_name=hazard.name,
        classification=tuple(classification),
        premium=None if verdict == "declined" else premium,
        rating=steps,
        requested_deductible_eur=org.requested_deductible_eur,
        deductible_eur=deductible,
        requested_limit_eur=requested,
        max_limit_eur=capacity,
        limit_offered_eur=limit_offered,
        tower_insurers=tower,
        declines=tuple(fired["decline"]),
        referrals=tuple(fired["refer"]),
        exclusions=tuple(fired["exclusion"]),
        sublimits=tuple(sublimits),
        subjectivities=tuple(fired["subjectivity"]),
        standard_exclusions=tuple(fired["standard_exclusion"]),
        modifiers=tuple(fired["modifier"]),
        deductible_rules=tuple(fired["deductible_floor"]),
        capacity_rules=tuple(fired["capacity_cap"]),
        controls=tuple(controls),
        assumed_answers=tuple(sorted(answers.assumed)),
        hidden_answers=tuple(sorted(answers.hidden)),
        nis2=nis2,
        guideline=f"{g.header.id}@{g.header.version}",
        catalogue_versions={**catalog.versions(), g.header.id: g.header.version},
    )
    if loss_trials and "perils.yaml" in catalog.files:
        from insurable.lossmodel.section import loss_section

        assessment = assessment.model_copy(
            update={"loss": loss_section(org, catalog, assessment, trials=loss_trials, seed=loss_seed)}
        )
    if with_plan:
        from insurable.underwriting.plan import improvement_plan

        assessment = assessment.model_copy(
            update={"plan": improvement_plan(org, catalog, g, assessment, required, evidence=evidence)}
        )
    return assessment


def _nis2_outcome(org: Organisation, catalog: Catalog) -> tuple[dict[str, Any], frozenset[str]]:
    """The NIS2 classification and the controls it makes legally required (NIS2 Art. 21(2))."""
    from insurable.nis2 import nis2_catalogue
    from insurable.nis2.scope import classify, legally_required_controls

    result = classify(org, nis2_catalogue(catalog))
    return result.model_dump(mode="json"), frozenset(legally_required_controls(result, catalog.controls))


def _rule(g: GuidelineFile, rule_id: str) -> Rule:
    return next(r for r in g.rules if r.id == rule_id)
