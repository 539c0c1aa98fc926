"""The shared Terms and offered_terms; properties of the organisation model (limit, exclusion,
controls); the tower in closed form; the calibration report holds every anchor."""

from __future__ import annotations

import json
import math
import time

import pytest
from typer.testing import CliRunner

from insurable.catalog.perils import PerilsFile
from insurable.cli import app
from insurable.lossmodel import simulate_organisation
from insurable.lossmodel.calibrate import calibration
from insurable.lossmodel.organisation import coverage_order, organisation_perils
from insurable.profile import Organisation
from insurable.terms import Terms, offered_terms
from insurable.text import Text
from insurable.underwriting.model import RuleOutcome

runner = CliRunner()

ORG = {
    "name": "Test BV",
    "nace_code": "62.02",
    "activities": ["msp"],
    "employees": 80,
    "annual_turnover_eur": 15_000_000,
    "records_held": 40_000,
    "requested_limit_eur": 1_000_000,
    "requested_deductible_eur": 25_000,
}


def _org(**answers: object) -> Organisation:
    return Organisation.model_validate({**ORG, "answers": answers})


def _outcome(effect: str, **fields: object) -> RuleOutcome:
    return RuleOutcome(
        rule_id=f"uw.test.{effect}", effect=effect, text=Text(nl="t", en="t"), facts=(), sources=(), **fields
    )


class _Assessment:
    """The fields offered_terms reads, with policy terms as the underwriting branch adds them."""

    deductible_eur = 50_000.0
    limit_offered_eur = 2_000_000.0
    max_limit_eur = 2_000_000.0
    exclusions = (_outcome("exclusion", coverage="cov.financial_fraud"),)
    sublimits = (_outcome("sublimit", coverage="cov.extortion", amount_eur=250_000.0),)
    policy_terms = (
        _outcome("coinsurance", coverage="cov.extortion", factor=0.2),
        _outcome("indemnity_period", coverage="cov.business_interruption", days=90),
        _outcome("retention", coverage="cov.data_restoration", amount_eur=5_000.0),
    )


def test_offered_terms_maps_every_underwriting_term(catalog):
    terms = offered_terms(_Assessment(), catalog)
    assert terms.origin == "offered" and terms.deductible_eur == 50_000 and terms.limit_eur == 2_000_000
    assert terms.excluded() == ("cov.financial_fraud",)
    ext = terms.coverage("cov.extortion")
    assert ext is not None and ext.sublimit_eur == 250_000 and ext.coinsurance == 0.2
    assert set(ext.rules) >= {"uw.test.sublimit", "uw.test.coinsurance"}
    bi = terms.coverage("cov.business_interruption")
    assert bi is not None and bi.indemnity_period_days == 90 and bi.waiting_period_hours == 8
    restore = terms.coverage("cov.data_restoration")
    assert restore is not None and restore.retention_eur == 5_000
    # Waiting periods from a rule (RuleOutcome.hours, added by the underwriting branch) are read too.
    waiting = type(
        "W", (), {"effect": "waiting_period", "coverage": "cov.business_interruption", "hours": 24, "rule_id": "uw.w"}
    )()
    later = type("A", (_Assessment,), {"policy_terms": (waiting,)})()
    bi2 = offered_terms(later, catalog).coverage("cov.business_interruption")
    assert bi2 is not None and bi2.waiting_period_hours == 24


def test_an_exclusion_makes_that_coverage_insured_zero(catalog):
    org = _org()
    full = simulate_organisation(org, catalog, trials=40_000, seed=3)
    base = Terms(deductible_eur=0, limit_eur=None)
    excluded = base.with_coverage("cov.financial_fraud", covered=False)
    only_fraud = Terms(
        deductible_eur=0,
        limit_eur=None,
        coverages=tuple(
            t
            for c in coverage_order(catalog, catalog.get("perils.yaml", PerilsFile))
            for t in (base.with_coverage(c, covered=c == "cov.financial_fraud").coverages)
        ),
    )
    a = simulate_organisation(org, catalog, trials=40_000, seed=3, terms=base)
    b = simulate_organisation(org, catalog, trials=40_000, seed=3, terms=excluded)
    c = simulate_organisation(org, catalog, trials=40_000, seed=3, terms=only_fraud)
    assert b.terms.excluded == ("cov.financial_fraud",)
    # Excluding fraud removes exactly what the fraud-only policy pays.
    assert a.insured.mean - b.insured.mean == pytest.approx(c.insured.mean, rel=1e-9)
    assert c.insured.mean > 0 and full.mean_annual_loss == a.mean_annual_loss


