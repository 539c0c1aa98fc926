"""A book of insureds, compiled once into flat arrays the block kernel reads (as OasisLMF's fmpy
compiles its financial structure once). Pure and typed.

Each insured carries:

- its own (idiosyncratic) cyber events: a compound Poisson with the loss model's yearly frequency
  and a lognormal event severity with the loss model's mean event loss (every part: both ransomware
  parts and downtime), under the policy deductible and occurrence limit;
- for a systemic *compromise* (MSP, VPN, worm): one ransomware event of its own, the non-BI part
  lognormal as the loss model's ransomware body, the downtime as hours x loss per hour;
- its terms (:class:`~insurable.terms.Terms`, the one model): deductible, occurrence and aggregate
  limit, and per BI coverage the waiting period (hours), indemnity period, coinsurance, annual
  sublimit and whether the waiting period replaces the deductible;
- its dependency footprint: one vendor per category (``systemic.yaml``), from its ``q.vendor.*``
  answers or OED fields.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from insurable.catalog.header import Frozen
from insurable.errors import InputError, Problem
from insurable.portfolio.catalog import SystemicFile
from insurable.terms import Terms

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog
    from insurable.profile import Organisation

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

__all__ = ["BI_COVERAGES", "Book", "Insured", "LossParams", "book_from_insureds", "insured_from_organisation"]

#: The two interruption coverages a systemic scenario can fall under, in kernel order.
BI_COVERAGES: tuple[str, str] = ("cov.business_interruption", "cov.contingent_bi")
RANSOMWARE = "peril.ransomware_extortion"


class LossParams(Frozen):
    """An insured's loss parameters, compiled from the loss model (or given in an OED/JSON book)."""

    frequency: float = Field(ge=0, description="own cyber events per year (every catalogue peril)")
    event_mean_eur: float = Field(gt=0, description="mean ground-up loss of one own event, every part")
    event_sigma: float = Field(gt=0, le=5, description="log-sd of the own event's lognormal severity (its body)")
    event_tail_quantile: float | None = Field(
        default=None,
        gt=0.5,
        lt=1,
        description="own event: the body's quantile above which a generalised Pareto tail takes over, as in the "
        "loss model's perils (none: a lognormal throughout)",
    )
    event_tail_shape: float = Field(default=0.0, ge=0, lt=1, description="own event: the Pareto tail's shape xi")
    compromise_median_eur: float = Field(gt=0, description="ransomware event: median of the non-BI part")
    compromise_sigma: float = Field(gt=0, le=5)
    compromise_tail_quantile: float | None = Field(
        default=None,
        gt=0.5,
        lt=1,
        description="ransomware event: the non-BI part's quantile above which a Pareto tail takes over (none: "
        "lognormal)",
    )
    compromise_tail_shape: float = Field(default=0.0, ge=0, lt=1, description="ransomware event: its tail's shape xi")
    downtime_median_hours: float = Field(ge=0, description="ransomware event: median hours of interruption")
    downtime_sigma: float = Field(ge=0, le=5)
    hourly_rate_eur: float = Field(ge=0, description="BI loss per clock hour (turnover x gross-profit share / 8,760)")

    @model_validator(mode="after")
    def _shape_needs_a_splice_point(self) -> LossParams:
        for part in ("event", "compromise"):
            if getattr(self, f"{part}_tail_shape") > 0 and getattr(self, f"{part}_tail_quantile") is None:
                raise PydanticCustomError(
                    "tail_without_quantile",
                    f"{part}_tail_shape needs {part}_tail_quantile (the quantile where the tail starts)",
                )
        return self


class Insured(Frozen):
    """One insured of a book: identity, loss parameters, terms and dependency footprint."""

    id: str = Field(min_length=1)
    name: str | None = None
    annual_turnover_eur: float | None = Field(default=None, ge=0)
    loss: LossParams
    terms: Terms
    vendors: dict[str, str] = Field(default_factory=dict, description="category id -> vendor id")


