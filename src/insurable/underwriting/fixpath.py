"""The fix-path: an ordered, cumulative path of controls over the same engine.

Each step adds the control that gains most *given the steps before it* and re-runs
:func:`insurable.underwriting.engine.assess` on the cumulative answers, so the figures of a step are
exactly what the engine says for those answers (nothing is estimated). The gain of a step is ranked by
one stated value, in this order:

1. the verdict it improves (declined -> refer -> with conditions -> insurable);
2. the conditions it lifts (declines, referrals, exclusions, sublimits, subjectivities, raised
   deductibles, capacity caps) and the capacity one insurer writes;
3. money per euro of effort: (yearly premium saving + expected retained-loss reduction) divided by
   the first-year cost of the control for the firm's size (catalogue ``cost``).

Rules no control can lift (a past incident, the turnover band, the sector) are returned as
:class:`~insurable.underwriting.model.Blocker` with what the firm can do instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from insurable.catalog.controls import Control
from insurable.catalog.guideline import GuidelineFile
from insurable.catalog.header import Source
from insurable.catalog.loader import Catalog
from insurable.profile import Organisation
from insurable.text import Text
from insurable.underwriting.answers import with_control_in_place
from insurable.underwriting.engine import assess
from insurable.underwriting.hazard import source_refs
from insurable.underwriting.memo import per_object
from insurable.underwriting.model import (
    VERDICT_ORDER,
    Assessment,
    Blocker,
    ControlCost,
    PathStep,
    RuleOutcome,
)

#: A function giving the expected retained loss of an organisation under an assessment's terms.
RetainedLoss = Callable[[Organisation, Assessment], float]

#: Effects that are conditions of cover (lifting one counts in the ranking's second place).
LIFTABLE = ("decline", "refer", "exclusion", "sublimit", "subjectivity", "deductible_floor", "capacity_cap")

#: Profile fields that no control changes, and the kind of blocker a rule reading them is.
_PROFILE_KIND = {
    "annual_turnover_eur": "size",
    "employees": "size",
    "requested_limit_eur": "size",
    "records_held": "exposure",
    "activities": "sector",
    "nace_code": "sector",
    "country": "sector",
}

#: Answers that state the firm's size rather than a control.
_SIZE_QUESTIONS = frozenset({"q.org.projected_turnover_eur"})

_ADVICE: dict[str, Text] = {
    "history": Text(
        nl="Geen maatregel maakt dit ongedaan. Lever de acceptant bewijs: wat er gebeurde, de oorzaak, "
        "wat u sindsdien heeft verbeterd (met data) en een verklaring van uw IT-leverancier.",
        en="No control undoes this. Give the underwriter evidence: what happened, the root cause, what "
        "you have improved since (with dates) and a statement from your IT provider.",
    ),
    "size": Text(
        nl="Dit volgt uit omvang of gevraagde dekking, niet uit een maatregel. Vraag een makelaar om een "
        "aanvullende vragenlijst of om een gestapelde dekking bij meer verzekeraars.",
        en="This follows from size or the cover asked for, not from a control. Ask a broker for the "
        "supplementary questionnaire or a tower with more insurers.",
    ),
    "sector": Text(
        nl="Dit volgt uit uw sector of activiteiten. Laat de acceptant zien welke maatregelen u heeft, en "
        "overweeg een verzekeraar of volmacht die in uw sector gespecialiseerd is.",
        en="This follows from your sector or activities. Show the underwriter the controls you have, and "
        "consider an insurer or agency that specialises in your sector.",
    ),
    "exposure": Text(
        nl="Dit volgt uit wat u doet of bewaart. Verklein de blootstelling (minder gegevens bewaren, "
        "versleutelen, opschonen) en leg dat vast voor de acceptant.",
        en="This follows from what you do or hold. Reduce the exposure (hold fewer records, encrypt, "
        "purge) and document it for the underwriter.",
    ),
    "answer": Text(
        nl="Geen maatregel in de catalogus heft dit op. Controleer het antwoord, of leg de acceptant uit "
        "hoe u het risico anders beheerst.",
        en="No control in the catalogue lifts this. Check the answer, or explain to the underwriter how "
        "you manage the risk otherwise.",
    ),
}


def control_cost(control: Control, employees: float, register: Mapping[str, Source]) -> ControlCost | None:
    """The control's effort and cost range for a firm of ``employees`` staff, from the catalogue."""
    if control.cost is None:
        return None
    band = control.cost.band_for(employees)
    index = control.cost.bands.index(band)
    lower = control.cost.bands[index - 1].up_to_employees if index else 0
    label = f"{(lower or 0) + 1}-{band.up_to_employees}" if band.up_to_employees else f"{(lower or 0) + 1}+"
    return ControlCost(
        effort=control.cost.effort,
        band=label,
        one_off_low_eur=band.one_off_eur[0],
        one_off_high_eur=band.one_off_eur[1],
        yearly_low_eur=band.yearly_eur[0],
        yearly_high_eur=band.yearly_eur[1],
        first_year_eur=(sum(band.one_off_eur) + sum(band.yearly_eur)) / 2,
        sources=source_refs(control.cost.sources, dict(register)),
    )


