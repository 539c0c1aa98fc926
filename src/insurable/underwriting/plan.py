"""The one-control-alone view: for each control not fully in place, re-run the same engine with only
that control in place and report what changes. Secondary to the cumulative fix-path
(:mod:`insurable.underwriting.fixpath`); ranked by the same stated value (verdict, conditions and
capacity, then money per euro of effort)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from insurable.catalog.guideline import GuidelineFile
from insurable.catalog.loader import Catalog
from insurable.profile import Organisation
from insurable.underwriting.answers import with_control_in_place
from insurable.underwriting.engine import assess
from insurable.underwriting.fixpath import control_cost, lifted, rank_key
from insurable.underwriting.model import Assessment, PlanItem


def improvement_plan(
    org: Organisation,
    catalog: Catalog,
    before: Assessment,
    *,
    guideline: GuidelineFile | None = None,
    required: frozenset[str] = frozenset(),
    alone: Mapping[str, Assessment] | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> tuple[PlanItem, ...]:
    """Each missing or partial control assessed alone (``alone``: assessments already made, e.g. by the
    fix-path's first round, reused instead of re-running the engine)."""
    controls = {c.id: c for c in catalog.controls.controls}
    register = catalog.sources()
    ranked: list[tuple[tuple[float, ...], PlanItem]] = []
    fired_before = {r.rule_id for r in before.reasons()}
    for status in before.controls:
        if status.status not in ("missing", "partial"):
            continue
        control = controls[status.control_id]
        answers = with_control_in_place(org.answers, catalog.questionnaire, control.id)
        known = (alone or {}).get(control.id)
        after = known or assess(
            org.with_answers(answers),
            catalog,
            guideline=guideline,
            legally_required=required,
            nis2=before.nis2,
            evidence=evidence,
        )
        p0 = before.premium.point_eur if before.premium else None
        p1 = after.premium.point_eur if after.premium else None
        delta = p1 - p0 if p0 is not None and p1 is not None else None
        fired_after = {r.rule_id for r in after.reasons()}
        cost = control_cost(control, org.employees or 0, register)
        key = rank_key(before, after, cost)
        ranked.append(
            (
                (*key, len(lifted(before, after)), -float(control.ref[3:])),
                PlanItem(
                    control_id=control.id,
                    ref=control.ref,
                    name=control.name,
                    remediation=control.remediation,
                    status=status.status,
                    ncsc_measure=control.ncsc_measure,
                    nis2_art21=control.nis2_art21,
                    legally_required=control.id in required,
                    verdict_before=before.verdict,
                    verdict_after=after.verdict,
                    premium_before_eur=p0,
                    premium_after_eur=p1,
                    premium_delta_eur=delta,
                    premium_delta_pct=round(100 * delta / p0, 2) if delta is not None and p0 else None,
                    deductible_before_eur=before.deductible_eur,
                    deductible_after_eur=after.deductible_eur,
                    limit_before_eur=before.max_limit_eur,
                    limit_after_eur=after.max_limit_eur,
                    rules_lifted=tuple(sorted(fired_before - fired_after)),
                    answers_changed={k: v for k, v in answers.items() if org.answers.get(k) != v},
                    cost=cost,
                ),
            )
        )
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(item for _, item in ranked)
