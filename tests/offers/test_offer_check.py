"""The checklist review: each rule's outcome follows the offer and the organisation, quotes the
clause, and says what it means here (an MSP without PI cover, hosting not insured, fines covered
without the legal qualifier, a D&O gap for an essential entity)."""

from __future__ import annotations

from pathlib import Path

import pytest

from insurable.catalog.offers import OfferChecklistFile
from insurable.intake import read_organisation
from insurable.offers import check_offer, context_for, parse_offer, read_offer
from insurable.offers.check import EVALUATORS
from tests.offers.helpers import HOSPITAL, MSP, OFFERS, offer_data


@pytest.fixture(scope="module")
def msp_ctx(catalog):
    return context_for(read_organisation(MSP, catalog), catalog)


@pytest.fixture(scope="module")
def hospital_ctx(catalog):
    return context_for(read_organisation(HOSPITAL, catalog), catalog)


def outcome(offer, ctx, catalog, rule):
    return next(r for r in check_offer(offer, ctx, catalog) if r.rule == rule)


def test_every_rule_has_an_evaluator_and_sources(catalog):
    rules = catalog.get("offer_checklist.yaml", OfferChecklistFile).rules
    assert {r.id for r in rules} == set(EVALUATORS)
    article = {r.id for r in rules if r.origin == "article"}
    assert {"chk.insured_capacity", "chk.fines", "chk.pi_cyber_overlap", "chk.directors_officers"} <= article
    assert all(r.sources for r in rules)


def test_every_outcome_has_both_languages(catalog, msp_ctx):
    for path in sorted(OFFERS.glob("*.yaml")):
        for result in check_offer(read_offer(path, catalog), msp_ctx, catalog):
            assert result.message.nl and result.message.en
            assert "{" not in result.message.en, result.message.en  # every placeholder filled


def test_hosting_missing_from_insured_capacity(catalog, msp_ctx):
    offer = parse_offer(
        offer_data(
            insured_activities=["software_development"],
            insured_activities_clause={"page": 1, "quote": "Verzekerd: softwareontwikkeling."},
        ),
        catalog,
    )
    result = outcome(offer, msp_ctx, catalog, "chk.insured_capacity")
    assert result.status == "not_met"
    assert "msp" in result.message.en
    assert result.evidence is not None and result.evidence.page == 1


def test_msp_without_pi_cover(catalog, msp_ctx):
    offer = parse_offer(offer_data(exclusions=[{"kind": "professional_services"}]), catalog)
    result = outcome(offer, msp_ctx, catalog, "chk.pi_cyber_overlap")
    assert (result.status, result.finding) == ("not_met", "no_pi")
    assert "excludes professional services" in result.message.en


def test_pi_cyber_gap_and_overlap(catalog, msp_ctx):
    pi_excludes = {"limit_eur": 1_000_000, "covers_cyber_incidents": False}
    gap = parse_offer(
        offer_data(professional_liability=pi_excludes, exclusions=[{"kind": "professional_services"}]), catalog
    )
    assert outcome(gap, msp_ctx, catalog, "chk.pi_cyber_overlap").finding == "gap"
    both = parse_offer(
        offer_data(professional_liability={"limit_eur": 1_000_000, "covers_cyber_incidents": True}), catalog
    )
    assert outcome(both, msp_ctx, catalog, "chk.pi_cyber_overlap").finding == "overlap"
    fit = parse_offer(offer_data(professional_liability=pi_excludes), catalog)
    assert outcome(fit, msp_ctx, catalog, "chk.pi_cyber_overlap").status == "met"


def test_fines_without_legal_qualifier(catalog, msp_ctx):
    offer = parse_offer(offer_data(), catalog)
    result = outcome(offer, msp_ctx, catalog, "chk.fines")
    assert (result.status, result.finding) == ("partly", "unqualified")
    qualified = parse_offer(offer_data(exclusions=[{"kind": "fines", "variant": "where_uninsurable"}]), catalog)
    assert outcome(qualified, msp_ctx, catalog, "chk.fines").status == "met"
    excluded = parse_offer(offer_data(exclusions=[{"kind": "fines"}]), catalog)
    assert outcome(excluded, msp_ctx, catalog, "chk.fines").status == "not_met"


def test_directors_and_officers_gap_for_an_in_scope_entity(catalog, hospital_ctx, msp_ctx):
    assert hospital_ctx.nis2_classification in ("essential", "important")
    offer = parse_offer(offer_data(), catalog)
    result = outcome(offer, hospital_ctx, catalog, "chk.directors_officers")
    assert result.status == "not_met"
    assert hospital_ctx.nis2_classification in result.message.en
    assert outcome(offer, msp_ctx, catalog, "chk.directors_officers").status == (
        "not_applicable" if msp_ctx.nis2_classification not in ("essential", "important") else "not_met"
    )
    with_dno = parse_offer(
        offer_data(directors_officers={"limit_eur": 1_000_000, "covers_nis2_liability": True}), catalog
    )
    assert outcome(with_dno, hospital_ctx, catalog, "chk.directors_officers").status == "met"


