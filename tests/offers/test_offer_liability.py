"""Who pays a liability loss under each programme (the PI/cyber overlap or gap, made explicit):
read from the checklist, per kind of loss, for the example offers and for built ones that reach
every outcome; shown in the comparison's Markdown and JSON."""

from __future__ import annotations

import pytest

from insurable.intake import read_organisation
from insurable.offers import check_offer, compare_offers, context_for, parse_offer, read_offer
from insurable.offers.liability import liability_map
from insurable.offers.report import render_comparison
from tests.offers.helpers import HOSPITAL, MSP, OFFERS, offer_data


@pytest.fixture(scope="module")
def msp_ctx(catalog):
    return context_for(read_organisation(MSP, catalog), catalog)


@pytest.fixture(scope="module")
def hospital_ctx(catalog):
    return context_for(read_organisation(HOSPITAL, catalog), catalog)


def lines(offer, ctx, catalog) -> dict[str, tuple[tuple[str, ...], str]]:
    checklist = check_offer(offer, ctx, catalog)
    found = liability_map(offer, checklist)
    messages = {r.rule: r.message for r in checklist}
    for line in found:
        assert line.note == messages[line.rule]  # the map repeats the checklist, nothing else
    return {x.kind: (x.answered_by, x.standing) for x in found}


def test_vendor_bundle_leaves_an_msp_with_professional_errors_and_fines(msp_ctx, catalog) -> None:
    got = lines(read_offer(OFFERS / "vendor-bundle.yaml", catalog), msp_ctx, catalog)
    assert got["incident_claims"] == (("cyber",), "covered")
    assert got["professional_claims"] == ((), "uncovered")  # no PI, and professional services excluded
    assert got["fines"] == ((), "uncovered")
    assert got["directors"][1] == "not_applicable"  # the MSP is not an essential or important entity


def test_pi_and_cyber_package_overlaps(msp_ctx, catalog) -> None:
    got = lines(read_offer(OFFERS / "pi-cyber-package.yaml", catalog), msp_ctx, catalog)
    assert got["incident_claims"] == (("cyber", "pi"), "overlap")
    assert got["professional_claims"][1] in ("covered", "overlap")
    assert "pi" in got["professional_claims"][0]


def test_a_gap_between_pi_and_cyber(msp_ctx, catalog) -> None:
    data = offer_data(
        coverages=[{"coverage": "cov.incident_response"}, {"coverage": "cov.extortion"}],
        professional_liability={"limit_eur": 1_000_000, "covers_cyber_incidents": False},
    )
    got = lines(parse_offer(data, catalog), msp_ctx, catalog)
    assert got["incident_claims"] == ((), "uncovered")  # cyber has no liability cover, PI excludes incidents
    assert got["professional_claims"] == (("pi",), "covered")
    unsure = offer_data(
        coverages=[{"coverage": "cov.incident_response"}],
        professional_liability={"limit_eur": 1_000_000},
    )
    assert lines(parse_offer(unsure, catalog), msp_ctx, catalog)["incident_claims"] == ((), "unknown")


def test_an_essential_entity_without_d_and_o(hospital_ctx, catalog) -> None:
    got = lines(read_offer(OFFERS / "specialist-cyber.yaml", catalog), hospital_ctx, catalog)
    assert got["directors"] == ((), "uncovered")
    assert got["professional_claims"] == ((), "not_applicable")  # a hospital provides no IT services
    with_do = offer_data(directors_officers={"limit_eur": 2_000_000, "covers_nis2_liability": True})
    assert lines(parse_offer(with_do, catalog), hospital_ctx, catalog)["directors"] == (("do",), "covered")


SHOWN = [
    ("en", "Liability left uncovered", "professional errors, fines"),
    ("nl", "Aansprakelijkheid niet gedekt", "beroepsfouten, boetes"),
]


@pytest.mark.parametrize("lang,row,left", SHOWN)
def test_the_comparison_shows_it(msp_ctx, catalog, lang: str, row: str, left: str) -> None:
    offers = [read_offer(OFFERS / "vendor-bundle.yaml", catalog)]
    c = compare_offers(msp_ctx.org, offers, catalog, msp_ctx, trials=500, seed=1)
    assert [x.kind for x in c.results[0].liability] == ["incident_claims", "professional_claims", "fines", "directors"]
    text = render_comparison(c, lang)
    assert f"| {row} | {left} |" in text
    assert "chk.pi_cyber_overlap" in text
    assert c.to_json()["results"][0]["liability"][1]["standing"] == "uncovered"
