"""Invariants of the engine, checked with hypothesis over organisations drawn from the catalogue."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from insurable.assessment import assess as compose
from insurable.catalog import load_catalog
from insurable.underwriting import VERDICT_ORDER, assess
from insurable.underwriting.answers import with_control_in_place
from tests.underwriting.strategies import organisations

CATALOG = load_catalog()
CONTROLS = [c.id for c in CATALOG.controls.controls]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def worse(a: str, b: str) -> bool:
    return VERDICT_ORDER.index(a) > VERDICT_ORDER.index(b)


@SETTINGS
@given(org=organisations(CATALOG), control=st.sampled_from(CONTROLS))
def test_one_more_control_never_makes_things_worse(org, control):
    before = assess(org, CATALOG)
    # Completeness before judgement: an incomplete assessment has no verdict to improve on, and no
    # plan or path is made from it (a control's target can fill a blank the decline rests on).
    assume(before.verdict != "incomplete")
    fixed = org.with_answers(with_control_in_place(org.answers, CATALOG.questionnaire, control))
    after = assess(fixed, CATALOG)
    assert not worse(after.verdict, before.verdict)
    if before.premium is not None:
        assert after.premium is not None
        assert after.premium.point_eur <= before.premium.point_eur
    assert after.deductible_eur <= before.deductible_eur
    assert after.max_limit_eur >= before.max_limit_eur


@SETTINGS
@given(org=organisations(CATALOG), extra=st.integers(1, 100_000_000))
def test_premium_rises_with_revenue(org, extra):
    assert org.annual_turnover_eur is not None
    low = assess(org, CATALOG)
    high = assess(org.model_copy(update={"annual_turnover_eur": org.annual_turnover_eur + extra}), CATALOG)
    if low.premium is not None and high.premium is not None:
        assert high.premium.point_eur >= low.premium.point_eur


@SETTINGS
@given(org=organisations(CATALOG))
def test_premium_rises_with_hazard_class(org):
    guideline = CATALOG.guideline
    by_rank = sorted(guideline.hazard_classes, key=lambda h: h.rank)
    premiums = []
    for hazard in by_rank:
        # Move the whole organisation into each class by making that class the default and
        # dropping the classification rules; everything else stays the same.
        variant = guideline.model_copy(update={"default_hazard_class": hazard.id, "classification": ()})
        result = assess(org, CATALOG, guideline=variant)
        if result.premium is not None:
            premiums.append(result.premium.point_eur)
    assert premiums == sorted(premiums)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=organisations(CATALOG))
def test_plan_deltas_equal_a_reassessment(org):
    result = compose(org, CATALOG, loss_trials=None)
    for item in result.plan:
        again = assess(org.with_answers({**org.answers, **item.answers_changed}), CATALOG)
        assert again.verdict == item.verdict_after
        assert (again.premium.point_eur if again.premium else None) == item.premium_after_eur
        assert again.deductible_eur == item.deductible_after_eur
        assert again.max_limit_eur == item.limit_after_eur
        if item.premium_delta_eur is not None and item.premium_before_eur:
            assert item.premium_delta_eur == item.premium_after_eur - item.premium_before_eur


def test_plan_is_ranked_by_effect(catalog, examples_dir):
    from insurable.profile import load_organisation

    result = compose(load_organisation(examples_dir / "dutch-msp.yaml"), catalog, loss_trials=None)
    gains = [VERDICT_ORDER.index(i.verdict_before) - VERDICT_ORDER.index(i.verdict_after) for i in result.plan]
    assert gains == sorted(gains, reverse=True)
    same_verdict = [i for i in result.plan if i.verdict_after == i.verdict_before and i.premium_delta_eur is not None]
    savings = [-(i.premium_delta_eur or 0) for i in same_verdict]
    assert savings == sorted(savings, reverse=True)
