"""The organisation loss report: catalogue data, control effects, terms, options, JSON."""

from __future__ import annotations

import json

import pytest

from insurable.catalog.loader import collect_catalog
from insurable.errors import InputError
from insurable.lossmodel import LossReport, lec_svg, simulate_organisation
from insurable.profile import Organisation

TRIALS = 20_000

BASE = {
    "name": "Test BV",
    "nace_code": "62.02",
    "activities": ["msp"],
    "employees": 80,
    "annual_turnover_eur": 15_000_000,
    "records_held": 40_000,
    "requested_limit_eur": 1_000_000,
    "requested_deductible_eur": 25_000,
}
GOOD = {
    "q.exposure.rdp_exposed": False,
    "q.mfa.remote_access": True,
    "q.mfa.email": True,
    "q.endpoint.edr": True,
    "q.endpoint.hardening": True,
    "q.backup.offline_copy": True,
    "q.patching.critical_days": 3,
    "q.payments.callback_verification": True,
    "q.payments.dual_authorisation": True,
}
BAD = {
    "q.exposure.rdp_exposed": True,
    "q.mfa.remote_access": False,
    "q.mfa.email": False,
    "q.endpoint.edr": False,
    "q.backup.offline_copy": False,
    "q.patching.critical_days": 60,
}


def org(answers: dict[str, object] | None = None, **fields: object) -> Organisation:
    return Organisation.model_validate({**BASE, **fields, "answers": answers or {}})


def test_perils_catalogue_resolves_every_reference():
    _, problems = collect_catalog()
    assert [p for p in problems if "perils.yaml" in (p.file or "")] == []


def test_report_is_json_serialisable_and_summarises(catalog):
    report = simulate_organisation(org(GOOD), catalog, trials=TRIALS, seed=1)
    data = json.loads(json.dumps(report.to_json()))
    for key in (
        "trials",
        "seed",
        "mean_annual_loss",
        "std_annual_loss",
        "quantiles",
        "insured",
        "retained",
        "by_peril",
    ):
        assert key in data
    assert set(data["quantiles"]) == {"10", "50", "100", "200", "250"}
    assert set(data["by_peril"]) == {
        p.id for p in catalog.get("perils.yaml", type(catalog.files["perils.yaml"])).perils
    }
    assert LossReport.model_validate(data) == report
    summary = report.summary()
    assert summary.mean_annual_loss == report.mean_annual_loss
    tp = report.technical_premium
    pricing = catalog.files["perils.yaml"].pricing
    assert tp is not None and tp.risk_load == pytest.approx(pricing.risk_load_per_std * report.insured.std, rel=1e-3)
    assert summary.technical_premium == pytest.approx((report.insured.mean + tp.risk_load) / 0.6 + 250)
    assert "<svg" in lec_svg(report) and "</svg>" in lec_svg(report)


def test_same_seed_same_report(catalog):
    a = simulate_organisation(org(GOOD), catalog, trials=TRIALS, seed=3)
    b = simulate_organisation(org(GOOD), catalog, trials=TRIALS, seed=3, threads=1)
    assert a == b


def test_controls_lower_the_expected_loss(catalog):
    good = simulate_organisation(org(GOOD), catalog, trials=TRIALS, seed=2)
    bad = simulate_organisation(org(BAD), catalog, trials=TRIALS, seed=2)
    rw = "peril.ransomware_extortion"
    assert good.by_peril[rw].frequency < bad.by_peril[rw].frequency
    assert good.by_peril[rw].severity_median < bad.by_peril[rw].severity_median
    assert good.mean_annual_loss < bad.mean_annual_loss
    fired = {a.id for a in bad.adjustments if a.kind == "control"}
    assert "eff.ransomware.rdp_exposed" in fired
    rdp = next(a for a in bad.adjustments if a.id == "eff.ransomware.rdp_exposed")
    assert rdp.facts == {"answer:q.exposure.rdp_exposed": True}


def test_control_effects_are_bounded(catalog):
    model = catalog.files["perils.yaml"]
    bad = simulate_organisation(org(BAD), catalog, trials=1000, seed=2)
    good = simulate_organisation(org(GOOD), catalog, trials=1000, seed=2)
    bounds = model.control_bounds
    for report in (bad, good):
        for peril in model.perils:
            credits = penalties = 1.0
            for a in report.adjustments:
                if a.peril != peril.id:
                    continue
                if (a.kind == "control" and a.frequency * a.severity < 1) or a.id == "bound.credits":
                    credits *= a.frequency * a.severity
                elif a.kind == "control" or a.id == "bound.penalties":
                    penalties *= a.frequency * a.severity
            assert bounds.credit_floor - 1e-12 <= credits <= 1.0
            assert 1.0 <= penalties <= bounds.penalty_cap + 1e-12
    # The good answers stack credits beyond 2.5x on ransomware: the bound applies and says so.
    assert any(a.id == "bound.credits" and a.peril == "peril.ransomware_extortion" for a in good.adjustments)


def test_options_limit_needed_and_tower(catalog):
    report = simulate_organisation(org(GOOD), catalog, trials=TRIALS, seed=4, capacity_eur=400_000)
    deds = [d.deductible for d in report.deductible_options]
    assert deds == sorted({10_000, 25_000, 50_000, 100_000, 250_000})
    insured = [d.insured_mean for d in report.deductible_options]
    assert insured == sorted(insured, reverse=True)
    lim = [o.insured_mean for o in report.limit_options]
    assert lim == sorted(lim)
    assert report.limit_needed is not None and report.limit_needed.return_period == 100
    tower = report.tower
    assert tower is not None and [layer.limit for layer in tower.layers] == [400_000, 400_000, 200_000]
    assert sum(layer.expected_loss for layer in tower.layers) == pytest.approx(report.insured.mean)


def test_overrides_and_hazard_class(catalog):
    plain = org(GOOD, activities=[], nace_code="90.01")
    msp = org(GOOD)
    a = simulate_organisation(plain, catalog, trials=1000, seed=1, deductible_eur=50_000)
    b = simulate_organisation(msp, catalog, trials=1000, seed=1)
    assert a.terms.deductible == 50_000
    assert any(x.id == "hazard.low" for x in a.adjustments)
    assert any(x.id == "hazard.high" for x in b.adjustments)


def test_bi_waiting_period_uses_the_hourly_rate(catalog):
    report = simulate_organisation(org(GOOD), catalog, trials=1000, seed=1)
    bi = next(c for c in report.terms.coverages if c.coverage == "cov.business_interruption")
    assert bi.waiting_period_hours == 8  # Hiscox CyberClear: 8 clock hours, the BI deductible
    assert bi.waiting_period_replaces_deductible
    # Waiting periods are clock hours, so the rate is per clock hour (not per operating hour).
    assert report.terms.bi_hourly_rate == pytest.approx(15_000_000 * 0.4 / 8760)


def test_bad_input_names_the_fields(catalog):
    with pytest.raises(InputError) as exc:
        simulate_organisation(org(annual_turnover_eur=None), catalog, trials=0)
    paths = {p.path for p in exc.value.problems}
    assert {"trials", "annual_turnover_eur"} <= paths