@dataclass(frozen=True)
class Book:
    """N insureds as flat arrays (kernel input) plus their footprint by vendor category."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    freq: F64
    mu: F64
    sigma: F64
    tail_z: F64  # the own event's splice point as a standard-normal quantile; inf: lognormal throughout
    tail_xi: F64  # the own event's GPD tail shape
    comp_mu: F64
    comp_sigma: F64
    comp_tail_z: F64  # the non-BI part's splice point; inf: lognormal throughout
    comp_tail_xi: F64
    down_mu: F64  # ln(median hours); -inf: no downtime
    down_sigma: F64
    rate: F64
    deductible: F64
    occurrence_limit: F64
    aggregate_limit: F64
    other_share: F64  # share of a non-BI loss the policy pays (coinsurance, exclusions)
    wait: F64  # (2, N) clock hours
    indemnity: F64  # (2, N) clock hours; inf: none
    bi_share: F64  # (2, N)
    sublimit: F64  # (2, N) annual; inf: none
    bi_deductible: F64  # (2, N) 1.0: the policy deductible applies to this coverage's part
    vendors: Mapping[str, tuple[str | None, ...]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.ids)

    def vendor_members(self, category: str) -> dict[str, I64]:
        """Per vendor of a category, the sorted indices of the insureds that depend on it."""
        column = self.vendors.get(category, ())
        members: dict[str, list[int]] = {}
        for i, v in enumerate(column):
            if v is not None:
                members.setdefault(v, []).append(i)
        return {v: np.asarray(ix, dtype=np.int64) for v, ix in sorted(members.items())}


def _terms_arrays(terms: Terms) -> tuple[float, float, float, float, list[tuple[float, float, float, float, float]]]:
    ded = terms.deductible_eur
    occ = terms.limit_eur if terms.limit_eur is not None else math.inf
    agg = terms.aggregate if terms.aggregate is not None else math.inf
    other = 1.0
    bi: list[tuple[float, float, float, float, float]] = []
    for cov in BI_COVERAGES:
        t = terms.coverage(cov)
        if t is None:
            bi.append((0.0, math.inf, 1.0, math.inf, 1.0))
            continue
        bi.append(
            (
                t.waiting_period_hours,
                t.indemnity_period_days * 24.0 if t.indemnity_period_days is not None else math.inf,
                (1.0 - t.coinsurance) if t.covered else 0.0,
                t.sublimit_eur if t.sublimit_eur is not None else math.inf,
                0.0 if t.waiting_period_replaces_deductible else 1.0,
            )
        )
    for cov in ("cov.extortion", "cov.data_restoration", "cov.incident_response"):
        t = terms.coverage(cov)
        if t is not None and not t.covered:
            other = min(other, 0.0)
        elif t is not None:
            other = min(other, 1.0 - t.coinsurance)
    return ded, occ, agg, other, bi


def own_severity(p: LossParams) -> tuple[float, float, float]:
    """The own event's severity as the loss model's spliced form (lognormal body, generalised Pareto
    tail above a body quantile, :class:`insurable.lossmodel.severity.Spliced`): (mu, z_t, xi), mu
    such that its mean is ``event_mean_eur``. Without a tail quantile: the lognormal of that mean."""
    from insurable.lossmodel.severity import Spliced

    if p.event_tail_quantile is None:
        return math.log(p.event_mean_eur) - p.event_sigma**2 / 2, math.inf, 0.0
    unit = Spliced.from_quantile(0.0, p.event_sigma, p.event_tail_quantile, p.event_tail_shape)
    return math.log(p.event_mean_eur) - math.log(unit.mean()), unit.z_t, p.event_tail_shape


def book_from_insureds(insureds: Sequence[Insured], systemic: SystemicFile) -> Book:
    """Compile insureds into a :class:`Book`; raise :class:`InputError` naming every bad insured."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for k, ins in enumerate(insureds):
        if ins.id in seen:
            problems.append(Problem(f"insureds[{k}].id", f"duplicate id {ins.id!r}"))
        seen.add(ins.id)
        unknown = sorted(set(ins.vendors) - {c.id for c in systemic.categories})
        if unknown:
            problems.append(Problem(f"insureds[{k}].vendors", f"unknown vendor categories: {', '.join(unknown)}"))
    if not insureds:
        problems.append(Problem("insureds", "a book needs at least one insured"))
    if problems:
        raise InputError(problems)
    n = len(insureds)
    arr = {k: np.zeros(n) for k in ("freq", "mu", "sigma", "comp_mu", "comp_sigma", "down_mu", "down_sigma")}
    arr |= {"tail_z": np.full(n, math.inf), "tail_xi": np.zeros(n)}
    arr |= {"comp_tail_z": np.full(n, math.inf), "comp_tail_xi": np.zeros(n)}
    arr |= {k: np.zeros(n) for k in ("rate", "deductible", "occurrence_limit", "aggregate_limit", "other_share")}
    two = {k: np.zeros((2, n)) for k in ("wait", "indemnity", "bi_share", "sublimit", "bi_deductible")}
    for i, ins in enumerate(insureds):
        p = ins.loss
        arr["freq"][i] = p.frequency
        arr["sigma"][i] = p.event_sigma
        arr["mu"][i], arr["tail_z"][i], arr["tail_xi"][i] = own_severity(p)
        arr["comp_mu"][i] = math.log(p.compromise_median_eur)
        arr["comp_sigma"][i] = p.compromise_sigma
        if p.compromise_tail_quantile is not None:
            arr["comp_tail_z"][i] = NormalDist().inv_cdf(p.compromise_tail_quantile)
            arr["comp_tail_xi"][i] = p.compromise_tail_shape
        arr["down_mu"][i] = math.log(p.downtime_median_hours) if p.downtime_median_hours > 0 else -math.inf
        arr["down_sigma"][i] = p.downtime_sigma
        arr["rate"][i] = p.hourly_rate_eur
        ded, occ, agg, other, bi = _terms_arrays(ins.terms)
        arr["deductible"][i], arr["occurrence_limit"][i], arr["aggregate_limit"][i] = ded, occ, agg
        arr["other_share"][i] = other
        for k, (w, ind, share, sub, applies) in enumerate(bi):
            two["wait"][k, i], two["indemnity"][k, i], two["bi_share"][k, i] = w, ind, share
            two["sublimit"][k, i], two["bi_deductible"][k, i] = sub, applies
    vendors: dict[str, tuple[str | None, ...]] = {}
    for cat in systemic.categories:
        column: list[str | None] = []
        for ins in insureds:
            v = ins.vendors.get(cat.id)
            column.append(None if v is None or v in ("", *cat.not_shared) else _vendor_key(v))
        vendors[cat.id] = tuple(column)
    return Book(
        ids=tuple(i.id for i in insureds),
        names=tuple(i.name or i.id for i in insureds),
        **arr,
        **two,
        vendors=vendors,
    )


