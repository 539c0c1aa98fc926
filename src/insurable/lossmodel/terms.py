"""Compile policy terms (data) into kernel arrays, and the pricing arithmetic on insured losses."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from insurable.catalog.perils import BusinessInterruption, Pricing
from insurable.lossmodel.arrays import TermArrays
from insurable.lossmodel.report import CoverageTermsUsed, TechnicalPremium, TermsUsed
from insurable.terms import Terms

BI_COVERAGES = frozenset({"cov.business_interruption", "cov.contingent_bi"})


def hourly_rate(turnover_eur: float, bi: BusinessInterruption) -> float:
    """BI loss per clock hour of outage: turnover x gross-profit share / 8,760 hours. Waiting and
    indemnity periods are stated in clock hours and days, so they convert at this rate."""
    return turnover_eur * bi.gross_profit_share / bi.hours_per_year


def compile_terms(
    coverage_ids: Sequence[str],
    terms: Terms,
    *,
    rate_per_hour: float | None,
) -> tuple[TermArrays, TermsUsed]:
    """One term set over ``coverage_ids`` from the shared :class:`~insurable.terms.Terms`. A BI
    coverage's waiting and indemnity periods become money through ``rate_per_hour`` (per clock
    hour); without a rate they are ignored (and reported as such)."""
    n = len(coverage_ids)
    cov_deductible = np.zeros((1, n))
    sublimit = np.full((1, n), math.inf)
    wait = np.zeros((1, n))
    cap = np.full((1, n), math.inf)
    share = np.ones((1, n))
    applies = np.ones((1, n))
    used: list[CoverageTermsUsed] = []
    for c, cov in enumerate(coverage_ids):
        t = terms.coverage(cov)
        if t is None:
            continue
        cov_deductible[0, c] = t.retention_eur
        sublimit[0, c] = t.sublimit_eur if t.sublimit_eur is not None else math.inf
        share[0, c] = (1.0 - t.coinsurance) if t.covered else 0.0
        timed = rate_per_hour is not None and cov in BI_COVERAGES
        if timed and rate_per_hour is not None:
            wait[0, c] = t.waiting_period_hours * rate_per_hour
            if t.indemnity_period_days is not None:
                cap[0, c] = t.indemnity_period_days * 24.0 * rate_per_hour
            if t.waiting_period_replaces_deductible:
                applies[0, c] = 0.0
        used.append(
            CoverageTermsUsed(
                coverage=cov,
                covered=t.covered,
                deductible=t.retention_eur,
                sublimit=t.sublimit_eur,
                coinsurance=t.coinsurance,
                waiting_period_hours=t.waiting_period_hours if timed else 0.0,
                waiting_period_replaces_deductible=bool(timed and t.waiting_period_replaces_deductible),
                indemnity_period_days=t.indemnity_period_days if timed else None,
                rules=t.rules,
            )
        )
    aggregate = terms.aggregate
    arrays = TermArrays(
        deductible=np.array([terms.deductible_eur], dtype=np.float64),
        occurrence_limit=np.array([terms.limit_eur if terms.limit_eur is not None else math.inf]),
        aggregate_limit=np.array([aggregate if aggregate is not None else math.inf]),
        cov_deductible=cov_deductible,
        sublimit=sublimit,
        wait=wait,
        cap=cap,
        share=share,
        ded_applies=applies,
    )
    summary = TermsUsed(
        deductible=terms.deductible_eur,
        limit=terms.limit_eur,
        aggregate_limit=aggregate,
        bi_hourly_rate=rate_per_hour,
        origin=terms.origin,
        excluded=terms.excluded(),
        coverages=tuple(used),
    )
    return arrays, summary


def with_deductible(terms: TermArrays, deductible: float, unlimited: bool) -> TermArrays:
    """A copy of a one-set TermArrays with another policy deductible (and no policy limits)."""
    return TermArrays(
        deductible=np.array([deductible], dtype=np.float64),
        occurrence_limit=np.array([math.inf]) if unlimited else terms.occurrence_limit.copy(),
        aggregate_limit=np.array([math.inf]) if unlimited else terms.aggregate_limit.copy(),
        cov_deductible=terms.cov_deductible.copy(),
        sublimit=terms.sublimit.copy(),
        wait=terms.wait.copy(),
        cap=terms.cap.copy(),
        share=terms.share.copy(),
        ded_applies=terms.applies.copy(),
    )


def technical_premium(expected_insured_loss: float, pricing: Pricing, std: float = 0.0) -> TechnicalPremium:
    """(Expected insured loss + risk load) / target loss ratio + expense load; risk load =
    ``risk_load_per_std`` x the standard deviation of the annual insured loss."""
    risk_load = pricing.risk_load_per_std * std
    return TechnicalPremium(
        expected_insured_loss=expected_insured_loss,
        risk_load=risk_load,
        target_loss_ratio=pricing.target_loss_ratio,
        expense_load=pricing.expense_load_eur,
        premium=(expected_insured_loss + risk_load) / pricing.target_loss_ratio + pricing.expense_load_eur,
        sources=pricing.sources,
    )


def layer_loss(unlimited: NDArray[np.float64], attachment: float, width: float) -> NDArray[np.float64]:
    """Annual loss to a layer ``width`` xs ``attachment`` of an annual (unlimited) insured loss."""
    return np.minimum(np.maximum(unlimited - attachment, 0.0), width)
