"""Model against anchor: the calibration report behind ``insurable calibrate``.

Every anchor of ``anchors.yaml`` names a metric; this module computes it for the reference
organisation of ``perils.yaml`` (EUR 10M turnover, 50 staff, 10,000 records, medium hazard class,
no answers: controls at the insured average), or for the profile the anchor gives. Frequencies,
severities and downtime are closed forms (:mod:`insurable.lossmodel.severity`); limit factors and
premiums are simulated with a fixed seed, so the report is reproducible.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field

from insurable.catalog.anchors import Anchor, AnchorsFile
from insurable.catalog.header import Frozen
from insurable.catalog.loader import Catalog
from insurable.catalog.perils import PerilsFile
from insurable.lossmodel.organisation import (
    coverage_order,
    downtime_mean,
    event_mean,
    organisation_perils,
    simulate_organisation,
)
from insurable.lossmodel.severity import Spliced
from insurable.lossmodel.terms import hourly_rate
from insurable.profile import Organisation
from insurable.text import Text

#: The class the reference organisation of perils.yaml stands in.
REFERENCE_CLASS = ("medium", 1)
CALIBRATION_TRIALS = 400_000
CALIBRATION_SEED = 20261201
#: Limit factors compare layers above EUR 1M, which rest on the thinly sampled tail: at 400,000
#: trial-years their ratio moves about 3 % between seeds, at 5,000,000 under 1 % (about a second).
TAIL_TRIALS = 5_000_000
TAIL_METRICS = ("limit_factor", "premium_limit_factor")


class CalibrationRow(Frozen):
    id: str
    metric: str
    description: Text
    unit: str
    anchor: float
    as_reported: str
    model: float
    ratio: float = Field(description="model / anchor")
    tolerance: tuple[float, float]
    within: bool
    us_figure: bool
    sources: tuple[str, ...]
    note: Text | None = None


def reference_org(model: PerilsFile, **fields: Any) -> Organisation:
    size = model.size
    base: dict[str, Any] = {
        "name": "Reference organisation",
        "annual_turnover_eur": size.turnover_eur,
        "employees": size.employees,
        "records_held": int(size.records),
    }
    return Organisation.model_validate({**base, **fields})


class _Closed:
    """Closed-form frequencies and severities of one organisation."""

    def __init__(self, catalog: Catalog, org: Organisation) -> None:
        model = catalog.get("perils.yaml", PerilsFile)
        mult, why = model.hazard_multiplier(*REFERENCE_CLASS)
        self.org = org
        self.model = model
        self.coverages = coverage_order(catalog, model)
        self.arrays, _, self.mains, self.seconds = organisation_perils(org, model, self.coverages, mult, why)
        self.index = {pid: p for p, pid in enumerate(self.arrays.ids)}

    def _ids(self, perils: tuple[str, ...]) -> list[int]:
        return [self.index[p] for p in perils] if perils else list(range(len(self.arrays.ids)))

    def frequency(self, perils: tuple[str, ...]) -> float:
        return float(sum(self.arrays.mean[p] for p in self._ids(perils)))

    def event_mean(self, p: int) -> float:
        assert self.arrays.theft_p is not None
        return event_mean(self.mains[p], self.seconds[p], float(self.arrays.theft_p[p]), downtime_mean(self.arrays, p))

    def main(self, pid: str) -> Spliced:
        return self.mains[self.index[pid]]

    def mean_severity(self, perils: tuple[str, ...]) -> float:
        ids = self._ids(perils)
        total = sum(float(self.arrays.mean[p]) * self.event_mean(p) for p in ids)
        return total / self.frequency(perils)

    def downtime_days(self, pid: str) -> float:
        """Mean hours of interruption per event, in days (BI loss / loss per hour)."""
        p = self.index[pid]
        assert self.org.annual_turnover_eur is not None
        rate = hourly_rate(self.org.annual_turnover_eur, self.model.business_interruption)
        return downtime_mean(self.arrays, p) / rate / 24.0


def model_value(anchor: Anchor, catalog: Catalog, *, trials: int, seed: int) -> float:
    model = catalog.get("perils.yaml", PerilsFile)
    org = reference_org(model, **anchor.profile)
    closed = _Closed(catalog, org)
    metric = anchor.metric
    if metric == "frequency":
        return closed.frequency(anchor.perils)
    if metric == "event_mean":
        return closed.event_mean(closed.index[anchor.perils[0]])
    if metric == "event_median":
        return closed.main(anchor.perils[0]).median()
    if metric == "event_quantile":
        assert anchor.quantile is not None
        return closed.main(anchor.perils[0]).quantile(anchor.quantile)
    if metric == "mean_severity":
        return closed.mean_severity(anchor.perils)
    if metric == "frequency_ratio":
        base = _Closed(catalog, reference_org(model, **anchor.base_profile))
        return closed.frequency(anchor.perils) / base.frequency(anchor.perils)
    if metric == "downtime_days":
        return closed.downtime_days(anchor.perils[0])
    report = simulate_organisation(
        org,
        catalog,
        trials=trials,
        seed=seed,
        deductible_eur=anchor.deductible_eur,
        limit_eur=anchor.limit_eur,
        hazard=REFERENCE_CLASS,
    )
    options = {o.limit: o for o in report.limit_options}
    if metric in ("limit_factor", "premium_limit_factor"):
        # Both limits are among the report's limit options (the anchor's limit and perils.yaml's).
        assert anchor.limit_eur is not None and anchor.base_limit_eur is not None
        high, low = options[anchor.limit_eur], options[anchor.base_limit_eur]
        if metric == "limit_factor":
            return high.insured_mean / low.insured_mean if low.insured_mean > 0 else math.inf
        assert high.technical_premium is not None and low.technical_premium is not None
        return high.technical_premium / low.technical_premium
    assert report.technical_premium is not None
    return report.technical_premium.premium


def calibration(
    catalog: Catalog, *, trials: int = CALIBRATION_TRIALS, seed: int = CALIBRATION_SEED
) -> tuple[CalibrationRow, ...]:
    """Every anchor of ``anchors.yaml`` beside the model's figure."""
    anchors = catalog.get("anchors.yaml", AnchorsFile)
    rows = []
    for anchor in anchors.anchors:
        n = max(trials, TAIL_TRIALS) if anchor.metric in TAIL_METRICS else trials
        value = model_value(anchor, catalog, trials=n, seed=seed)
        ratio = value / anchor.value
        lo, hi = anchor.tolerance
        rows.append(
            CalibrationRow(
                id=anchor.id,
                metric=anchor.metric,
                description=anchor.description,
                unit=anchor.unit,
                anchor=anchor.value,
                as_reported=anchor.as_reported,
                model=value,
                ratio=ratio,
                tolerance=anchor.tolerance,
                within=lo <= ratio <= hi,
                us_figure=anchor.us_figure,
                sources=anchor.sources,
                note=anchor.note,
            )
        )
    return tuple(rows)
