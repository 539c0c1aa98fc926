"""The improvement plan: for each control not fully in place, re-run the same engine with it in
place and report what changes (verdict, premium, deductible, limit), ranked by effect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from insurable.catalog.guideline import GuidelineFile
from insurable.catalog.loader import Catalog
from insurable.profile import Organisation
from insurable.underwriting.answers import with_control_in_place
from insurable.underwriting.model import VERDICT_ORDER, Assessment, PlanItem


def improvement_plan(
    org: Organisation,
    catalog: Catalog,
    guideline: GuidelineFile,
    before: Assessment,
    required: frozenset[str],
    *,
    evidence: Mapping[str, Any] | None = None,
) -> tuple[PlanItem, ...]:
    from insurable.underwriting.engine import assess

    controls = {c.id: c for c in catalog.controls.controls}
    items: list[PlanItem] = []
    fired_before = {r.rule_id for r in before.reasons()}
    for status in before.controls:
        if status.status not in ("missing", "partial"):
            continue
        control = controls[status.control_id]
        answers = with_control_in_place(org.answers, catalog.questionnaire, control.id)
        after = assess(
            org.with_answers(answers),
            catalog,
            guideline=guideline,
            with_plan=False,
            legally_required=required,
            nis2=before.nis2 or {},
            loss_trials=None,
            evidence=evidence,
        )
        p0 = before.premium.point_eur if before.premium else None
        p1 = after.premium.point_eur if after.premium else None
        delta = p1 - p0 if p0 is not None and p1 is not None else None
        fired_after = {r.rule_id for r in after.reasons()}
        items.append(
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
            )
        )
    items.sort(key=_effect_key)
    return tuple(items)


def _effect_key(item: PlanItem) -> tuple[float, ...]:
    verdict_gain = VERDICT_ORDER.index(item.verdict_before) - VERDICT_ORDER.index(item.verdict_after)
    saving = -(item.premium_delta_eur or 0.0)
    deductible_gain = item.deductible_before_eur - item.deductible_after_eur
    limit_gain = item.limit_after_eur - item.limit_before_eur
    return (
        -verdict_gain,
        -saving,
        -deductible_gain,
        -limit_gain,
        -len(item.rules_lifted),
        float(item.ref[3:]),
    )