def test_fine_sublimit_below_the_nis2_ceiling(catalog, hospital_ctx):
    offer = parse_offer(
        offer_data(
            coverages=[{"coverage": "cov.regulatory", "sublimit_eur": 100_000}],
            exclusions=[{"kind": "fines", "variant": "where_uninsurable"}],
        ),
        catalog,
    )
    result = outcome(offer, hospital_ctx, catalog, "chk.fines")
    assert result.status == "partly"
    assert "NIS2 fine ceiling" in result.message.en


def test_security_conditions_against_answers(catalog, msp_ctx):
    # The MSP example has no MFA on remote access: a policy that requires MFA is at risk.
    assert msp_ctx.controls["ctl.mfa"] in ("missing", "partial")
    offer = parse_offer(offer_data(security_conditions=["ctl.mfa"]), catalog)
    result = outcome(offer, msp_ctx, catalog, "chk.security_conditions")
    assert result.status in ("not_met", "partly")
    assert "ctl.mfa" in result.message.en


def test_vendor_conflict_cancellation_and_war_clause(catalog, msp_ctx):
    vendor = read_offer(OFFERS / "vendor-bundle.yaml", catalog)
    results = {r.rule: r for r in check_offer(vendor, msp_ctx, catalog)}
    assert results["chk.vendor_conflict"].status == "not_met"
    assert "Schildwacht EDR" in results["chk.vendor_conflict"].message.en
    assert results["chk.cancellation_after_claim"].status == "not_met"
    assert results["chk.cancellation_after_claim"].evidence is not None
    assert results["chk.war_clause"].status == "partly"
    specialist = read_offer(OFFERS / "specialist-cyber.yaml", catalog)
    assert outcome(specialist, msp_ctx, catalog, "chk.war_clause").status == "met"


def test_unknown_when_the_offer_is_silent(catalog, msp_ctx):
    offer = parse_offer(offer_data(), catalog)
    statuses = {r.rule: r.status for r in check_offer(offer, msp_ctx, catalog)}
    for rule in ("chk.insured_capacity", "chk.retroactive_date", "chk.war_clause", "chk.cancellation_after_claim",
                 "chk.incident_panel", "chk.notification_deadline", "chk.territory"):  # fmt: skip
        assert statuses[rule] == "unknown", rule


def test_territory_against_us_revenue(catalog, msp_ctx, tmp_path: Path):
    import yaml

    data = yaml.safe_load(MSP.read_text(encoding="utf-8"))
    data["answers"]["q.org.revenue_us_ca_pct"] = 15
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ctx = context_for(read_organisation(path, catalog), catalog)
    offer = parse_offer(offer_data(territory="worldwide_excl_us_ca"), catalog)
    result = outcome(offer, ctx, catalog, "chk.territory")
    assert result.status == "not_met" and "15 %" in result.message.en


def test_directors_and_officers_unknown_without_nis2_fields(catalog):
    from insurable.profile import parse_organisation

    org = parse_organisation({"name": "Onbekend BV", "activities": ["msp"]})
    ctx = context_for(org, catalog)
    assert ctx.nis2_classification is None
    result = outcome(parse_offer(offer_data(), catalog), ctx, catalog, "chk.directors_officers")
    assert (result.status, result.finding) == ("unknown", "no_nis2")


def test_vendor_conflict_is_concrete_when_the_firm_runs_the_vendors_product(catalog, tmp_path):
    import yaml

    data = yaml.safe_load(MSP.read_text(encoding="utf-8"))
    data["answers"].update({"q.endpoint.edr": True, "q.vendor.edr": "sentinelone"})
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ctx = context_for(read_organisation(path, catalog), catalog)
    tied = {"insurer_tied_to_vendor": "SentinelOne", "insurer_tied_vendor_products": ["sentinelone"]}
    result = outcome(parse_offer(offer_data(**tied), catalog), ctx, catalog, "chk.vendor_conflict")
    assert (result.status, result.finding) == ("not_met", "own_vendor")
    assert "sentinelone" in result.message.en
    other = {"insurer_tied_to_vendor": "Sophos", "insurer_tied_vendor_products": ["sophos"]}
    assert outcome(parse_offer(offer_data(**other), catalog), ctx, catalog, "chk.vendor_conflict").finding == "not_met"
