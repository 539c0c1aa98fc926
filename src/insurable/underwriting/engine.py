"""The underwriting engine: one pure pass from (profile, answers, guideline) to an assessment.

Order of work: effective answers (skip logic, blanks) -> hazard class (classification rules) ->
rules (decline, refer, exclusion, sublimit, subjectivity, modifier, deductible floor, capacity cap,
policy terms) -> deductible and capacity -> price -> verdict -> control status -> missing answers.

The NIS2 outcome, the loss section and the fix-path are composed around this pass by
:mod:`insurable.assessment`; the fix-path (:mod:`insurable.underwriting.fixpath`) re-runs it, so
nothing here imports back.

Completeness before judgement: a visible question read by a decline or refer rule is *required*.
While one is blank the verdict is ``incomplete``, and a decline that rests on a blank or "don't
know" answer never declines on its own; only a decline on given answers does (one resting on "don't
know" refers to an underwriter instead).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, get_args

from insurable.catalog.guideline import CONDITION_EFFECTS, POLICY_TERM_EFFECTS, Effect, GuidelineFile, Rule
from insurable.catalog.header import Source
from insurable.catalog.loader import Catalog
from insurable.conditions import evaluate, holds
from insurable.errors import raise_if
from insurable.profile import ASSESSMENT_FIELDS, Organisation, missing_fields
from insurable.underwriting.answers import (
    EffectiveAnswers,
    control_state,
    effective_answers,
    effective_answers_after,
    profile_accessor,
)
from insurable.underwriting.hazard import classify_hazard, source_refs
from insurable.underwriting.memo import per_object, recall, remember
from insurable.underwriting.model import (
    Assessment,
    ControlStatus,
    FactOut,
    MissingAnswer,
    RuleOutcome,
    SourceRef,
    Verdict,
)
from insurable.underwriting.rating import price

#: Effects in the order a missing answer's weight is judged (strongest first).
EFFECT_WEIGHT: tuple[str, ...] = (
    "decline",
    "refer",
    "exclusion",
    "sublimit",
    "capacity_cap",
    "deductible_floor",
    "subjectivity",
    "coinsurance",
    "retention",
    "waiting_period",
    "indemnity_period",
    "retroactive_date",
    "modifier",
)
#: Effects whose questions must be answered before a verdict is given.
REQUIRED_EFFECTS = frozenset({"decline", "refer"})


def _fire(
    rule: Rule,
    answers: EffectiveAnswers,
    org: Organisation,
    register: dict[str, Source],
    evidence: Mapping[str, Any] | None = None,
) -> RuleOutcome | None:
    read = profile_accessor(org)
    if not holds(rule.when, answers.values, read, evidence):
        return None
    outcome = evaluate(rule.when, answers.values, read, evidence)
    facts = tuple(
        FactOut(
            kind="answer" if f.kind == "answer" else "finding" if f.kind == "finding" else "profile",
            id=f.id,
            value=f.value,
            assumed=f.kind == "answer" and (f.id in answers.blank or f.id in answers.assumed),
        )
        for f in outcome.facts
    )
    return RuleOutcome(
        rule_id=rule.id,
        effect=rule.effect,
        text=rule.text,
        facts=facts,
        sources=_rule_sources(rule, register),
        coverage=rule.coverage,
        amount_eur=_amount(rule),
        days=rule.days,
        hours=rule.hours,
        factor=rule.factor,
        fixed_by=rule.fixed_by,
        standard=rule.standard,
    )


def _rule_sources(rule: Rule, register: dict[str, Source]) -> tuple[SourceRef, ...]:
    return per_object(rule, "sources", lambda: source_refs(rule.sources, register))


def _amount(rule: Rule) -> float | None:
    for amount in (rule.sublimit_eur, rule.deductible_eur, rule.capacity_eur):
        if amount is not None:
            return amount
    return None


def _on_given_answers(outcome: RuleOutcome) -> bool:
    """Whether a fired rule rests only on given answers (no blank answer among its facts)."""
    return not any(f.assumed for f in outcome.facts)


def _evidence_key(evidence: Mapping[str, Any] | None) -> str:
    """A stable key for the findings a pass read (the memo must never reuse a pass across scans)."""
    return "" if not evidence else repr(sorted(evidence.items(), key=lambda item: item[0]))


def _verdict(fired: dict[str, list[RuleOutcome]], missing: tuple[MissingAnswer, ...]) -> Verdict:
    if any(_on_given_answers(d) for d in fired["decline"]):
        return "declined"
    if any(m.required for m in missing):
        return "incomplete"
    if fired["decline"]:
        return "refer"  # declines rest on "don't know" answers: an underwriter has to look
    if fired["refer"]:
        return "refer"
    if any(not o.standard for e in CONDITION_EFFECTS for o in fired[e]):
        return "insurable_with_conditions"
    return "insurable"


def assess(
    org: Organisation,
    catalog: Catalog,
    *,
    guideline: GuidelineFile | None = None,
    legally_required: frozenset[str] | None = None,
    nis2: dict[str, Any] | None = None,
    base: Assessment | None = None,
    with_controls: bool = True,
    evidence: Mapping[str, Any] | None = None,
) -> Assessment:
    """One pass: assess ``org`` under ``guideline`` (default: the catalogue's). Pure; raises InputError on gaps.

    ``legally_required`` (control ids) and ``nis2`` (the NIS2 outcome as JSON) come from the
    composition (:func:`insurable.assessment.assess`); without them no control is marked legally
    required. No loss section and no fix-path: the composition adds both.

    ``base`` (an assessment of the same profile under the same guideline, e.g. the fix-path's current
    step) lets the pass reuse the outcome of every rule whose questions have the same effective
    answer, blank and assumed status as there: a rule reads nothing else, so the result is the same
    as a full pass (the fix-path's properties check it against full passes). ``with_controls=False``
    leaves out the control status list (the fix-path's candidate passes do not read it).

    ``evidence`` (exposure check id -> observed value, :func:`insurable.evidence.finding_values`)
    is read by rules' ``finding`` predicates; the fix-path and plan keep it, since fixing an answer
    does not close what a scan observed.
    """
    raise_if(missing_fields(org, ASSESSMENT_FIELDS))
    g = guideline or catalog.guideline
    register = per_object(catalog, "sources", catalog.sources)
    qn = catalog.questionnaire
    previous = recall(base, f"pass:{id(g)}:{_evidence_key(evidence)}") if base is not None else None
    changed: set[str] | None = None
    if previous is not None:
        # Same profile as the base: re-read only the answers that differ, and what their skip logic reads.
        answers, changed = effective_answers_after(org, qn, previous[0], previous[3])
    else:
        answers = effective_answers(org, qn)
    if previous is not None and changed is not None and changed.isdisjoint(_class_questions(g)):
        hazard, classification = previous[2]
    else:
        hazard, classification = classify_hazard(org, catalog, g, answers)
    by_rule: dict[str, RuleOutcome | None] = {}
    fired: dict[str, list[RuleOutcome]] = {effect: [] for effect in get_args(Effect)}
    reused = previous[1] if previous is not None and changed is not None else None
    again: set[str] = set()  # with a base: the rules that read a changed answer (the rest are reused)
    if reused is not None and changed is not None:
        by_question = _rules_by_question(g)
        again = {r.id for q in changed for r in by_question.get(q, ())}
    for rule, _ in _rules_with_questions(g):
        if reused is not None and rule.id not in again:
            result = reused[rule.id]
        else:
            result = _fire(rule, answers, org, register, evidence)
        by_rule[rule.id] = result
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

    missing = missing_answers(g, answers)
    verdict = _verdict(fired, missing)
    premium, steps = price(g.rating, hazard, org.annual_turnover_eur, fired["modifier"], requested, credited)

    required = legally_required or frozenset()
    controls = []
    for control in catalog.controls.controls if with_controls else ():
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
        premium=None if verdict in ("declined", "incomplete") else premium,
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
        policy_terms=tuple(o for effect in POLICY_TERM_EFFECTS for o in fired[effect]),
        missing=missing,
        controls=tuple(controls),
        assumed_answers=tuple(sorted(answers.assumed)),
        hidden_answers=tuple(sorted(answers.hidden)),
        nis2=nis2,
        guideline=f"{g.header.id}@{g.header.version}",
        catalogue_versions={**per_object(catalog, "versions", catalog.versions), g.header.id: g.header.version},
    )
    remember(
        assessment,
        f"pass:{id(g)}:{_evidence_key(evidence)}",
        (answers, by_rule, (hazard, classification), dict(org.answers)),
    )
    return assessment


def _changed_questions(before: EffectiveAnswers, after: EffectiveAnswers) -> set[str]:
    """Questions whose effective answer, blank or assumed status differs between two passes."""
    keys = before.values.keys() | after.values.keys()
    changed = {k for k in keys if before.values.get(k, _ABSENT) != after.values.get(k, _ABSENT)}
    changed |= before.blank ^ after.blank
    changed |= before.assumed ^ after.assumed
    return changed


_ABSENT = object()


def _rules_with_questions(g: GuidelineFile) -> list[tuple[Rule, frozenset[str]]]:
    return per_object(g, "rules_with_questions", lambda: [(r, frozenset(r.when.question_ids())) for r in g.rules])


def _class_questions(g: GuidelineFile) -> frozenset[str]:
    def build() -> frozenset[str]:
        found: set[str] = set()
        for cls in g.classification:
            found |= cls.when.question_ids()
        return frozenset(found)

    return per_object(g, "class_questions", build)


def missing_answers(g: GuidelineFile, answers: EffectiveAnswers) -> tuple[MissingAnswer, ...]:
    """Visible blank answers that some rule reads, strongest effect first (then by how many rules read it)."""
    readers: dict[str, list[Rule]] = {}
    for qid, rules in _rules_by_question(g).items():
        if qid in answers.blank:
            readers[qid] = rules
    found = []
    for qid, rules in readers.items():
        effects = sorted({r.effect for r in rules}, key=_weight)
        found.append(
            MissingAnswer(
                question_id=qid,
                effect=effects[0],
                required=effects[0] in REQUIRED_EFFECTS,
                assumed=qid in answers.assumed,
                rule_ids=tuple(sorted(r.id for r in rules)),
            )
        )
    found.sort(key=lambda m: (_weight(m.effect), -len(m.rule_ids), m.question_id))
    return tuple(found)


def _rules_by_question(g: GuidelineFile) -> dict[str, list[Rule]]:
    def build() -> dict[str, list[Rule]]:
        found: dict[str, list[Rule]] = {}
        for rule in g.rules:
            for qid in sorted(rule.when.question_ids()):
                found.setdefault(qid, []).append(rule)
        return found

    return per_object(g, "rules_by_question", build)


def _weight(effect: str) -> int:
    return EFFECT_WEIGHT.index(effect) if effect in EFFECT_WEIGHT else len(EFFECT_WEIGHT)


def nis2_outcome(org: Organisation, catalog: Catalog) -> tuple[dict[str, Any], frozenset[str]]:
    """The NIS2 classification and the controls it makes legally required (NIS2 Art. 21(2))."""
    from insurable.nis2 import nis2_catalogue
    from insurable.nis2.scope import classify, legally_required_controls

    result = classify(org, nis2_catalogue(catalog))
    return result.model_dump(mode="json"), frozenset(legally_required_controls(result, catalog.controls))


def _rule(g: GuidelineFile, rule_id: str) -> Rule:
    return next(r for r in g.rules if r.id == rule_id)
