"""Portfolio metrics from a run: AEP/OEP, PML and TVaR by return period, Euler (contributory TVaR)
allocation to scenarios and insureds, vendor concentration and single points of failure. Pure.

Conventions as :mod:`insurable.lossmodel.metrics`: with Y years and return period T, k =
max(1, floor(Y / T)); PML_T (the AEP or OEP quantile) is the k-th largest annual (or largest
occurrence) loss and TVaR_T the mean of the k largest annual losses. The Euler contribution of a
part (a scenario, an insured) to TVaR_T is its mean loss over those same k years, so the parts
sum to TVaR_T exactly (contributory TVaR is the Euler allocation of TVaR).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from insurable.catalog.header import Frozen
from insurable.portfolio.book import Book
from insurable.portfolio.engine import RunResult

__all__ = [
    "CURVE_RETURN_PERIODS",
    "Contribution",
    "EPPoint",
    "PortfolioReport",
    "SharedVendor",
    "VendorConcentration",
    "report",
    "tail_years",
]

CURVE_RETURN_PERIODS: tuple[int, ...] = (2, 5, 10, 25, 50, 100, 200, 250, 500, 1000)
OWN = "own"


class EPPoint(Frozen):
    return_period: float
    aep: float = Field(description="annual aggregate loss exceeded once in return_period years (PML)")
    oep: float = Field(description="largest single occurrence exceeded once in return_period years")
    tvar: float = Field(description="mean of the annual losses at or above the AEP point")


class Contribution(Frozen):
    id: str
    name: str | None = None
    aal: float = Field(description="average annual loss to the book (net of terms)")
    tvar: float = Field(description="Euler contribution to TVaR at the report's return period")
    share: float = Field(description="share of the book's TVaR")


class VendorConcentration(Frozen):
    category: str
    vendor: str
    insureds: int
    share_of_book: float
    aggregate_limit_eur: float = Field(description="sum of the finite aggregate limits exposed")
    aal: float = Field(description="average annual net loss of this vendor's systemic events")
    largest_event: float
    events: int


class SharedVendor(Frozen):
    """A single point of failure: clients that all depend on one vendor."""

    category: str
    vendor: str
    clients: tuple[str, ...]
    aggregate_limit_eur: float


class PortfolioReport(Frozen):
    """A portfolio run's results (indicative; JSON-serialisable)."""

    insureds: int
    years: int
    seed: int
    block_years: int
    scheduler: str
    return_period: float
    aal_gross: float
    aal_net: float
    std_net: float
    pml: float
    tvar: float
    curve: tuple[EPPoint, ...]
    scenarios: tuple[Contribution, ...]
    insureds_top: tuple[Contribution, ...] = Field(description="the largest TVaR contributors")
    concentration: tuple[VendorConcentration, ...]
    single_points_of_failure: tuple[SharedVendor, ...]
    indicative: bool = True