def _vendor_key(value: str) -> str:
    """Free-text vendors (an MSP's name) join on a normalised key: case and spacing do not matter."""
    return " ".join(str(value).split()).casefold()


def vendors_from_answers(answers: Mapping[str, Any], systemic: SystemicFile) -> dict[str, str]:
    """The footprint from ``q.vendor.*`` answers (questionnaire 2.0)."""
    out: dict[str, str] = {}
    for cat in systemic.categories:
        value = answers.get(cat.question)
        if isinstance(value, str) and value.strip():
            out[cat.id] = value.strip()
    return out


def _blended_tail(mains: Sequence[Any], weights: Sequence[float]) -> tuple[float | None, float]:
    """One tail for the blend of the perils' own events: the tail shape and the splice quantile of
    the perils' main severities, each weighted by the peril's expected loss (frequency x event mean;
    a peril without a tail counts with shape 0 and splices nowhere). None when no peril has a tail."""
    from insurable.lossmodel.severity import upper_normal

    tailed = [(w, m) for w, m in zip(weights, mains, strict=True) if m.has_tail and w > 0]
    total = sum(weights)
    if not tailed or total <= 0:
        return None, 0.0
    xi = sum(w * m.xi for w, m in tailed) / total
    quantile = sum(w * (1.0 - upper_normal(m.z_t)) for w, m in tailed) / sum(w for w, _ in tailed)
    return min(max(quantile, 0.5 + 1e-9), 1 - 1e-9), min(xi, 0.99)


