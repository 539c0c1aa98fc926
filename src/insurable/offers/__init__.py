"""Offers: a quote or policy as data, the checklist review, and the comparison by what the firm
keeps (pure; docs/offers.md). The PDF reader is the adapter :mod:`insurable.offers.extract`.

    from insurable.offers import read_offer, context_for, check_offer, compare_offers
"""

from __future__ import annotations

from insurable.offers.check import CheckResult, Context, check_offer, context_for
from insurable.offers.compare import Comparison, ProgrammeResult, compare_offers, programmes
from insurable.offers.model import FORMAT_VERSION, Offer
from insurable.offers.read import parse_offer, read_offer

__all__ = [
    "FORMAT_VERSION",
    "CheckResult",
    "Comparison",
    "Context",
    "Offer",
    "ProgrammeResult",
    "check_offer",
    "compare_offers",
    "context_for",
    "parse_offer",
    "programmes",
    "read_offer",
]
