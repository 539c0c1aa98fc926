"""Read an offer file (YAML or JSON) into :class:`~insurable.offers.model.Offer`, every problem at once.

Amounts may be written as people write them ("EUR 1 mln", "€ 2.500"): every ``*_eur`` field given as
text is read with :func:`insurable.amounts.parse_amount` (``locale: nl|en`` at the top settles an
ambiguous one). Coverage ids must exist in the catalogue, activity ids in its vocabulary and control
ids in its controls, so an offer joins the rest of the data by id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from insurable.amounts import AmountError, parse_amount
from insurable.catalog.loader import Catalog
from insurable.catalog.yamlio import read_yaml_document
from insurable.errors import Problem, problems_from_validation, raise_if
from insurable.offers.model import Offer
from insurable.profile import document_problems

__all__ = ["MAX_OFFER_BYTES", "offer_problems", "parse_offer", "read_offer"]

MAX_OFFER_BYTES = 1_000_000


def _amounts(data: Any, path: str, locale: str | None, problems: list[Problem], file: str | None) -> Any:
    """A copy of ``data`` with every text ``*_eur`` value read as an amount."""
    if isinstance(data, dict):
        out: dict[Any, Any] = {}
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and key.endswith("_eur") and isinstance(value, str):
                try:
                    out[key] = parse_amount(value, locale)
                except AmountError as exc:
                    problems.append(Problem(where, str(exc), file))
                    out[key] = value
            else:
                out[key] = _amounts(value, where, locale, problems, file)
        return out
    if isinstance(data, list):
        return [_amounts(v, f"{path}[{i}]", locale, problems, file) for i, v in enumerate(data)]
    return data


def _references(offer: Offer, catalog: Catalog, file: str | None) -> list[Problem]:
    problems: list[Problem] = []
    coverages = {c.id for c in catalog.coverages.coverages}
    activities = {a.id for a in catalog.vocabulary.activities}
    controls = {c.id for c in catalog.controls.controls}
    for i, section in enumerate(offer.coverages):
        if section.coverage not in coverages:
            problems.append(Problem(f"coverages[{i}].coverage", f"unknown coverage id {section.coverage!r}", file))
    for i, exclusion in enumerate(offer.exclusions):
        for j, cov in enumerate(exclusion.coverages):
            if cov not in coverages:
                problems.append(Problem(f"exclusions[{i}].coverages[{j}]", f"unknown coverage id {cov!r}", file))
    for i, activity in enumerate(offer.insured_activities):
        if activity not in activities:
            problems.append(Problem(f"insured_activities[{i}]", f"unknown activity id {activity!r}", file))
    options = {o.id for q in catalog.questionnaire.questions if q.id.startswith("q.vendor.") for o in (q.options or ())}
    for i, product in enumerate(offer.insurer_tied_vendor_products):
        if product not in options:
            problems.append(Problem(f"insurer_tied_vendor_products[{i}]", f"no q.vendor.* option {product!r}", file))
    for i, control in enumerate(offer.security_conditions):
        if control not in controls:
            problems.append(Problem(f"security_conditions[{i}]", f"unknown control id {control!r}", file))
    for name in offer.clauses:
        top = name.split(".")[0]
        if top not in Offer.model_fields and not any(name == c or name.startswith(c + ".") for c in coverages):
            problems.append(Problem(f"clauses.{name}", "names no offer field or coverage id", file))
    return problems


def offer_problems(data: Any, catalog: Catalog, file: str | None = None) -> tuple[Offer | None, list[Problem]]:
    """Validate parsed data as an offer; return it (or None) and every problem found."""
    if not isinstance(data, dict):
        return None, [Problem("", "an offer is a mapping (insurer, product, limit_eur, ...)", file)]
    problems: list[Problem] = []
    locale = data.pop("locale", None) if isinstance(data.get("locale"), str) else None
    if locale not in (None, "nl", "en"):
        problems.append(Problem("locale", "must be nl or en", file))
        locale = None
    cleaned = _amounts(data, "", locale, problems, file)
    try:
        offer = Offer.model_validate(cleaned)
    except ValidationError as exc:
        seen = {p.path for p in problems}
        problems += [p for p in problems_from_validation(exc, file=file) if p.path not in seen]
        return None, problems
    problems += _references(offer, catalog, file)
    return (offer if not problems else None), problems


def parse_offer(data: Any, catalog: Catalog, file: str | None = None) -> Offer:
    """Validate parsed data as an offer; raise :class:`InputError` with every problem."""
    offer, problems = offer_problems(data, catalog, file)
    raise_if(problems)
    assert offer is not None
    return offer


def read_offer(path: Path, catalog: Catalog) -> Offer:
    """Read and validate an offer file (YAML or JSON), naming file, line and field of each problem."""
    document = read_yaml_document(path, MAX_OFFER_BYTES)
    data = document.data
    offer, problems = offer_problems(dict(data) if isinstance(data, dict) else data, catalog, file=str(path))
    raise_if(document_problems(document, problems, file=str(path)))
    assert offer is not None
    return offer
