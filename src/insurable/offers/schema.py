"""JSON Schemas of the offer format and the ``offers compare --format json`` contract, generated
into ``schemas/`` by ``make docs`` (checked for staleness by the docs test)."""

from __future__ import annotations

import json

from insurable.offers.compare import COMPARISON_FORMAT_VERSION, Comparison
from insurable.offers.model import FORMAT_VERSION, Offer

__all__ = ["render_comparison_schema", "render_offer_schema"]


def render_offer_schema() -> str:
    schema = Offer.model_json_schema(by_alias=True)
    schema["$id"] = f"https://insurable.example/schemas/offer-{FORMAT_VERSION}.schema.json"
    schema["title"] = "insurable offer (quote or policy)"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def render_comparison_schema() -> str:
    schema = Comparison.model_json_schema(by_alias=True)
    schema["$id"] = f"https://insurable.example/schemas/offers-compare-{COMPARISON_FORMAT_VERSION}.schema.json"
    schema["title"] = "insurable offers compare --format json"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
