"""The policy's terms: one typed model that the underwriting result, the loss model, offers, supplier
requirements and the portfolio share (ARCHITECTURE "One Terms model"). Pure and typed.

Semantics follow OED v4 (Open Exposure Data, the Oasis financial-module terms):

- ``deductible_eur`` and ``limit_eur`` are per occurrence at policy level (``PolDed6``/``PolLimit6``),
  ``aggregate_limit_eur`` is the annual aggregate;
- per coverage (``CovDed``/``CovLimit``): a ``retention_eur`` per occurrence before the policy
  deductible, an annual aggregate ``sublimit_eur``, ``coinsurance`` (the share of each loss the
  insured keeps), and for business interruption a waiting period in clock hours (a time
  deductible; with ``waiting_period_replaces_deductible`` it *is* that coverage's deductible, as in
  Hiscox CyberClear) and an indemnity period in days;
- an excluded coverage (``covered: false``) is fully retained.

:func:`offered_terms` maps an underwriting :class:`~insurable.underwriting.model.Assessment` to the
terms it offers, naming the rule behind every term.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from insurable.catalog.header import Frozen

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog

__all__ = ["CoverageTerms", "Terms", "offered_terms", "policy_term_outcomes"]


class CoverageTerms(Frozen):
    """The terms of one coverage (OED CovDed/CovLimit, BI time terms)."""

    coverage: str
    covered: bool = True
    retention_eur: float = Field(default=0, ge=0, description="per occurrence, before the policy deductible")
    sublimit_eur: float | None = Field(default=None, gt=0, description="annual aggregate")
    coinsurance: float = Field(default=0, ge=0, lt=1, description="share of each loss the insured keeps")
    waiting_period_hours: float = Field(default=0, ge=0, description="BI: time deductible in clock hours")
    waiting_period_replaces_deductible: bool = False
    indemnity_period_days: float | None = Field(default=None, gt=0)
    rules: tuple[str, ...] = Field(default=(), description="the rule ids or catalogue entries that set these terms")


class Terms(Frozen):
    """A policy's terms (OED v4 semantics, EUR)."""

    deductible_eur: float = Field(ge=0, description="per occurrence")
    limit_eur: float | None = Field(gt=0, description="per occurrence; None: unlimited")
    aggregate_limit_eur: float | None = Field(default=None, gt=0, description="annual aggregate; None: the limit")
    coverages: tuple[CoverageTerms, ...] = ()
    origin: Literal["offered", "requested", "defaults"] = "defaults"

    @property
    def aggregate(self) -> float | None:
        return self.aggregate_limit_eur if self.aggregate_limit_eur is not None else self.limit_eur

    def coverage(self, coverage_id: str) -> CoverageTerms | None:
        return next((c for c in self.coverages if c.coverage == coverage_id), None)

    def excluded(self) -> tuple[str, ...]:
        return tuple(c.coverage for c in self.coverages if not c.covered)

    def with_coverage(self, coverage_id: str, **changes: Any) -> Terms:
        """A copy with ``changes`` applied to one coverage (added when absent)."""
        current = self.coverage(coverage_id) or CoverageTerms(coverage=coverage_id)
        rules = tuple(dict.fromkeys((*current.rules, *changes.pop("rules", ()))))
        updated = current.model_copy(update={**changes, "rules": rules})
        others = tuple(c for c in self.coverages if c.coverage != coverage_id)
        return self.model_copy(update={"coverages": (*others, updated)})


def policy_term_outcomes(assessment: Any) -> tuple[Any, ...]:
    """The fired policy-term rules of an assessment (``policy_terms``; absent before issue 10)."""
    return tuple(getattr(assessment, "policy_terms", ()) or ())


def _apply_outcomes(terms: Terms, outcomes: Iterable[Any]) -> Terms:
    for o in outcomes:
        effect = getattr(o, "effect", None)
        cov = getattr(o, "coverage", None)
        rule = getattr(o, "rule_id", "")
        if cov is None:
            continue
        if effect == "exclusion":
            terms = terms.with_coverage(cov, covered=False, rules=(rule,))
        elif effect == "sublimit" and getattr(o, "amount_eur", None):
            current = terms.coverage(cov)
            amount = float(o.amount_eur)
            if current is not None and current.sublimit_eur is not None:
                amount = min(amount, current.sublimit_eur)
            terms = terms.with_coverage(cov, sublimit_eur=amount, rules=(rule,))
        elif effect == "waiting_period" and getattr(o, "hours", None) is not None:
            terms = terms.with_coverage(cov, waiting_period_hours=float(o.hours), rules=(rule,))
        elif effect == "indemnity_period" and getattr(o, "days", None):
            terms = terms.with_coverage(cov, indemnity_period_days=float(o.days), rules=(rule,))
        elif effect == "coinsurance" and getattr(o, "factor", None) is not None:
            terms = terms.with_coverage(cov, coinsurance=float(o.factor), rules=(rule,))
        elif effect == "retention" and getattr(o, "amount_eur", None) is not None:
            terms = terms.with_coverage(cov, retention_eur=float(o.amount_eur), rules=(rule,))
    return terms


def default_terms(catalog: Catalog) -> Terms:
    """The catalogue's default wording (perils.yaml ``terms``) as Terms."""
    from insurable.catalog.perils import PerilsFile

    model = catalog.get("perils.yaml", PerilsFile)
    d = model.terms
    return Terms(
        deductible_eur=d.deductible_eur,
        limit_eur=d.limit_eur,
        coverages=tuple(
            CoverageTerms(
                coverage=t.coverage,
                covered=t.covered,
                retention_eur=t.deductible_eur,
                sublimit_eur=t.sublimit_eur,
                coinsurance=t.coinsurance,
                waiting_period_hours=t.waiting_period_hours,
                waiting_period_replaces_deductible=t.waiting_period_replaces_deductible,
                indemnity_period_days=t.indemnity_period_days,
                rules=("perils.yaml:terms",),
            )
            for t in d.coverages
        ),
    )


def offered_terms(assessment: Any, catalog: Catalog) -> Terms:
    """The terms an underwriting result offers: its deductible, one insurer's limit, exclusions and
    sublimits (annual aggregates) and the fired policy-term rules (waiting and indemnity period,
    coinsurance, retention) on top of the catalogue's default wording."""
    base = default_terms(catalog)
    limit = getattr(assessment, "limit_offered_eur", None) or getattr(assessment, "max_limit_eur", None)
    terms = base.model_copy(
        update={"deductible_eur": float(assessment.deductible_eur), "limit_eur": limit, "origin": "offered"}
    )
    outcomes = (*tuple(assessment.exclusions), *tuple(assessment.sublimits), *policy_term_outcomes(assessment))
    return _apply_outcomes(terms, outcomes)
