"""The composition's reuse is exact: what it skips or shares gives the same figures as doing it again."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from insurable.assessment import assess as compose
from insurable.catalog import load_catalog
from insurable.lossmodel.section import expected_retained_loss, retained_key
from insurable.profile import load_organisation
from insurable.underwriting import assess
from insurable.underwriting.answers import with_control_in_place
from tests.underwriting.strategies import organisations

CATALOG = load_catalog()
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
TRIALS = 500


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_equal_retained_keys_give_equal_retained_losses(example):
    """Each control alone: where the key says the simulation is the same, so is its result; and the
    key does tell some controls apart (the loss model reads them), so the check is not vacuous."""
    org = load_organisation(example)
    before = assess(org, CATALOG)
    base_key = retained_key(org, CATALOG, before, trials=TRIALS)
    base_loss = expected_retained_loss(org, CATALOG, before, trials=TRIALS)
    same = differ = 0
    for status in before.controls:
        if status.status not in ("missing", "partial"):
            continue
        other = org.with_answers(with_control_in_place(org.answers, CATALOG.questionnaire, status.control_id))
        after = assess(other, CATALOG)
        loss = expected_retained_loss(other, CATALOG, after, trials=TRIALS)
        if retained_key(other, CATALOG, after, trials=TRIALS) == base_key:
            same += 1
            assert loss == base_loss, status.control_id
        else:
            differ += 1
    if example.stem in ("dutch-msp", "accounting-firm"):
        assert same and differ


def test_the_key_reads_the_seed_trials_and_profile(examples_dir):
    org = load_organisation(examples_dir / "dutch-msp.yaml")
    a = assess(org, CATALOG)
    key = retained_key(org, CATALOG, a, trials=TRIALS)
    assert retained_key(org, CATALOG, a, trials=TRIALS + 1) != key
    assert retained_key(org, CATALOG, a, trials=TRIALS, seed=7) != key
    bigger = org.model_copy(update={"employees": (org.employees or 0) + 1})
    assert retained_key(bigger, CATALOG, a, trials=TRIALS) != key


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=organisations(CATALOG))
def test_the_path_s_retained_losses_are_the_loss_model_s(org):
    """Every step's retained loss, shared or not, is what the loss model gives for that step's answers."""
    with_loss = compose(org, CATALOG, loss_trials=TRIALS, path_trials=TRIALS)
    if with_loss.verdict == "incomplete":
        return
    answers = dict(org.answers)
    for step in with_loss.path:
        answers = {**answers, **step.answers_changed}
        nxt = org.with_answers(answers)
        after = assess(nxt, CATALOG, nis2=with_loss.nis2)
        assert step.retained_loss_after_eur == expected_retained_loss(nxt, CATALOG, after, trials=TRIALS)
