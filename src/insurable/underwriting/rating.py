"""The rating: a transparent factor model (reference §5.1, Romanosky et al. 2019).

premium = (base + banded turnover rate) x hazard factor x clip(product of control modifiers)
          x increased-limit factor x deductible factor, at least the minimum premium.

The premium is for the *requested* limit: when one insurer's capacity is lower, the same indicative
premium is shared by the insurers of the tower. Two choices keep "fix a control, never pay more" true
by construction: a deductible a rule imposes for a missing control earns no premium credit (only the
chosen deductible or the class floor does), and a capacity cap lowers the limit one insurer offers
without changing the premium.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from insurable.catalog.guideline import HazardClass, Point, Rating
from insurable.underwriting.model import PremiumRange, RatingStep, RuleOutcome


def turnover_base(rating: Rating, turnover_eur: float) -> float:
    """Base premium plus the marginal rate of each revenue band the turnover reaches."""
    total = rating.base_premium_eur
    lower = 0.0
    for band in rating.revenue_bands:
        upper = band.up_to_eur if band.up_to_eur is not None else math.inf
        if turnover_eur > lower:
            total += (min(turnover_eur, upper) - lower) / 1e6 * band.rate_per_meur
        lower = upper
    return total


def _interpolate_log(points: Sequence[Point], amount: float, extrapolate: bool) -> float:
    """Interpolate a factor linearly in log(amount) between points; clamp (or extend) at the ends."""
    if amount <= points[0].at_eur or points[0].at_eur <= 0 and amount <= 0:
        return points[0].factor
    for left, right in zip(points, points[1:], strict=False):
        if amount <= right.at_eur:
            if left.at_eur <= 0:
                return left.factor + (right.factor - left.factor) * amount / right.at_eur
            t = math.log(amount / left.at_eur) / math.log(right.at_eur / left.at_eur)
            return left.factor + t * (right.factor - left.factor)
    last, before = points[-1], points[-2]
    if not extrapolate or before.at_eur <= 0:
        return last.factor
    slope = math.log(last.factor / before.factor) / math.log(last.at_eur / before.at_eur)
    return float(last.factor * (amount / last.at_eur) ** slope)


def limit_factor(rating: Rating, limit_eur: float) -> float:
    return _interpolate_log(rating.limit_factors, limit_eur, extrapolate=True)


def deductible_factor(rating: Rating, deductible_eur: float) -> float:
    return _interpolate_log(rating.deductible_factors, deductible_eur, extrapolate=False)


def price(
    rating: Rating,
    hazard: HazardClass,
    turnover_eur: float,
    modifiers: Sequence[RuleOutcome],
    requested_limit_eur: float,
    credited_deductible_eur: float,
) -> tuple[PremiumRange, tuple[RatingStep, ...]]:
    """Price the requested limit; return the indicative range and each step of the calculation."""
    base = turnover_base(rating, turnover_eur)
    product = math.prod(m.factor or 1.0 for m in modifiers)
    bounded = min(max(product, rating.modifier_floor), rating.modifier_cap)
    ilf = limit_factor(rating, requested_limit_eur)
    ded = deductible_factor(rating, credited_deductible_eur)
    raw = base * hazard.factor * bounded * ilf * ded
    point = max(raw, rating.minimum_premium_eur)
    steps = (
        RatingStep(name="base", value=round(base, 2), detail=f"base and turnover bands for EUR {turnover_eur:,.0f}"),
        RatingStep(name="hazard_factor", value=hazard.factor, detail=f"hazard class {hazard.id}"),
        RatingStep(
            name="control_modifiers",
            value=round(bounded, 4),
            detail=f"product {product:.4f} bounded to [{rating.modifier_floor}, {rating.modifier_cap}]",
            rule_ids=tuple(m.rule_id for m in modifiers),
        ),
        RatingStep(name="limit_factor", value=round(ilf, 4), detail=f"limit EUR {requested_limit_eur:,.0f}"),
        RatingStep(
            name="deductible_factor",
            value=round(ded, 4),
            detail=f"deductible EUR {credited_deductible_eur:,.0f}",
        ),
        RatingStep(
            name="minimum_premium",
            value=rating.minimum_premium_eur,
            detail="applied" if point > raw else "not reached",
        ),
    )
    step = rating.rounding_eur

    def rounded(x: float) -> float:
        return float(round(x / step) * step)

    spread = rating.range_spread
    return PremiumRange(
        low_eur=rounded(point * (1 - spread)),
        point_eur=rounded(point),
        high_eur=rounded(point * (1 + spread)),
    ), steps