def tail_years(net: NDArray[np.float64], return_period: float) -> NDArray[np.int64]:
    """The k = max(1, floor(Y/T)) worst years (ties broken by year index), ascending."""
    k = max(1, min(int(net.shape[0] // return_period), net.shape[0]))
    order = np.lexsort((np.arange(net.shape[0]), -net))
    return np.sort(order[:k]).astype(np.int64)


def _kth(values: NDArray[np.float64], k: int) -> float:
    if k > values.shape[0]:
        return 0.0
    return float(np.partition(values, values.shape[0] - k)[values.shape[0] - k])


def ep_curve(result: RunResult, periods: tuple[float, ...] = CURVE_RETURN_PERIODS) -> tuple[EPPoint, ...]:
    y = result.years
    desc = np.sort(result.net)[::-1]
    csum = np.cumsum(desc)
    occ = np.sort(result.max_occurrence)[::-1]
    out = []
    for t in periods:
        if t > y:
            continue
        k = max(1, int(y // t))
        out.append(EPPoint(return_period=t, aep=float(desc[k - 1]), oep=float(occ[k - 1]), tvar=float(csum[k - 1] / k)))
    return tuple(out)


def concentration(result: RunResult, book: Book) -> tuple[VendorConcentration, ...]:
    """Per (category, vendor): exposed insureds and limits, and the modelled loss of its events."""
    ev = result.events
    by: dict[tuple[str, str], dict[str, Any]] = {}
    finite_agg = np.where(np.isfinite(book.aggregate_limit), book.aggregate_limit, 0.0)
    for category in book.vendors:
        for vendor, members in book.vendor_members(category).items():
            by[(category, vendor)] = {
                "insureds": int(members.size),
                "agg": float(finite_agg[members].sum()),
                "sum": 0.0,
                "max": 0.0,
                "events": 0,
            }
    for m, instance in enumerate(result.instances):
        if instance.category is None or instance.vendor is None:
            continue
        d = by[(instance.category, instance.vendor)]
        d["sum"] += float(ev["net"][m])
        d["max"] = max(d["max"], float(ev["max"][m]))
        d["events"] += int(ev["count"][m])
    n = max(book.size, 1)
    rows = [
        VendorConcentration(
            category=c,
            vendor=v,
            insureds=d["insureds"],
            share_of_book=d["insureds"] / n,
            aggregate_limit_eur=d["agg"],
            aal=d["sum"] / result.years,
            largest_event=d["max"],
            events=d["events"],
        )
        for (c, v), d in by.items()
    ]
    return tuple(sorted(rows, key=lambda r: (-r.aal, -r.insureds, r.category, r.vendor)))


def single_points_of_failure(book: Book, minimum: int = 2) -> tuple[SharedVendor, ...]:
    """For a broker: every vendor that ``minimum`` or more clients depend on, largest first."""
    finite_agg = np.where(np.isfinite(book.aggregate_limit), book.aggregate_limit, 0.0)
    out = [
        SharedVendor(
            category=category,
            vendor=vendor,
            clients=tuple(book.ids[i] for i in members),
            aggregate_limit_eur=float(finite_agg[members].sum()),
        )
        for category in book.vendors
        for vendor, members in book.vendor_members(category).items()
        if members.size >= minimum
    ]
    return tuple(sorted(out, key=lambda s: (-len(s.clients), -s.aggregate_limit_eur, s.category, s.vendor)))


def report(
    result: RunResult,
    book: Book,
    *,
    return_period: float = 200,
    insured_tail: NDArray[np.float64] | None = None,
    top: int = 20,
) -> PortfolioReport:
    """The report of a run. ``insured_tail``: each insured's loss summed over :func:`tail_years`
    (:func:`insurable.portfolio.engine.tail_contributions`); without it no insured contributions."""
    y = result.years
    tails = tail_years(result.net, return_period)
    k = tails.shape[0]
    tvar = float(result.net[tails].sum() / k)
    total = tvar if tvar > 0 else 1.0
    ids = (OWN, *result.scenario_ids)
    scen = tuple(
        Contribution(
            id=sid,
            aal=float(result.by_source[:, s].sum() / y),
            tvar=float(result.by_source[tails, s].sum() / k),
            share=float(result.by_source[tails, s].sum() / k / total),
        )
        for s, sid in enumerate(ids)
    )
    ins: tuple[Contribution, ...] = ()
    if insured_tail is not None:
        order = np.lexsort((np.arange(book.size), -insured_tail))[:top]
        ins = tuple(
            Contribution(
                id=book.ids[i],
                name=book.names[i],
                aal=float(result.insured_sum[i] / y),
                tvar=float(insured_tail[i] / k),
                share=float(insured_tail[i] / k / total),
            )
            for i in order
        )
    return PortfolioReport(
        insureds=book.size,
        years=y,
        seed=result.seed,
        block_years=result.block_years,
        scheduler=result.scheduler,
        return_period=return_period,
        aal_gross=float(result.gross.mean()),
        aal_net=float(result.net.mean()),
        std_net=float(result.net.std()),
        pml=_kth(result.net, k),
        tvar=tvar,
        curve=ep_curve(result),
        scenarios=scen,
        insureds_top=ins,
        concentration=concentration(result, book),
        single_points_of_failure=single_points_of_failure(book),
    )
