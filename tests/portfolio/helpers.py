"""Small books with known answers."""

from __future__ import annotations

from insurable.portfolio.book import Insured, LossParams
from insurable.portfolio.catalog import SystemicFile
from insurable.terms import CoverageTerms, Terms


def plain_insured(i: int, *, frequency: float = 0.0, vendor: str | None = None, **terms: float | None) -> Insured:
    """An insured with no waiting period, no deductible and no limits unless given."""
    return Insured(
        id=f"i{i:03d}",
        loss=LossParams(
            frequency=frequency,
            event_mean_eur=50_000,
            event_sigma=1.0,
            compromise_median_eur=20_000,
            compromise_sigma=1.0,
            downtime_median_hours=0,
            downtime_sigma=0,
            hourly_rate_eur=1_000,
        ),
        terms=Terms(
            deductible_eur=terms.get("deductible_eur") or 0.0,
            limit_eur=terms.get("limit_eur"),
            aggregate_limit_eur=terms.get("aggregate_limit_eur"),
            coverages=(
                CoverageTerms(coverage="cov.contingent_bi"),
                CoverageTerms(coverage="cov.business_interruption"),
            ),
        ),
        vendors={"cloud": vendor} if vendor else {},
    )


def one_scenario(base: SystemicFile, **scenario: object) -> SystemicFile:
    """The packaged categories with a single outage scenario."""
    data = {
        "id": "sys.test",
        "name": {"nl": "Test", "en": "Test"},
        "description": {"nl": "Test", "en": "Test"},
        "category": "cloud",
        "frequency": 0.5,
        "hit_share": {"alpha": 2.0, "beta": 3.0},
        "loss": "outage",
        "coverage": "cov.contingent_bi",
        "duration": {"median_hours": 10.0, "sigma": 0.8, "insured_sigma": 0.0},
        "sources": ["insurable-assumption"],
    } | scenario
    return SystemicFile.model_validate(
        {
            "header": base.header.model_dump(),
            "categories": [c.model_dump() for c in base.categories],
            "scenarios": [data],
        }
    )
