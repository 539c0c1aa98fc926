"""Compile policy terms (data) into kernel arrays, and the pricing arithmetic on insured losses."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from insurable.catalog.perils import BusinessInterruption, CoverageTerms, Pricing
from insurable.lossmodel.arrays import TermArrays
from insurable.lossmodel.report import CoverageTermsUsed, TechnicalPremium, TermsUsed

BI_COVERAGES = frozenset({"cov.business_interruption", "cov.contingent_bi"})


def hourly_rate(turnover_eur: float, bi: BusinessInterruption) -> float:
    """BI loss per outage hour: turnover x gross-profit share / operating hours per year."""
    return turnover_eur * bi.gross_profit_share / bi.operating_hours_per_year


def compile_terms(
    coverage_ids: Sequence[str],
    coverage_terms: Sequence[CoverageTerms],
    *,
    deductible: float,
    limit: float | None,
    aggregate_limit: float | None,
    rate_per_hour: float | None,
    operating_hours_per_year: float = 8760.0,
) -> tuple[TermArrays, TermsUsed]:
    """One term set over ``coverage_ids``. A BI coverage's waiting and indemnity periods become money
    through ``rate_per_hour``; without a rate they are ignored (and reported as such)."""
    n = len(coverage_ids)
    by_cov = {t.coverage: t for t in coverage_terms}
    cov_deductible = np.zeros((1, n))
    sublimit = np.full((1, n), math.inf)
    wait = np.zeros((1, n))
    cap = np.full((1, n), math.inf)
    share = np.ones((1, n))
    used: list[CoverageTermsUsed] = []
    hours_per_day = operating_hours_per_year / 365.0
    for c, cov in enumerate(coverage_ids):
        t = by_cov.get(cov)
        if t is None:
            continue
        cov_deductible[0, c] = t.deductible_eur
        sublimit[0, c] = t.sublimit_eur if t.sublimit_eur is not None else math.inf
        share[0, c] = (1.0 - t.coinsurance) if t.covered else 0.0
        if rate_per_hour is not None:
            wait[0, c] = t.waiting_period_hours * rate_per_hour
            if t.indemnity_period_days is not None:
                cap[0, c] = t.indemnity_period_days * hours_per_day * rate_per_hour
        used.append(
            CoverageTermsUsed(
                coverage=cov,
                covered=t.covered,
                deductible=t.deductible_eur,
                sublimit=t.sublimit_eur,
                coinsurance=t.coinsurance,
                waiting_period_hours=t.waiting_period_hours if rate_per_hour is not None else 0.0,
                indemnity_period_days=t.indemnity_period_days if rate_per_hour is not None else None,
            )
        )
    arrays = TermArrays(
        deductible=np.array([deductible], dtype=np.float64),
        occurrence_limit=np.array([limit if limit is not None else math.inf]),
        aggregate_limit=np.array([aggregate_limit if aggregate_limit is not None else math.inf]),
        cov_deductible=cov_deductible,
        sublimit=sublimit,
        wait=wait,
        cap=cap,
        share=share,
    )
    summary = TermsUsed(
        deductible=deductible,
        limit=limit,
        aggregate_limit=aggregate_limit,
        bi_hourly_rate=rate_per_hour,
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
    )


def technical_premium(expected_insured_loss: float, pricing: Pricing) -> TechnicalPremium:
    """Expected insured loss / target loss ratio + expense load."""
    return TechnicalPremium(
        expected_insured_loss=expected_insured_loss,
        target_loss_ratio=pricing.target_loss_ratio,
        expense_load=pricing.expense_load_eur,
        premium=expected_insured_loss / pricing.target_loss_ratio + pricing.expense_load_eur,
        sources=pricing.sources,
    )


def layer_loss(unlimited: NDArray[np.float64], attachment: float, width: float) -> NDArray[np.float64]:
    """Annual loss to a layer ``width`` xs ``attachment`` of an annual (unlimited) insured loss."""
    return np.minimum(np.maximum(unlimited - attachment, 0.0), width)