def loss_params(org: Organisation, catalog: Catalog) -> LossParams:
    """An organisation's loss parameters from the loss model's catalogue perils (closed forms)."""
    from insurable.lossmodel.organisation import (
        coverage_order,
        downtime_mean,
        event_mean,
        hazard_multiplier,
        organisation_perils,
        perils_file,
    )
    from insurable.lossmodel.severity import upper_normal
    from insurable.lossmodel.terms import hourly_rate

    if org.annual_turnover_eur is None or org.annual_turnover_eur <= 0:
        raise InputError([Problem("annual_turnover_eur", "required (> 0) for the portfolio model")])
    model = perils_file(catalog)
    coverage_ids = coverage_order(catalog, model)
    mult, why = hazard_multiplier(org, catalog, model)
    perils, _, mains, seconds = organisation_perils(org, model, coverage_ids, mult, why)
    assert perils.theft_p is not None and perils.bi_mu is not None and perils.bi_sigma is not None
    means = [
        event_mean(mains[p], seconds[p], float(perils.theft_p[p]), downtime_mean(perils, p)) for p in range(len(mains))
    ]
    freq = float(perils.mean.sum())
    mean_event = float(np.dot(perils.mean, means) / freq) if freq > 0 else means[0]
    sigma = float(np.dot(perils.mean, perils.sigma) / freq) if freq > 0 else float(perils.sigma[0])
    tail_q, tail_xi = _blended_tail(mains, [float(f) * m for f, m in zip(perils.mean, means, strict=True)])
    r = perils.ids.index(RANSOMWARE) if RANSOMWARE in perils.ids else 0
    rate = hourly_rate(org.annual_turnover_eur, model.business_interruption)
    down_median = (
        math.exp(perils.bi_mu[r]) / rate if rate > 0 and perils.bi_cov is not None and perils.bi_cov[r] >= 0 else 0.0
    )
    return LossParams(
        frequency=freq,
        event_mean_eur=mean_event,
        event_sigma=min(max(sigma, 0.1), 5.0),
        event_tail_quantile=tail_q,
        event_tail_shape=tail_xi,
        compromise_median_eur=mains[r].median(),
        compromise_sigma=mains[r].sigma,
        compromise_tail_quantile=1.0 - upper_normal(mains[r].z_t) if mains[r].has_tail else None,
        compromise_tail_shape=mains[r].xi if mains[r].has_tail else 0.0,
        downtime_median_hours=down_median,
        downtime_sigma=float(perils.bi_sigma[r]),
        hourly_rate_eur=rate,
    )


def insured_from_organisation(
    org: Organisation, catalog: Catalog, systemic: SystemicFile, *, insured_id: str, terms: Terms | None = None
) -> Insured:
    """One insured from an organisation profile: loss parameters from the loss model, the terms
    offered (or requested / the catalogue's defaults), the footprint from its answers."""
    from insurable.lossmodel.organisation import requested_terms

    return Insured(
        id=insured_id,
        name=org.name,
        annual_turnover_eur=org.annual_turnover_eur,
        loss=loss_params(org, catalog),
        terms=terms if terms is not None else requested_terms(org, catalog, None, None),
        vendors=vendors_from_answers(org.answers, systemic),
    )
