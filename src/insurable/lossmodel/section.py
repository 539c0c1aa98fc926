"""The loss model's section of an assessment: its figures under the terms the assessment offers.

The seam between underwriting and the loss model: the composition step (and the fix-path, for the
expected retained loss of each step) calls these two functions and nothing else of the loss model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insurable.catalog.loader import Catalog
from insurable.profile import Organisation

if TYPE_CHECKING:
    from insurable.underwriting.model import Assessment


def loss_section(
    org: Organisation, catalog: Catalog, assessment: Assessment, *, trials: int, seed: int | None = None
) -> dict[str, Any]:
    """The loss model's figures under the offered terms, and how the two premiums compare."""
    from insurable.lossmodel.organisation import DEFAULT_SEED, simulate_organisation

    report = simulate_organisation(
        org,
        catalog,
        trials=trials,
        seed=DEFAULT_SEED if seed is None else seed,
        deductible_eur=assessment.deductible_eur,
        capacity_eur=assessment.max_limit_eur,
        capacity_source=assessment.guideline,
    )
    section: dict[str, Any] = report.summary().model_dump(mode="json")
    technical = report.technical_premium.premium if report.technical_premium else None
    indicative = assessment.premium.point_eur if assessment.premium else None
    if technical is not None and indicative:
        section["technical_to_indicative_ratio"] = round(technical / indicative, 3)
    section["quantiles"] = report.quantiles
    section["deductible_options"] = [o.model_dump(mode="json") for o in report.deductible_options]
    return section


def expected_retained_loss(
    org: Organisation, catalog: Catalog, assessment: Assessment, *, trials: int, seed: int | None = None
) -> float:
    """The mean annual loss the firm keeps under the offered terms (same seed: comparable across fixes)."""
    section = loss_section(org, catalog, assessment, trials=trials, seed=seed)
    return float(section["retained_mean"])
