"""``offers extract`` on generated PDFs: a Dutch policy wording, an English quote, a PDF without a
text layer, and a clause the patterns cannot read. Every proposed value carries its page and the
sentence it was read from; nothing is guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from insurable.catalog.offers import OfferWordingFile
from insurable.cli import app
from insurable.errors import InputError
from insurable.offers import read_offer
from insurable.offers.extract import draft_offer, extract_fields, sentences
from insurable.offers.pdf import page_texts
from tests.offers.helpers import MSP
from tests.offers.pdfs import DUTCH_UNREADABLE, DUTCH_WORDING, ENGLISH_QUOTE, render, render_without_text

runner = CliRunner()


@pytest.fixture(scope="module")
def pdf_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("pdfs")
    render(DUTCH_WORDING, base / "polis-nl.pdf")
    render(ENGLISH_QUOTE, base / "quote-en.pdf")
    render(DUTCH_UNREADABLE, base / "polis-onleesbaar.pdf")
    render_without_text(base / "scan.pdf")
    return base


@pytest.fixture(scope="module")
def wording(catalog):
    return catalog.get("offer_wording.yaml", OfferWordingFile)


@pytest.fixture(scope="module")
def vocabulary(catalog):
    return {a.id: (a.name.nl, a.name.en) for a in catalog.vocabulary.activities}


def extract(path: Path, wording, vocabulary):
    return extract_fields(page_texts(path), wording, vocabulary=vocabulary, file=str(path)).by_field()


def test_dutch_policy_wording(pdf_dir, wording, vocabulary):
    got = extract(pdf_dir / "polis-nl.pdf", wording, vocabulary)
    expected = {
        "limit_eur": 1_000_000,
        "aggregate_limit_eur": 1_000_000,
        "deductible_eur": 10_000,
        "cov.business_interruption.waiting_period_hours": 12,
        "cov.business_interruption.indemnity_period_days": 180,
        "cov.extortion.sublimit_eur": 250_000,
        "cov.financial_fraud.sublimit_eur": 100_000,
        "exclusions.fines": "where_uninsurable",
        "exclusions.war": "lma5567a",
        "basis": "claims_made",
        "retroactive_unlimited": True,
        "territory": "worldwide_excl_us_ca",
        "notification_hours": 72,
        "cancellation_after_claim": False,
        "premium.net_eur": 6800,
        "premium.insurance_tax_rate": 0.21,
        "insured_activities": ("msp", "hosting"),
        "insurer": "Veluwe Specialty Insurance N.V.",
    }
    for field, value in expected.items():
        assert got[field].status == "found", (field, got[field].reason)
        assert got[field].value == value, field
    # No value without its quote: the page and the sentence that states it.
    deductible = got["deductible_eur"].clause
    assert deductible is not None and deductible.page == 1 and "€ 10.000" in deductible.quote
    waiting = got["cov.business_interruption.waiting_period_hours"].clause
    assert waiting is not None and waiting.page == 2 and "wachttijd van 12 uur" in waiting.quote
    assert got["retroactive_date"].status == "not_found"


def test_english_quote(pdf_dir, wording, vocabulary):
    got = extract(pdf_dir / "quote-en.pdf", wording, vocabulary)
    assert got["limit_eur"].value == 500_000
    assert got["deductible_eur"].value == 2_500
    assert got["cov.business_interruption.waiting_period_hours"].value == 24
    assert got["cov.business_interruption.indemnity_period_days"].value == 91  # 3 months
    assert got["cov.extortion.sublimit_eur"].value == 250_000
    assert got["cov.extortion.coinsurance"].value == pytest.approx(0.2)
    assert got["territory"].value == "eu"
    assert got["cancellation_after_claim"].value is True
    assert str(got["retroactive_date"].value) == "2026-01-01"
    assert got["premium.net_eur"].value == 2_400
    for proposal in got.values():
        if proposal.status == "found":
            assert proposal.clause is not None and proposal.clause.page in (1, 2)


def test_a_clause_the_patterns_cannot_read(pdf_dir, wording, vocabulary):
    got = extract(pdf_dir / "polis-onleesbaar.pdf", wording, vocabulary)
    deductible = got["deductible_eur"]
    assert deductible.status == "ambiguous"
    assert deductible.value is None
    assert deductible.unreadable and "polisblad" in deductible.unreadable[0].quote
    waiting = got["cov.business_interruption.waiting_period_hours"]
    assert waiting.status == "ambiguous"
    assert {c.value for c in waiting.candidates} == {12, 24}
    assert "different values" in waiting.reason


def test_pdf_without_text_layer_is_refused(pdf_dir):
    with pytest.raises(InputError) as exc:
        page_texts(pdf_dir / "scan.pdf")
    assert "no text layer" in exc.value.problems[0].reason


def test_not_a_pdf(tmp_path):
    fake = tmp_path / "polis.pdf"
    fake.write_text("this is no PDF", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        page_texts(fake)
    assert "not a readable PDF" in exc.value.problems[0].reason


def test_draft_validates_and_checks(pdf_dir, wording, vocabulary, catalog, tmp_path):
    extraction = extract_fields(page_texts(pdf_dir / "polis-nl.pdf"), wording, vocabulary=vocabulary)
    data = draft_offer(extraction, "polis-nl")
    path = tmp_path / "polis-nl.offer.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    offer = read_offer(path, catalog)
    assert offer.limit_eur == 1_000_000
    assert offer.exclusion("war").variant == "lma5567a"
    assert offer.cover("cov.extortion").sublimit_eur == 250_000
    assert offer.clauses["deductible_eur"].page == 1


def test_cli_extract_then_check(pdf_dir, tmp_path):
    out = tmp_path / "draft.yaml"
    result = runner.invoke(
        app, ["offers", "extract", str(pdf_dir / "polis-onleesbaar.pdf"), "--out", str(out), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    statuses = {p["field"]: p["status"] for p in payload["proposals"]}
    assert statuses["deductible_eur"] == "ambiguous"
    text = out.read_text(encoding="utf-8")
    assert "# AMBIGUOUS: deductible_eur" in text
    # The draft lacks the deductible: it does not pass as an offer until the user confirms it.
    check = runner.invoke(app, ["offers", "check", str(MSP), str(out)])
    assert check.exit_code == 2
    assert "deductible_eur" in check.output
    again = runner.invoke(app, ["offers", "extract", str(pdf_dir / "polis-onleesbaar.pdf"), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output


def test_cli_scan_exits_2(pdf_dir, tmp_path):
    result = runner.invoke(app, ["offers", "extract", str(pdf_dir / "scan.pdf"), "--out", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert "no text layer" in result.output
    assert "Traceback" not in result.output


def test_sentences_split_schedule_labels():
    text = "Verzekeraar: Hanze Polis N.V.\nProduct: Cyber\nHet eigen risico bedraagt\n€ 5.000. Dat is alles."
    assert sentences(text) == [
        "Verzekeraar: Hanze Polis N.V.",
        "Product: Cyber",
        "Het eigen risico bedraagt € 5.000.",
        "Dat is alles.",
    ]


def _nl(amount: int) -> str:
    return f"€ {amount:,}".replace(",", ".")


def _en(amount: int) -> str:
    return f"EUR {amount:,}"


@settings(max_examples=40, deadline=None)
@given(
    deductible=st.integers(min_value=0, max_value=5_000_000),
    limit=st.integers(min_value=1, max_value=100_000_000),
    hours=st.integers(min_value=0, max_value=240),
)
def test_stated_values_are_read_exactly(wording, vocabulary, deductible, limit, hours):
    nl = (
        f"Het verzekerd bedrag per aanspraak bedraagt {_nl(limit)}.\n"
        f"Het eigen risico bedraagt {_nl(deductible)} per aanspraak.\n"
        f"Voor bedrijfsschade geldt een wachttijd van {hours} uur."
    )
    en = (
        f"Limit of liability per claim: {_en(limit)}. The deductible is {_en(deductible)} each claim. "
        f"The waiting period for business interruption is {hours} hours."
    )
    for text, lang in ((nl, "nl"), (en, "en")):
        got = extract_fields([text], wording, language=lang, vocabulary=vocabulary).by_field()
        assert got["limit_eur"].value == limit, (lang, got["limit_eur"])
        assert got["deductible_eur"].value == deductible, (lang, got["deductible_eur"])
        assert got["cov.business_interruption.waiting_period_hours"].value == hours
        assert all(p.status != "found" or p.clause is not None for p in got.values())