def test_a_higher_limit_never_lowers_insured_loss(catalog):
    report = simulate_organisation(_org(), catalog, trials=40_000, seed=4)
    means = [o.insured_mean for o in report.limit_options]
    exhausted = [o.probability_exhausted for o in report.limit_options]
    assert means == sorted(means) and exhausted == sorted(exhausted, reverse=True)


CONTROL_ANSWERS = [
    ("q.endpoint.edr", False, True),
    ("q.backup.offline_copy", False, True),
    ("q.patching.critical_days", 60, 3),
    ("q.mfa.remote_access", False, True),
    ("q.mfa.email", False, True),
    ("q.payments.callback_verification", False, True),
    ("q.endpoint.hardening", False, True),
    ("q.data.encryption_rest_transit", False, True),
    ("q.incident.continuity_plan_tested", False, True),
]


@pytest.mark.parametrize(("question", "without", "with_"), CONTROL_ANSWERS)
def test_a_control_never_raises_expected_loss(catalog, question, without, with_):
    """Closed form: frequency x mean event loss summed over the event types, for every control."""
    model = catalog.get("perils.yaml", PerilsFile)
    covs = coverage_order(catalog, model)
    mult, why = model.hazard_multiplier("high", 2)
    others = {q: w for q, w, _ in CONTROL_ANSWERS if q != question}

    def expected(answer: object) -> float:
        arrays, _, mains, seconds = organisation_perils(_org(**others, **{question: answer}), model, covs, mult, why)
        assert arrays.theft_p is not None
        return sum(
            float(arrays.mean[p]) * (mains[p].mean() + (float(arrays.theft_p[p]) * s.mean() if s else 0.0))
            for p, s in enumerate(seconds)
        )

    assert expected(with_) <= expected(without)
    assert expected(with_) < expected(without) or question == "q.incident.continuity_plan_tested"


def test_tower_of_any_size_answers_at_once(catalog):
    started = time.perf_counter()
    report = simulate_organisation(_org(), catalog, trials=20_000, seed=1, limit_eur=1e30, capacity_eur=2_000_000)
    assert time.perf_counter() - started < 30
    tower = report.tower
    assert tower is not None and tower.insurers == math.ceil(1e30 / 2e6)
    assert sum(layer.count for layer in tower.layers) == tower.insurers
    assert len(tower.layers) <= 51
    top = tower.layers[-1]
    assert top.count > 1 and top.expected_loss == 0 and top.minimum_applied
    assert top.technical_premium == pytest.approx(0.001 * 2_000_000)
    # Every layer is priced from the model and never below the minimum rate on line.
    for layer in tower.layers:
        assert layer.technical_premium is not None and layer.technical_premium >= 0.001 * layer.limit - 1e-9


def test_limit_needed_does_not_collapse_for_rare_severe_risks(catalog):
    report = simulate_organisation(_org(), catalog, trials=100_000, seed=2)
    ln = report.limit_needed
    assert ln is not None
    # With about a 2 % chance of a claim, the plain 1-in-100 annual loss is tiny; the limit needed is not.
    assert report.insured.quantiles["100"] < ln.limit
    assert ln.limit >= max(ln.worst_years_mean, ln.event_loss) and ln.limit in {
        250_000,
        500_000,
        1_000_000,
        1_500_000,
        2_000_000,
        2_500_000,
        3_000_000,
        4_000_000,
        5_000_000,
        7_500_000,
    }
    assert "worst" in ln.method.en


