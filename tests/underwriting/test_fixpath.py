"""The cumulative fix-path: each step never worsens the terms, and the last step is the whole path at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from insurable.assessment import assess as compose
from insurable.catalog import load_catalog
from insurable.profile import load_organisation
from insurable.underwriting import VERDICT_ORDER, assess
from insurable.underwriting.fixpath import fix_path
from tests.underwriting.strategies import organisations

CATALOG = load_catalog()
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _never_worse(step) -> None:
    assert VERDICT_ORDER.index(step.verdict_after) <= VERDICT_ORDER.index(step.verdict_before)
    if step.premium_before_eur is not None:
        assert step.premium_after_eur is not None
        assert step.premium_after_eur <= step.premium_before_eur
    assert step.deductible_after_eur <= step.deductible_before_eur
    assert step.limit_after_eur >= step.limit_before_eur


@SETTINGS
@given(org=organisations(CATALOG))
def test_each_step_never_worsens_and_the_last_step_is_all_at_once(org):
    before = assess(org, CATALOG)
    path, _ = fix_path(org, CATALOG, before)
    answers = dict(org.answers)
    previous = before
    step_before = before
    for step in path:
        _never_worse(step)
        assert step.verdict_before == previous.verdict
        answers.update(step.answers_changed)
        previous = assess(org.with_answers(answers), CATALOG)  # a full pass, no reuse
        assert previous.verdict == step.verdict_after
        assert (previous.premium.point_eur if previous.premium else None) == step.premium_after_eur
        assert previous.deductible_eur == step.deductible_after_eur
        assert previous.max_limit_eur == step.limit_after_eur
        assert {r.rule_id for r in step.lifted} <= {r.rule_id for r in (*step_before.reasons(),)}
        step_before = previous
    if path:
        at_once = assess(org.with_answers(answers), CATALOG)
        last = path[-1]
        assert at_once.verdict == last.verdict_after
        assert (at_once.premium.point_eur if at_once.premium else None) == last.premium_after_eur
        assert at_once.deductible_eur == last.deductible_after_eur
        assert at_once.max_limit_eur == last.limit_after_eur


def test_msp_path_reaches_insurable_and_names_what_no_control_lifts(catalog, examples_dir):
    org = load_organisation(examples_dir / "dutch-msp.yaml")
    result = compose(org, catalog, loss_trials=None)
    assert result.verdict == "declined"
    path = result.path
    assert path[0].control_id == "ctl.mfa"  # the knock-out comes first
    assert path[0].verdict_after != "declined"
    assert path[-1].verdict_after == "insurable" or result.blockers
    for step in path:
        _never_worse(step)
        assert step.cost is not None and step.cost.first_year_eur > 0
        assert step.remediation.en and step.remediation.nl
    # A step that makes the firm insurable comes before steps that only save premium.
    verdict_gains = [VERDICT_ORDER.index(s.verdict_before) - VERDICT_ORDER.index(s.verdict_after) for s in path]
    conditions = [s.rank_key[1] for s in path]
    first_money_only = next((i for i, s in enumerate(path) if s.rank_key[:3] == (0.0, 0.0, 0.0)), len(path))
    assert all(
        g == 0 and c == 0 for g, c in zip(verdict_gains[first_money_only:], conditions[first_money_only:], strict=True)
    )


def test_retained_loss_comes_from_the_loss_model_with_one_seed(catalog, examples_dir):
    org = load_organisation(examples_dir / "dutch-msp.yaml")
    result = compose(org, catalog, loss_trials=2_000, path_trials=1_000)
    assert result.path
    for earlier, later in zip(result.path, result.path[1:], strict=False):
        assert later.retained_loss_before_eur == earlier.retained_loss_after_eur
    for step in result.path:
        assert step.retained_loss_before_eur is not None and step.retained_loss_after_eur is not None
        assert step.retained_loss_after_eur <= step.retained_loss_before_eur + 1e-6


def test_a_prior_incident_is_a_blocker_with_advice(catalog, examples_dir):
    org = load_organisation(examples_dir / "dutch-msp.yaml")
    org = org.with_answers({**org.answers, "q.hist.incident_3y": True})
    result = compose(org, catalog, loss_trials=None)
    kinds = {b.outcome.rule_id: b.kind for b in result.blockers}
    assert kinds.get("uw.refer.prior_incident") == "history"
    advice = next(b.advice for b in result.blockers if b.outcome.rule_id == "uw.refer.prior_incident")
    assert "evidence" in advice.en and "bewijs" in advice.nl


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_no_step_raises_the_expected_retained_loss(example):
    """Same seed for every step: fixing a control should never raise the loss the firm keeps."""
    result = compose(load_organisation(example), CATALOG, loss_trials=2_000, path_trials=2_000)
    for step in result.path:
        assert step.retained_loss_before_eur is not None and step.retained_loss_after_eur is not None
        assert step.retained_loss_after_eur <= step.retained_loss_before_eur + 1e-6, step.control_id
