"""docs/offers.md carries the checklist (every rule with its sources), the wording patterns and the
worked example generated from the data; they must match (regen: INSURABLE_REGEN=1)."""

from __future__ import annotations

import os

from insurable.catalog.offers import OfferChecklistFile
from insurable.offers.docs import with_blocks
from tests.offers.helpers import ROOT

DOC = ROOT / "docs" / "offers.md"


def test_offers_doc_is_current(catalog):
    text = DOC.read_text(encoding="utf-8")
    wanted = with_blocks(text, catalog, ROOT)
    if os.environ.get("INSURABLE_REGEN"):
        DOC.write_text(wanted, encoding="utf-8")
        text = wanted
    assert text == wanted, "docs/offers.md is stale: INSURABLE_REGEN=1 pytest tests/offers/test_offer_docs.py"


def test_every_rule_and_source_is_documented(catalog):
    text = DOC.read_text(encoding="utf-8")
    for rule in catalog.get("offer_checklist.yaml", OfferChecklistFile).rules:
        assert f"`{rule.id}`" in text
        for source in rule.sources:
            assert source in text, (rule.id, source)