def _conditions(a: Assessment) -> dict[str, RuleOutcome]:
    """The conditions of cover in force (market-standard terms excluded: nothing lifts them)."""
    return {
        r.rule_id: r
        for r in a.declines
        + a.referrals
        + a.exclusions
        + a.sublimits
        + a.subjectivities
        + a.deductible_rules
        + a.capacity_rules
        if not r.standard
    }


def lifted(before: Assessment, after: Assessment) -> tuple[RuleOutcome, ...]:
    """Conditions (and debits) fired before that no longer fire after, strongest first."""
    in_force = _conditions(after)
    gone = [r for rid, r in _conditions(before).items() if rid not in in_force]
    debits_after = {m.rule_id for m in after.modifiers}
    gone += [m for m in before.modifiers if (m.factor or 1) > 1 and m.rule_id not in debits_after]
    order = {e: i for i, e in enumerate((*LIFTABLE, "modifier"))}
    return tuple(sorted(gone, key=lambda r: (order.get(r.effect, 99), r.rule_id)))


def _premium(a: Assessment) -> float | None:
    return a.premium.point_eur if a.premium else None


def rank_key(
    before: Assessment,
    after: Assessment,
    cost: ControlCost | None,
    retained_gain: float = 0.0,
) -> tuple[float, ...]:
    """The stated ranking value of going from ``before`` to ``after`` (larger is better)."""
    verdict_gain = VERDICT_ORDER.index(before.verdict) - VERDICT_ORDER.index(after.verdict)
    gone = lifted(before, after)
    conditions = sum(1 for r in gone if r.effect in LIFTABLE)
    capacity_gain = after.max_limit_eur - before.max_limit_eur
    money = premium_saving(before, after) + retained_gain
    effort = max(cost.first_year_eur, 1.0) if cost else 1.0
    deductible_gain = before.deductible_eur - after.deductible_eur
    # Last: debits and policy terms lifted (they matter even while no premium is quoted).
    terms_after = {t.rule_id for t in after.policy_terms}
    others = sum(1 for r in gone if r.effect == "modifier")
    others += sum(1 for t in before.policy_terms if t.fixed_by and t.rule_id not in terms_after)
    return (float(verdict_gain), float(conditions), capacity_gain, money / effort, deductible_gain, float(others))


def premium_saving(before: Assessment, after: Assessment) -> float:
    """The yearly premium saving; from no premium (declined) to a premium counts as no saving."""
    p0, p1 = _premium(before), _premium(after)
    return p0 - p1 if p0 is not None and p1 is not None else 0.0


