"""The one registry of published JSON Schemas (``schemas/*.schema.json``), generated from the models.

Every catalogue file in :data:`insurable.catalog.loader.FILE_MODELS` is published automatically; every
other file format and output is one :class:`Schema` line in :data:`SCHEMAS` naming the model (or a
function returning the schema) as ``"module:attribute"``, imported only when rendered. ``make docs``
writes them all and a test fails when one is stale, missing or left over (tests/interchange).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

BASE_ID = "https://insurable.example/schemas"


@dataclass(frozen=True)
class Schema:
    """A published schema: ``schemas/<name>.schema.json`` from ``ref`` (a model or a function)."""

    name: str
    ref: str
    title: str
    mode: str = "validation"

    def render(self) -> str:
        module, _, attribute = self.ref.partition(":")
        target: Any = getattr(importlib.import_module(module), attribute)
        if isinstance(target, type) and issubclass(target, BaseModel):
            schema = target.model_json_schema(by_alias=True, mode=self.mode)  # type: ignore[arg-type]
            schema["$id"] = f"{BASE_ID}/{self.name}.schema.json"
            schema["title"] = self.title
            return json.dumps(schema, indent=2) + "\n"
        text = target()
        return text if isinstance(text, str) else json.dumps(text, indent=2) + "\n"


#: Every file format and output besides the catalogue files. Features register with one line each.
SCHEMAS: tuple[Schema, ...] = (
    Schema("organisation", "insurable.interchange.schemas:organisation_schema", "insurable organisation file"),
    Schema("assessment", "insurable.docgen:render_assessment_schema", "insurable assess --format json"),
    Schema("simulate", "insurable.docgen:render_simulate_schema", "insurable simulate --format json"),
    Schema(
        "ciso-assistant-library",
        "insurable.interchange.ciso_schema:library_schema",
        "CISO Assistant library as insurable export ciso-assistant writes it",
    ),
    Schema("offer", "insurable.offers.schema:render_offer_schema", "insurable offer (quote or policy)"),
    Schema("offers-compare", "insurable.offers.schema:render_comparison_schema", "insurable offers compare"),
    Schema("supplier-register", "insurable.suppliers.model:Register", "insurable supplier register"),
    Schema("scan", "insurable.evidence:ScanResult", "insurable scan --out (a saved outside-in scan)"),
    Schema("portfolio-report", "insurable.portfolio.metrics:PortfolioReport", "insurable portfolio run --format json"),
)


def _catalogue_render(name: str) -> Callable[[], str]:
    def render() -> str:
        from insurable.catalog.loader import FILE_MODELS

        # Unchanged from `insurable catalog schema`: the model's own schema, no $id added.
        return json.dumps(FILE_MODELS[name].model_json_schema(by_alias=True), indent=2) + "\n"

    return render


def published() -> dict[str, Callable[[], str]]:
    """Path under the repository root -> renderer, for every published schema."""
    from insurable.catalog.loader import FILE_MODELS

    out: dict[str, Callable[[], str]] = {
        f"schemas/{name.removesuffix('.yaml')}.schema.json": _catalogue_render(name) for name in FILE_MODELS
    }
    for schema in SCHEMAS:
        out[f"schemas/{schema.name}.schema.json"] = schema.render
    return out


def organisation_schema() -> dict[str, Any]:
    """The organisation file as people write it: the Organisation model's schema, widened where the
    model reads before it validates (docs/profile.md): amounts may be text (``"7,2 mln"``) and
    ``nace_code`` may be an SBI code as on a KvK extract (``6202``, ``10711``)."""
    from insurable.profile import NUMBER_FIELDS, GroupEnterprise, Organisation

    schema = Organisation.model_json_schema(by_alias=True)
    schema["$id"] = f"{BASE_ID}/organisation.schema.json"
    schema["title"] = "insurable organisation file (profile and answers)"
    group = schema["$defs"][GroupEnterprise.__name__]["properties"]
    for properties, names in ((schema["properties"], NUMBER_FIELDS), (group, tuple(group))):
        for name in names:
            prop = properties.get(name, {})
            options = prop.get("anyOf", [{"type": prop.get("type")}])
            if any(o.get("type") in ("number", "integer") for o in options):
                plain = {k: v for k, v in prop.items() if k not in ("anyOf", "type", "minimum", "exclusiveMinimum")}
                plain["anyOf"] = [*options, {"type": "string", "description": "an amount as written, e.g. 7,2 mln"}]
                properties[name] = plain
    nace = schema["properties"]["nace_code"]
    for option in nace.get("anyOf", [nace]):
        if "pattern" in option:
            option["pattern"] = r"^(\d{2}(\.\d{1,2})?|\d{4,5})$"
    return schema
