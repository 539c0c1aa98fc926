"""Why the technical and the factor premium differ: the rating's factors against the model's.

The factor premium is base x hazard x control modifiers x limit factor x deductible factor; the
loss model implies each of those factors too (its technical premium with and without the thing the
factor prices). Side by side they show which factor drives a gap. Each model factor is a ratio of
two technical premiums from the same seed; the residual is what the turnover bands and the minimum
premium leave.
"""

from __future__ import annotations

import math
from typing import Any

from insurable.catalog.loader import Catalog
from insurable.catalog.perils import PerilsFile
from insurable.lossmodel.report import LossReport
from insurable.profile import Organisation


def _step(assessment: Any, name: str) -> float | None:
    for step in getattr(assessment, "rating", ()):
        if step.name == name:
            return float(step.value)
    return None


def _records_modifiers(assessment: Any) -> float:
    """The product of the rating modifiers that read the records held."""
    product = 1.0
    for m in getattr(assessment, "modifiers", ()):
        if any(f.id == "records_held" for f in m.facts) and m.factor:
            product *= m.factor
    return product


def explain_gap(
    org: Organisation, catalog: Catalog, assessment: Any, report: LossReport, *, trials: int, seed: int
) -> list[dict[str, Any]]:
    """Rating factor against model factor for hazard, controls, records held, limit and deductible,
    largest gap first. ``report`` is the simulation under the offered terms."""
    from insurable.lossmodel.section import simulate_assessment

    model = catalog.get("perils.yaml", PerilsFile)
    base_tp = report.requested_limit_premium()
    if base_tp is None or base_tp <= 0:
        return []

    def tp(changed: Organisation, **options: Any) -> float:
        other = simulate_assessment(changed, catalog, assessment, trials=trials, seed=seed, **options)
        value = other.requested_limit_premium()
        return value if value else math.nan

    rows: list[dict[str, Any]] = []
    reference = model.hazard_multiplier("medium", 1)[0]
    hazard = _step(assessment, "hazard_factor")
    if hazard is not None:
        medium = tp(org, hazard=(reference.hazard_class, reference.rank))
        rows.append(_row("hazard_class", base_tp / medium, hazard))
    records_rating = _records_modifiers(assessment)
    controls = _step(assessment, "control_modifiers")
    if controls is not None:
        bare = tp(org.model_copy(update={"answers": {}}))
        rows.append(_row("controls_and_exposures", base_tp / bare, controls / records_rating))
    if org.records_held:
        plain = tp(org.model_copy(update={"records_held": int(model.size.records)}))
        rows.append(_row("records_held", base_tp / plain, records_rating))
    limits = {o.limit: o.technical_premium for o in report.limit_options}
    ilf = _step(assessment, "limit_factor")
    one_m = limits.get(1_000_000.0)
    if ilf is not None and one_m:
        rows.append(_row("limit", base_tp / one_m, ilf))
    deductibles = {d.deductible: d.technical_premium for d in report.deductible_options}
    ded = _step(assessment, "deductible_factor")
    at_10k, at_d = deductibles.get(10_000.0), deductibles.get(report.terms.deductible)
    if ded is not None and at_10k and at_d:
        rows.append(_row("deductible", at_d / at_10k, ded))
    rows.sort(key=lambda r: -abs(math.log(r["model_over_rating"])) if r["model_over_rating"] > 0 else 0)
    return rows


def _row(name: str, model_factor: float, rating_factor: float) -> dict[str, Any]:
    ratio = model_factor / rating_factor if rating_factor else math.nan
    return {
        "factor": name,
        "model": round(model_factor, 4),
        "rating": round(rating_factor, 4),
        "model_over_rating": round(ratio, 4),
    }