def fix_path(
    org: Organisation,
    catalog: Catalog,
    before: Assessment,
    *,
    guideline: GuidelineFile | None = None,
    required: frozenset[str] = frozenset(),
    retained: RetainedLoss | None = None,
    alone: dict[str, Assessment] | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> tuple[tuple[PathStep, ...], tuple[Blocker, ...]]:
    """The cumulative fix-path from ``before`` and the reasons no control lifts.

    ``retained`` (from the composition: the loss model with one seed) adds the expected retained
    loss before and after each step; the engine alone never calls the loss model. The first round
    assesses each control alone; pass a dict as ``alone`` to keep those assessments (the plan's
    one-control-alone view reuses them). A control that changes no answer any rule, classification or
    skip logic reads cannot change the terms, so it is not re-assessed until it is chosen.
    """
    g = guideline or catalog.guideline
    register = catalog.sources()
    qn = catalog.questionnaire
    controls = {c.id: c for c in catalog.controls.controls}
    employees = org.employees or 0
    costs = {cid: control_cost(c, employees, register) for cid, c in controls.items()}
    remaining = [s.control_id for s in before.controls if s.status in ("missing", "partial")]
    status = {s.control_id: s.status for s in before.controls}

    def run(answers: dict[str, Any], base: Assessment | None = None) -> Assessment:
        return assess(
            org.with_answers(answers),
            catalog,
            guideline=g,
            legally_required=required,
            nis2=before.nis2,
            base=base,
            with_controls=False,
            evidence=evidence,
        )

    relevant = engine_questions(catalog, g)
    answers = dict(org.answers)
    current = before
    current_retained = retained(org, before) if retained else None
    steps: list[PathStep] = []
    first_round = True
    while remaining:
        best: tuple[tuple[float, ...], str, dict[str, Any], Assessment | None] | None = None
        for cid in list(remaining):
            changed = with_control_in_place(answers, qn, cid)
            if changed == answers:
                remaining.remove(cid)
                continue
            if relevant.isdisjoint(k for k in changed if changed.get(k) != answers.get(k)):
                key: tuple[float, ...] = (0.0,) * 6
                candidate: Assessment | None = None
            else:
                candidate = run(changed, base=current)
                key = rank_key(current, candidate, costs[cid])
                if first_round and alone is not None:
                    alone[cid] = candidate
            if best is None or key > best[0]:
                best = (key, cid, changed, candidate)
        first_round = False
        if best is None:
            break
        key, cid, changed, chosen = best
        after = chosen if chosen is not None else run(changed, base=current)
        after_retained = retained(org.with_answers(changed), after) if retained else None
        retained_gain = (
            current_retained - after_retained if current_retained is not None and after_retained is not None else 0.0
        )
        if not any(key) and retained_gain <= 0:
            break  # nothing left moves the terms or the expected loss
        control = controls[cid]
        cost = costs[cid]
        value = premium_saving(current, after) + max(retained_gain, 0.0)
        steps.append(
            PathStep(
                step=len(steps) + 1,
                control_id=cid,
                ref=control.ref,
                name=control.name,
                remediation=control.remediation,
                status=status.get(cid, "missing"),
                legally_required=cid in required,
                nis2_art21=control.nis2_art21,
                answers_changed={k: v for k, v in changed.items() if answers.get(k) != v},
                verdict_before=current.verdict,
                verdict_after=after.verdict,
                premium_before_eur=_premium(current),
                premium_after_eur=_premium(after),
                deductible_before_eur=current.deductible_eur,
                deductible_after_eur=after.deductible_eur,
                limit_before_eur=current.max_limit_eur,
                limit_after_eur=after.max_limit_eur,
                retained_loss_before_eur=current_retained,
                retained_loss_after_eur=after_retained,
                lifted=lifted(current, after),
                cost=cost,
                value_eur=round(value, 2),
                payback_years=round(cost.first_year_eur / value, 2) if cost and value > 0 else None,
                rank_key=rank_key(current, after, cost, retained_gain),
            )
        )
        remaining.remove(cid)
        answers, current, current_retained = changed, after, after_retained
    return tuple(steps), blockers(current)


def engine_questions(catalog: Catalog, g: GuidelineFile) -> frozenset[str]:
    """Questions whose answer can change the engine's outcome: read by a rule, a classification rule or
    skip logic (which decides what else is read)."""

    def build() -> frozenset[str]:
        found: set[str] = set()
        for rule in g.rules:
            found |= rule.when.question_ids()
        for cls in g.classification:
            found |= cls.when.question_ids()
        for q in catalog.questionnaire.questions:
            if q.show_if is not None:
                found |= q.show_if.question_ids()
        return frozenset(found)

    return per_object(g, f"engine_questions:{id(catalog.questionnaire)}", build)


def blockers(final: Assessment) -> tuple[Blocker, ...]:
    """Conditions and debits still in force after the whole path: no control in the catalogue lifts them
    (the path only stops when no control changes anything)."""
    found = []
    for outcome in (*_conditions(final).values(), *(m for m in final.modifiers if (m.factor or 1) > 1)):
        kind = _kind(outcome)
        found.append(Blocker(outcome=outcome, kind=kind, advice=_ADVICE[kind]))
    order = {e: i for i, e in enumerate((*LIFTABLE, "modifier"))}
    found.sort(key=lambda b: (order.get(b.outcome.effect, 99), b.outcome.rule_id))
    return tuple(found)


def _kind(outcome: RuleOutcome) -> str:
    if any(f.id.startswith(("q.hist.", "q.insurance.", "q.declaration.")) for f in outcome.facts):
        return "history"
    if any(f.id in _SIZE_QUESTIONS for f in outcome.facts):
        return "size"
    if any(f.id.startswith(("q.data.", "q.org.")) for f in outcome.facts):
        return "exposure"
    for fact in outcome.facts:
        if fact.kind == "profile" and fact.id in _PROFILE_KIND:
            return _PROFILE_KIND[fact.id]
    return "answer"
