"""Enterprise size as NIS2 Art. 2(1) applies Recommendation 2003/361/EC.

The figures used are the entity's own plus 100 % of every linked enterprise plus the held share of
every partner enterprise (Annex Art. 6(2)-(3)); Art. 3(4) of the Annex (public-body ownership) is
disapplied by NIS2 Art. 2(1), so it plays no part here.

The ceilings of Annex Art. 2 read "fewer than N persons **and** turnover not exceeding T **and/or**
balance-sheet total not exceeding B". The "and/or" means either financial ceiling suffices to stay
within a category (domain reference §1.1, [D])::

    within(category) := staff < N  AND (turnover <= T OR balance <= B)
    exceeds(medium)  := staff >= 250 OR (turnover > 50M AND balance > 43M)    -> large

So 30 staff, EUR 12M turnover and EUR 8M balance sheet is still small.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from insurable.nis2.model import Nis2File, SizeCategory
from insurable.profile import GroupEnterprise

#: Smallest first; ``large`` is whatever exceeds the medium ceilings.
CATEGORIES: tuple[SizeCategory, ...] = ("micro", "small", "medium", "large")


@dataclass(frozen=True)
class Figures:
    """Staff headcount (annual work units), annual turnover and balance-sheet total in EUR."""

    headcount: float
    turnover_eur: float
    balance_sheet_eur: float


def aggregate(own: Figures, group: Iterable[GroupEnterprise]) -> Figures:
    """Own figures + 100 % of linked enterprises + ``share`` x partner enterprises (Annex Art. 6),
    leaving out enterprises whose data the own (consolidated) figures already include (Art. 6(2)-(3))."""
    headcount, turnover, balance = own.headcount, own.turnover_eur, own.balance_sheet_eur
    for enterprise in group:
        if enterprise.consolidated:
            continue
        weight = 1.0 if enterprise.relation == "linked" else enterprise.share
        headcount += weight * enterprise.employees
        turnover += weight * enterprise.annual_turnover_eur
        balance += weight * enterprise.balance_sheet_total_eur
    return Figures(headcount, turnover, balance)


def group_turnover(own_turnover_eur: float, group: Iterable[GroupEnterprise]) -> float:
    """Turnover of the undertaking the entity belongs to, for Art. 34: own + 100 % of linked.

    Partner enterprises are outside the undertaking (they are neither controlled nor controlling),
    so they do not count towards the fine ceiling; linked enterprises already in consolidated own
    figures are not added twice. Our documented reading ([D]).
    """
    return own_turnover_eur + sum(e.annual_turnover_eur for e in group if e.relation == "linked" and not e.consolidated)


def size_category(figures: Figures, nis2: Nis2File) -> SizeCategory:
    """The smallest category whose ceiling the figures stay within; ``large`` if none."""
    for category in ("micro", "small", "medium"):
        ceiling = nis2.ceiling(category)
        within_staff = figures.headcount < ceiling.staff_below
        within_money = figures.turnover_eur <= ceiling.turnover_eur or (
            figures.balance_sheet_eur <= ceiling.balance_eur
        )
        if within_staff and within_money:
            return ceiling.category
    return "large"


def rank(category: SizeCategory) -> int:
    """0 for micro up to 3 for large."""
    return CATEGORIES.index(category)