def test_calibration_holds_every_anchor(catalog):
    rows = calibration(catalog)
    assert len(rows) >= 15
    outside = [(r.id, round(r.ratio, 3), r.tolerance) for r in rows if not r.within]
    assert outside == []
    assert {r.metric for r in rows} >= {"frequency", "event_mean", "premium_limit_factor", "technical_premium"}


def test_calibrate_command_prints_every_anchor():
    result = runner.invoke(app, ["calibrate", "--format", "json", "--trials", "50000"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["format_version"] == 1 and all("sources" in r for r in data["rows"])
    bad = runner.invoke(app, ["calibrate", "--trials", "5"])
    assert bad.exit_code == 2 and "--trials" in bad.output


def test_expected_retained_loss_is_the_sections_retained_mean(catalog, examples_dir):
    from insurable.assessment import assess
    from insurable.intake import read_organisation
    from insurable.lossmodel.section import expected_retained_loss, loss_section

    org = read_organisation(examples_dir / "payment-provider.yaml", catalog, (), True)
    assessment = assess(org, catalog, loss_trials=None, with_plan=False)
    section = loss_section(org, catalog, assessment, trials=30_000, seed=5)
    fast = expected_retained_loss(org, catalog, assessment, trials=30_000, seed=5)
    assert fast == pytest.approx(section["retained_mean"], rel=1e-9)
    assert section["excluded_coverages"] == ["cov.financial_fraud"]  # no call-back verification


def test_one_hazard_classification_with_a_fallback_by_rank(catalog, examples_dir):
    from insurable.assessment import assess
    from insurable.catalog.perils import check_perils
    from insurable.intake import read_organisation

    model = catalog.get("perils.yaml", PerilsFile)
    assert model.hazard_multiplier("very_high", 3)[0].hazard_class == "very_high"
    # An insurer's own guideline with other class ids: same rank, else the nearest lower, else the lowest.
    assert model.hazard_multiplier("extreme", 3)[0].hazard_class == "very_high"
    assert model.hazard_multiplier("catastrophic", 9)[0].hazard_class == "very_high"
    assert model.hazard_multiplier("tiny", 0)[0].hazard_class == "low"
    # The loss model reads the rating's class: payment providers are very_high in both.
    org = read_organisation(examples_dir / "payment-provider.yaml", catalog, (), True)
    assessment = assess(org, catalog, loss_trials=None, with_plan=False)
    report = simulate_organisation(org, catalog, trials=2_000, seed=1)
    assert assessment.hazard_class == "very_high"
    assert {a.id for a in report.adjustments if a.kind == "hazard_class"} == {"hazard.very_high"}
    # The catalogue check: every guideline class needs multipliers.
    trimmed = model.model_copy(update={"hazard_multipliers": model.hazard_multipliers[:-1]})
    broken = type(catalog)(**{**catalog.__dict__, "files": {**catalog.files, "perils.yaml": trimmed}})
    problems = check_perils(broken)
    assert any("very_high" in p.reason for p in problems)


def test_direction_check_catches_a_control_that_raises_the_loss(catalog):
    from insurable.catalog.perils import check_perils

    model = catalog.get("perils.yaml", PerilsFile)
    rw = model.perils[0]
    edr = next(e for e in rw.effects if e.id == "eff.ransomware.edr")
    wrong = edr.model_copy(update={"severity": 1.2})
    effects = tuple(wrong if e.id == edr.id else e for e in rw.effects)
    perils = (rw.model_copy(update={"effects": effects}), *model.perils[1:])
    broken_model = model.model_copy(update={"perils": perils})
    broken = type(catalog)(**{**catalog.__dict__, "files": {**catalog.files, "perils.yaml": broken_model}})
    problems = [p for p in check_perils(broken) if "eff.ransomware.edr" in p.reason]
    assert problems and "ctl.detection" in problems[0].reason and "uw.credit.edr" in problems[0].reason
    assert check_perils(catalog) == []
