"""The offer entered field by field (web form): generated from the offer model, so no field of the
format is missing; Dutch and English amounts; every problem at once, beside its field, in the
interface language; nothing stored on error; an edit pre-fills the stored offer and keeps its
clauses; every save is audited."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from insurable.offers.form import (
    BI_COVERAGES,
    LIABILITY_ONLY,
    NOT_ON_FORM,
    all_fields,
    form_values,
    offer_form,
    read_form,
)
from insurable.offers.model import CoverSection, Exclusion, Layer, LiabilitySection, Offer, Premium
from insurable.offers.read import read_offer
from insurable.store.models import AuditEvent
from insurable.store.offer_models import StoredOffer
from tests.offers.helpers import EXAMPLE_OFFERS, OFFERS
from tests.offers.test_offer_web import enter
from tests.web.conftest import (
    PROFILE,
    MakeAccount,
    csrf_of,
    login,
    make_account,
    new_org,
    web_app,
    web_db_url,
    web_engine,
)

__all__ = ["make_account", "web_app", "web_db_url", "web_engine"]


def as_form(values: dict[str, Any]) -> dict[str, list[str]]:
    return {k: (v if isinstance(v, list) else [v]) for k, v in values.items() if v not in ("", [])}


def minimal(**changes: str | list[str]) -> dict[str, list[str]]:
    form: dict[str, Any] = {
        "insurer": "Polder Verzekeringen N.V.",
        "product": "Cyber MKB",
        "limit_eur": "1.000.000",
        "deductible_eur": "€ 2.500",
        "premium.net_eur": "2.400",
        "cov.incident_response.covered": "1",
        "cov.extortion.covered": "1",
        "cov.extortion.sublimit_eur": "€ 0,5 mln",
    }
    form.update(changes)
    return as_form(form)


def test_every_field_of_the_format_is_on_the_form(catalog) -> None:
    names = {f.name for f in all_fields(offer_form(catalog))}

    def expect(model: type[BaseModel], prefix: str, skip: set[str]) -> None:
        for field in model.model_fields:
            if field not in skip:
                assert f"{prefix}{field}" in names, f"{prefix}{field} has no form field"

    sections = {"coverages", "exclusions", "premium", "professional_liability", "directors_officers", "layer"}
    expect(Offer, "", set(NOT_ON_FORM) | sections)
    expect(Premium, "premium.", set())
    expect(Layer, "layer.", set())
    for cov in (c.id for c in catalog.coverages.coverages):
        bi = {"waiting_period_hours", "waiting_period_replaces_deductible", "indemnity_period_days"}
        expect(CoverSection, f"{cov}.", {"coverage", "clause"} | (set() if cov in BI_COVERAGES else bi))
    for kind in ("war", "fines", "ceo_fraud", "other"):
        expect(Exclusion, f"exclusion.{kind}.", {"kind", "clause"})
    for key, only in LIABILITY_ONLY.items():
        expect(LiabilitySection, f"{key}.", {"clause"} | (set(LIABILITY_ONLY.values()) - {only}))


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", EXAMPLE_OFFERS, ids=lambda p: p.stem)
def test_a_stored_offer_prefills_the_form_and_saves_unchanged(catalog, path: Path, lang: str) -> None:
    offer = read_offer(path, catalog)
    values = form_values(offer.model_dump(mode="json"), catalog, lang)
    again, _, errors = read_form(as_form(values), catalog, lang, previous=offer.model_dump(mode="json"))
    assert not errors, {k: v.en for k, v in errors.items()}
    assert again is not None
    a, b = offer.model_dump(mode="json"), again.model_dump(mode="json")
    key = lambda e: e["kind"]  # noqa: E731 - the form lists exclusions in the format's order
    assert sorted(a.pop("exclusions"), key=key) == sorted(b.pop("exclusions"), key=key)
    assert a == b  # clauses (the evidence) included


def test_dutch_and_english_amounts(catalog) -> None:
    offer, _, errors = read_form(minimal(**{"premium.insurance_tax_rate": "21 %"}), catalog, "nl")
    assert not errors and offer is not None
    assert offer.limit_eur == 1_000_000
    assert offer.deductible_eur == 2_500
    assert offer.cover("cov.extortion").sublimit_eur == 500_000
    assert offer.premium.insurance_tax_rate == pytest.approx(0.21)
    assert offer.id == "polder-verzekeringen-n-v-cyber-mkb"
    assert offer.cover("cov.liability") is None  # not ticked: not covered
    english, _, errors = read_form(minimal(limit_eur="1,000,000", deductible_eur="2.5k"), catalog, "en")
    assert set(errors) == {"cov.extortion.sublimit_eur"}  # "€ 0,5 mln" is Dutch: read in the interface language
    fixed = minimal(limit_eur="1,000,000", deductible_eur="2.5k", **{"cov.extortion.sublimit_eur": "€ 0.5 mln"})
    english, _, errors = read_form(fixed, catalog, "en")
    assert not errors and english is not None
    assert (english.limit_eur, english.deductible_eur) == (1_000_000, 2_500)


def test_every_problem_at_once_beside_its_field(catalog) -> None:
    form = minimal(
        insurer="",
        limit_eur="veel",
        retroactive_date="gisteren",
        **{
            "cov.extortion.coinsurance": "100",
            "cov.business_interruption.covered": "1",
            "cov.business_interruption.waiting_period_hours": "-3",
            "premium.term_months": "1,5",
            "basis": "sometimes",
            "insured_activities": ["msp", "astrology"],
            "professional_liability.present": "1",
        },
    )
    offer, _, errors = read_form(form, catalog, "nl")
    assert offer is None
    assert set(errors) == {
        "insurer",
        "limit_eur",
        "retroactive_date",
        "cov.extortion.coinsurance",
        "cov.business_interruption.waiting_period_hours",
        "premium.term_months",
        "basis",
        "insured_activities",
        "professional_liability.limit_eur",
    }
    assert errors["insurer"].nl == "Vul dit veld in." and errors["insurer"].en == "Fill in this field."
    assert "bedrag" in errors["limit_eur"].nl and "amount" in errors["limit_eur"].en
    assert errors["cov.extortion.coinsurance"].en == "Must be less than 100 %."
    assert errors["cov.business_interruption.waiting_period_hours"].nl == "Moet minstens 0 zijn."
    assert errors["premium.term_months"].en == "Enter a whole number."


def test_model_rules_land_on_their_field(catalog) -> None:
    offer, _, errors = read_form(minimal(aggregate_limit_eur="500.000"), catalog, "nl")
    assert offer is None
    assert errors["aggregate_limit_eur"].nl.startswith("Het bedrag per jaar kan niet lager")
    none_ticked = {k: v for k, v in minimal().items() if not k.startswith("cov.")}
    offer, _, errors = read_form(none_ticked, catalog, "en")
    assert offer is None and errors["coverages"].en == "Tick at least one covered coverage."
    offer, _, errors = read_form(minimal(id="Mijn Offerte!"), catalog, "en")
    assert offer is None and "lower-case" in errors["id"].en


def test_a_section_left_out_is_not_read(catalog) -> None:
    form = minimal(**{"directors_officers.limit_eur": "nonsense", "layer.programme": "x"})
    offer, _, errors = read_form(form, catalog, "nl")
    assert not errors and offer is not None
    assert offer.directors_officers is None and offer.layer is None
    form = minimal(**{"directors_officers.present": "1", "directors_officers.limit_eur": "€ 1 mln",
                      "directors_officers.covers_nis2_liability": "no"})  # fmt: skip
    offer, _, errors = read_form(form, catalog, "nl")
    assert not errors and offer is not None and offer.directors_officers is not None
    assert offer.directors_officers.limit_eur == 1_000_000
    assert offer.directors_officers.covers_nis2_liability is False


# -- the web pages -----------------------------------------------------------------------------------


def _audit(engine: Engine, org: int) -> list[tuple[str, dict[str, Any]]]:
    with Session(engine) as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.org_id == org).order_by(AuditEvent.id))
        return [(r.action, dict(r.detail or {})) for r in rows]


def _offers(engine: Engine, org: int) -> list[StoredOffer]:
    with Session(engine) as session:
        return list(session.scalars(select(StoredOffer).where(StoredOffer.org_id == org)))


def _value(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    assert found, f"no input {name}"
    return html.unescape(found.group(1))


def test_web_form_new_errors_then_saved(web_app: FastAPI, web_engine: Engine, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    listing = client.get(f"/orgs/{org}/offers")
    assert f'href="/orgs/{org}/offers/new"' in listing.text
    form_page = client.get(f"/orgs/{org}/offers/new")
    assert form_page.status_code == 200
    assert 'name="cov.business_interruption.waiting_period_hours"' in form_page.text
    assert "style=" not in form_page.text  # CSP: no inline styles
    token = csrf_of(form_page.text)
    before = _audit(web_engine, org)
    bad = {**minimal(limit_eur="veel", insurer=""), "csrf_token": [token]}
    refused = client.post(f"/orgs/{org}/offers/new", data=bad)
    assert refused.status_code == 422
    assert 'id="of-limit_eur-err"' in refused.text and 'id="of-insurer-err"' in refused.text
    assert "Vul dit veld in." in refused.text  # Dutch interface (the default)
    assert 'aria-invalid="true"' in refused.text
    assert _value(refused.text, "limit_eur") == "veel"  # what was typed stays
    assert _value(refused.text, "cov.extortion.sublimit_eur") == "€ 0,5 mln"
    assert not _offers(web_engine, org)  # nothing stored on error
    assert _audit(web_engine, org) == before  # and nothing audited
    english = client.post(f"/orgs/{org}/offers/new", data=bad, headers={"Accept-Language": "en"})
    assert english.status_code == 422 and "Fill in this field." in english.text
    forged = client.post(f"/orgs/{org}/offers/new", data=minimal())
    assert forged.status_code == 403
    saved = client.post(f"/orgs/{org}/offers/new", data={**minimal(), "csrf_token": [token]})
    assert saved.status_code == 303, saved.text
    stored = _offers(web_engine, org)
    assert len(stored) == 1 and stored[0].confirmed and stored[0].source == "entered"
    assert stored[0].data["limit_eur"] == 1_000_000
    assert _audit(web_engine, org)[-1] == ("offer.create", {"form": "fields"})


def _select(name: str, page: str) -> str | None:
    """The selected option of a select, or None when ``name`` is no select."""
    found = re.search(rf'<select id="[^"]+" name="{re.escape(name)}".*?</select>', page, re.S)
    if not found:
        return None
    chosen = re.search(r'<option value="([^"]*)" selected', found.group(0))
    return chosen.group(1) if chosen else ""


def test_web_form_edit_prefills_and_updates(
    web_app: FastAPI, web_engine: Engine, make_account: MakeAccount, catalog
) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    saved = enter(client, org, "specialist-cyber")
    offer_id = int(saved.headers["location"].rsplit("/", 1)[1])
    detail = client.get(f"/orgs/{org}/offers/{offer_id}")
    assert f'href="/orgs/{org}/offers/{offer_id}/edit"' in detail.text
    edit = client.get(f"/orgs/{org}/offers/{offer_id}/edit")
    assert edit.status_code == 200
    assert _value(edit.text, "limit_eur") == "1.000.000"  # Dutch amounts
    assert _value(edit.text, "insurer") == "Veluwe Specialty Insurance N.V."
    assert re.search(r'name="cov.extortion.covered" value="1" checked', edit.text)
    english = client.get(f"/orgs/{org}/offers/{offer_id}/edit", headers={"Accept-Language": "en"})
    assert _value(english.text, "limit_eur") == "1,000,000"
    prefill = form_values(read_offer(OFFERS / "specialist-cyber.yaml", catalog).model_dump(mode="json"), catalog, "nl")
    for name, value in prefill.items():  # every pre-filled value is on the page
        if isinstance(value, list):
            for chosen in value:
                assert re.search(rf'name="{re.escape(name)}" value="{re.escape(chosen)}" checked', edit.text), name
        elif name.endswith((".covered", ".present")):
            checked = re.search(rf'name="{re.escape(name)}" value="1" checked', edit.text)
            assert bool(checked) == bool(value), name
        elif (chosen := _select(name, edit.text)) is not None:
            assert chosen == value, name
        elif (area := re.search(rf'name="{re.escape(name)}"[^>]*>([^<]*)</textarea>', edit.text)) is not None:
            assert html.unescape(area.group(1)) == value, name
        else:
            assert _value(edit.text, name) == value, name
    form = as_form(prefill)
    form["deductible_eur"] = ["€ 20.000"]
    form["csrf_token"] = [csrf_of(edit.text)]
    updated = client.post(f"/orgs/{org}/offers/{offer_id}/edit", data=form)
    assert updated.status_code == 303, updated.text[:3000]
    row = _offers(web_engine, org)[0]
    assert row.data["deductible_eur"] == 20_000
    assert row.data["limit_eur"] == 1_000_000 and row.data["clauses"]  # the rest and the evidence kept
    assert _audit(web_engine, org)[-1] == ("offer.update", {"form": "fields"})
    broken = {**form, "deductible_eur": ["-5"]}
    refused = client.post(f"/orgs/{org}/offers/{offer_id}/edit", data=broken)
    assert refused.status_code == 422 and "Moet minstens 0 zijn." in refused.text
    assert _offers(web_engine, org)[0].data["deductible_eur"] == 20_000  # unchanged


def test_a_reader_cannot_open_the_form(web_app: FastAPI, make_account: MakeAccount) -> None:
    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    other = login(web_app, make_account("bob@example.nl"))
    assert other.get(f"/orgs/{org}/offers/new").status_code in (403, 404)
    assert other.post(f"/orgs/{org}/offers/new", data=minimal()).status_code in (403, 404)


def test_a_pdf_draft_opens_in_the_form_and_saving_confirms_it(
    web_app: FastAPI, web_engine: Engine, make_account: MakeAccount, tmp_path: Path
) -> None:
    from tests.offers.pdfs import DUTCH_UNREADABLE, render

    client = login(web_app, make_account("ann@example.nl"))
    org = new_org(client, profile=PROFILE)
    page = client.get(f"/orgs/{org}/offers")
    pdf = render(DUTCH_UNREADABLE, tmp_path / "polis.pdf")
    with pdf.open("rb") as handle:
        uploaded = client.post(
            f"/orgs/{org}/offers/upload",
            data={"csrf_token": csrf_of(page.text)},
            files={"file": ("polis.pdf", handle, "application/pdf")},
        )
    draft_url = uploaded.headers["location"]
    edit = client.get(f"{draft_url}/edit")
    assert edit.status_code == 200
    assert _value(edit.text, "limit_eur") == "1.000.000"  # read from the PDF, shown the Dutch way
    assert _value(edit.text, "deductible_eur") == ""  # ambiguous in the PDF: left for the user
    form: dict[str, Any] = {}
    for name in ("id", "insurer", "product", "limit_eur", "aggregate_limit_eur", "premium.net_eur"):
        form[name] = [_value(edit.text, name)]
    for name in re.findall(r'name="([^"]+)" value="1" checked', edit.text):
        form[name] = ["1"]
    form.update({"insurer": ["Veluwe Specialty"], "product": ["CyberZeker"], "premium.net_eur": ["6.800"]})
    form["csrf_token"] = [csrf_of(edit.text)]
    refused = client.post(f"{draft_url}/edit", data=form)
    assert refused.status_code == 422 and 'id="of-deductible_eur-err"' in refused.text
    assert not _offers(web_engine, org)[0].confirmed
    done = client.post(f"{draft_url}/edit", data={**form, "deductible_eur": ["€ 10.000"]})
    assert done.status_code == 303, done.text[:2000]
    row = _offers(web_engine, org)[0]
    assert row.confirmed and row.data["deductible_eur"] == 10_000 and row.data["limit_eur"] == 1_000_000
    assert row.data.get("clauses")  # the quotes read from the PDF stay with the offer
    assert _audit(web_engine, org)[-1] == ("offer.confirm", {"form": "fields"})
