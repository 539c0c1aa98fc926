"""Turn an assessment result into the immutable snapshot row the store keeps."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from insurable import __version__
from insurable.catalog.loader import Catalog
from insurable.store.models import Assessment


def cents(result: dict[str, Any], *keys: str) -> int | None:
    """Money in the result as integer cents: the first of ``keys`` holding euros (or ``{eur: ...}``)."""
    for key in keys:
        value = result.get(key)
        if isinstance(value, dict):
            value = next(
                (value[k] for k in ("point_eur", "eur", "amount_eur", "annual_eur", "amount") if k in value), None
            )
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                return int((Decimal(str(value)) * 100).to_integral_value())
            except (InvalidOperation, ValueError):
                continue
    return None


def verdict_of(result: dict[str, Any]) -> str | None:
    verdict = result.get("verdict")
    if isinstance(verdict, dict):
        verdict = verdict.get("outcome") or verdict.get("id") or verdict.get("verdict")
    return str(verdict)[:40] if verdict is not None else None


def snapshot(org_id: int, user_id: int | None, submitted: dict[str, Any], outcome: Any, catalog: Catalog) -> Assessment:
    """The row for one submission: what went in, what came out, and the catalogue versions used."""
    result: dict[str, Any] = outcome if isinstance(outcome, dict) else outcome.model_dump(mode="json")
    return Assessment(
        org_id=org_id,
        submitted_by=user_id,
        verdict=verdict_of(result),
        premium_cents=cents(result, "premium_eur", "premium"),
        deductible_cents=cents(result, "deductible_eur", "deductible"),
        limit_cents=cents(result, "limit_offered_eur", "limit_eur", "limit"),
        catalog_versions=catalog.versions(),
        input=submitted,
        result=result,
        engine_version=__version__,
    )
