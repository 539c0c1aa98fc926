"""NACE/SBI codes set the hazard class; completeness before judgement; special and retired answers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from insurable.catalog import load_catalog
from insurable.errors import InputError
from insurable.nace import normalise
from insurable.profile import Organisation, parse_organisation
from insurable.underwriting import assess
from tests.underwriting.strategies import organisations

CATALOG = load_catalog()

BASE = {
    "name": "Test B.V.",
    "country": "NL",
    "activities": [],
    "employees": 60,
    "annual_turnover_eur": 6_000_000,
    "balance_sheet_total_eur": 3_000_000,
    "records_held": 5_000,
    "requested_limit_eur": 1_000_000,
    "requested_deductible_eur": 5_000,
}


@pytest.mark.parametrize(
    ("written", "code"),
    [("6201", "62.01"), ("62.01", "62.01"), (6201, "62.01"), (62.1, "62.10"), ("10711", "10.71"), ("86", "86")],
)
def test_nace_and_sbi_codes_normalise(written, code):
    assert normalise(written) == code
    assert Organisation(nace_code=written).nace_code == code


@pytest.mark.parametrize("bad", ["6", "abc", "620111", "6.201", True])
def test_bad_codes_name_the_field_and_reason(bad):
    with pytest.raises(InputError) as err:
        parse_organisation({**BASE, "nace_code": bad})
    assert err.value.problems[0].path == "nace_code"
    assert "NACE" in err.value.problems[0].reason


def test_a_hospital_with_no_activities_is_not_low():
    org = parse_organisation({**BASE, "nace_code": "8610"})
    result = assess(org, CATALOG)
    assert result.hazard_class == "very_high"
    assert result.classification[0].rule_id == "cls.nace_hospital_care"
    office = assess(parse_organisation({**BASE, "nace_code": "69.20"}), CATALOG)
    assert office.hazard_class == "medium"


def test_a_blank_file_is_incomplete_not_declined():
    result = assess(parse_organisation({**BASE, "nace_code": "69.20"}), CATALOG)
    assert result.verdict == "incomplete"
    assert result.premium is None
    assert result.declines  # the knock-outs would fire on blanks ...
    assert all(any(f.assumed for f in d.facts) for d in result.declines)  # ... but only on blanks
    effects = [m.effect for m in result.missing]
    order = ["decline", "refer"]
    assert effects[: effects.count("decline")] == ["decline"] * effects.count("decline")
    assert effects.index("refer") > effects.index("decline") if "refer" in effects else True
    assert all(m.required for m in result.missing if m.effect in order)


def test_a_given_no_declines_and_dont_know_refers(examples_dir):
    from insurable.profile import load_organisation

    msp = load_organisation(examples_dir / "dutch-msp.yaml")
    assert assess(msp, CATALOG).verdict == "declined"  # no MFA on remote access, as answered
    answers = {**msp.answers, "q.exposure.rdp_exposed": "unknown", "q.mfa.remote_access": True}
    answers.update({"q.msp.rmm_mfa": True, "q.mfa.privileged": True})
    unsure = assess(msp.with_answers(answers), CATALOG)
    assert [d.rule_id for d in unsure.declines] == ["uw.decline.rdp_exposed"]
    assert unsure.verdict == "refer"  # "don't know" never declines on its own


def test_not_applicable_reads_as_not_asked(examples_dir):
    from insurable.profile import load_organisation

    msp = load_organisation(examples_dir / "dutch-msp.yaml")
    answers = {**msp.answers, "q.payments.callback_verification": "not_applicable"}
    result = assess(msp.with_answers(answers), CATALOG)
    assert "uw.exclusion.social_engineering_without_callback" not in {r.rule_id for r in result.exclusions}
    bad = {**msp.answers, "q.mfa.email": "not_applicable"}  # MFA on email: no "not applicable"
    from insurable.catalog.questionnaire import validate_answers

    problems = validate_answers(bad, CATALOG.questionnaire)
    assert [p.path for p in problems] == ["answers.q.mfa.email"]


def test_a_yes_to_a_retired_question_carries_over_to_its_parts():
    org = parse_organisation({**BASE, "nace_code": "69.20", "answers": {"q.exposure.firewall_ports": True}})
    from insurable.underwriting.answers import effective_answers

    values = effective_answers(org, CATALOG.questionnaire).values
    assert values["q.exposure.firewall"] is True
    assert values["q.exposure.unused_ports_closed"] is True
    assert values["q.exposure.geo_blocking"] is True
    no = parse_organisation({**BASE, "nace_code": "69.20", "answers": {"q.exposure.firewall_ports": False}})
    blank = effective_answers(no, CATALOG.questionnaire).blank
    assert {"q.exposure.firewall", "q.exposure.unused_ports_closed"} <= blank


#: Price penalties: a debit (modifier above 1) or a raised deductible. One gap prices once.
def _penalties(result):
    return [*(m for m in result.modifiers if (m.factor or 1) > 1), *result.deductible_rules]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=organisations(CATALOG))
def test_no_answer_is_penalised_twice_for_one_gap(org):
    """The rule: an answer that is a gap changes the price at most once (a debit or a raised deductible)."""
    result = assess(org, CATALOG)
    seen: dict[str, str] = {}
    for outcome in _penalties(result):
        for fact in outcome.facts:
            if fact.kind != "answer":
                continue
            assert fact.id not in seen, f"{fact.id} priced by {seen.get(fact.id)} and {outcome.rule_id}"
            seen[fact.id] = outcome.rule_id


def test_patching_in_45_days_is_priced_once(examples_dir):
    from insurable.profile import load_organisation

    msp = load_organisation(examples_dir / "dutch-msp.yaml")
    result = assess(msp.with_answers({**msp.answers, "q.patching.critical_days": 45}), CATALOG)
    priced = [o.rule_id for o in _penalties(result) if any(f.id == "q.patching.critical_days" for f in o.facts)]
    assert priced == ["uw.debit.slow_patching"]
    assert "uw.exclusion.neglected_software" in {r.rule_id for r in result.exclusions}  # cover, not price


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=organisations(CATALOG))
def test_the_fast_check_agrees_with_evaluate_on_every_rule(org):
    from insurable.conditions import evaluate, holds
    from insurable.underwriting.answers import effective_answers, profile_accessor

    values = effective_answers(org, CATALOG.questionnaire).values
    read = profile_accessor(org)
    conditions = [r.when for r in CATALOG.guideline.rules] + [c.when for c in CATALOG.guideline.classification]
    conditions += [q.show_if for q in CATALOG.questionnaire.questions if q.show_if is not None]
    for cond in conditions:
        assert holds(cond, values, read) == evaluate(cond, values, read).value


def test_establishment_outside_the_eea_is_referred(examples_dir):
    from insurable.profile import load_organisation

    firm = load_organisation(examples_dir / "accounting-firm.yaml")
    assert "uw.refer.outside_eea" not in {r.rule_id for r in assess(firm, CATALOG).referrals}
    abroad = assess(firm.model_copy(update={"country": "US"}), CATALOG)
    assert "uw.refer.outside_eea" in {r.rule_id for r in abroad.referrals}
    assert abroad.verdict == "refer"
