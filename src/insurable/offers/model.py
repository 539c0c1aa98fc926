"""An insurance offer (a quote or a policy) as data: the documented, versioned offer format.

One offer is one insurer's cyber policy (optionally with professional-liability (PI) and D&O
sections), written in YAML or JSON and validated by these frozen models (``schemas/offer.schema.json``,
``FORMAT_VERSION``). Coverages use the catalogue's coverage ids (OED v4 cyber names), so
:meth:`Offer.terms` builds the one shared :class:`~insurable.terms.Terms` the loss model reads; an
offer never has its own terms model.

Every value may carry its evidence: the page and the sentence of the wording it was read from
(``Clause``), which ``offers extract`` fills and the checklist quotes back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from insurable.catalog.header import Frozen
from insurable.terms import CoverageTerms, Terms

__all__ = [
    "FORMAT_VERSION",
    "Clause",
    "CoverSection",
    "Exclusion",
    "Layer",
    "LiabilitySection",
    "Offer",
    "Premium",
    "EXCLUSION_KINDS",
]

#: Version of the offer format (schemas/offer.schema.json). Bump on an incompatible change.
FORMAT_VERSION: Literal[1] = 1

ExclusionKind = Literal[
    "war",
    "state_backed",
    "infrastructure",
    "betterment",
    "fines",
    "identity_fraud",
    "ceo_fraud",
    "unencrypted_devices",
    "unpatched_software",
    "professional_services",
    "contractual_liability",
    "other",
]
#: The exclusions the checklist reads by kind; ``other`` for anything else (with its clause).
EXCLUSION_KINDS: tuple[str, ...] = get_args(ExclusionKind)

Amount = float


class Clause(Frozen):
    """Where a value was read: the page (1-based) and the sentence, verbatim."""

    page: int | None = Field(default=None, ge=1)
    quote: str = Field(min_length=1, max_length=2000)


class CoverSection(Frozen):
    """One covered coverage (catalogue id) with its own terms."""

    coverage: str = Field(pattern=r"^cov\.[a-z0-9_]+$", description="catalogue coverage id (OED v4 name)")
    covered: bool = True
    sublimit_eur: Amount | None = Field(default=None, gt=0, description="annual aggregate sublimit")
    deductible_eur: Amount = Field(default=0, ge=0, description="per occurrence, before the policy deductible")
    coinsurance: float = Field(default=0, ge=0, lt=1, description="share of each loss the insured keeps")
    waiting_period_hours: float = Field(default=0, ge=0, description="business interruption: time deductible")
    waiting_period_replaces_deductible: bool = False
    indemnity_period_days: float | None = Field(default=None, gt=0, description="business interruption")
    clause: Clause | None = None


class Exclusion(Frozen):
    kind: ExclusionKind
    variant: str | None = Field(
        default=None, description="e.g. for war: lma5564 (state-backed, with carve-back) or absolute"
    )
    coverages: tuple[str, ...] = Field(default=(), description="coverage ids it removes; empty: informational")
    clause: Clause | None = None


class Premium(Frozen):
    net_eur: Amount = Field(ge=0, description="annual premium before tax")
    insurance_tax_rate: float = Field(
        default=0.21, ge=0, lt=1, description="Dutch assurantiebelasting (21 % since 2013)"
    )
    term_months: int = Field(default=12, ge=1, le=60)

    @property
    def gross_eur(self) -> float:
        return round(self.net_eur * (1 + self.insurance_tax_rate), 2)

    @property
    def annual_gross_eur(self) -> float:
        return round(self.gross_eur * 12 / self.term_months, 2)


class LiabilitySection(Frozen):
    """A professional-liability (beroepsaansprakelijkheid) or D&O section of the same offer."""

    limit_eur: Amount = Field(gt=0)
    deductible_eur: Amount = Field(default=0, ge=0)
    covers_cyber_incidents: bool | None = Field(
        default=None, description="PI: covers claims from a cyber incident (no cyber exclusion); None: not stated"
    )
    covers_nis2_liability: bool | None = Field(
        default=None, description="D&O: covers directors' liability for NIS2/Cbw duties (Art. 20)"
    )
    clause: Clause | None = None


class Layer(Frozen):
    """Where the offer sits in a tower: a programme id shared by its layers and the attachment."""

    programme: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    attachment_eur: Amount = Field(ge=0, description="0 for the primary; the sum of the layers below otherwise")


class Offer(Frozen):
    """A quote or policy from one insurer (indicative; values as the wording states them)."""

    format_version: Literal[1] = FORMAT_VERSION
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    insurer: str = Field(min_length=1)
    insurer_rating: str | None = Field(default=None, description="financial-strength rating, e.g. AM Best A")
    insurer_tied_to_vendor: str | None = Field(
        default=None, description="a security vendor that sells or owns the insurance (conflict of interest)"
    )
    insurer_tied_vendor_products: tuple[str, ...] = Field(
        default=(),
        description="the tied vendor's products as answer options of the q.vendor.* questions (e.g. sentinelone)",
    )
    product: str = Field(min_length=1)
    kind: Literal["quote", "policy"] = "quote"
    language: Literal["nl", "en"] = "nl"
    insured_activities: tuple[str, ...] = Field(
        default=(), description="verzekerde hoedanigheid: vocabulary activity ids the policy names"
    )
    insured_activities_clause: Clause | None = None
    basis: Literal["claims_made", "occurrence"] | None = None
    retroactive_date: dt.date | None = None
    retroactive_unlimited: bool = False
    territory: Literal["nl", "eu", "europe", "worldwide", "worldwide_excl_us_ca"] | None = None
    limit_eur: Amount = Field(gt=0, description="per claim (per aanspraak)")
    aggregate_limit_eur: Amount | None = Field(default=None, gt=0, description="per insurance year; None: the limit")
    deductible_eur: Amount = Field(ge=0, description="eigen risico per claim")
    coverages: tuple[CoverSection, ...] = Field(min_length=1)
    exclusions: tuple[Exclusion, ...] = ()
    security_conditions: tuple[str, ...] = Field(
        default=(), description="warranties and minimum-security conditions, as control ids (ctl.*)"
    )
    required_contract_terms: tuple[str, ...] = Field(
        default=(), description="contract terms the insured must use with its customers"
    )
    cancellation_after_claim: bool | None = Field(
        default=None, description="the insurer may cancel mid-term after a claim"
    )
    notification_hours: float | None = Field(default=None, gt=0, description="deadline to report an incident")
    incident_response_panel: bool | None = None
    hotline_24_7: bool | None = None
    premium: Premium
    professional_liability: LiabilitySection | None = None
    directors_officers: LiabilitySection | None = None
    layer: Layer | None = None
    clauses: dict[str, Clause] = Field(default_factory=dict, description="field name -> the clause it was read from")

    @field_validator("coverages")
    @classmethod
    def _unique_coverages(cls, value: tuple[CoverSection, ...]) -> tuple[CoverSection, ...]:
        seen = [c.coverage for c in value]
        doubles = sorted({c for c in seen if seen.count(c) > 1})
        if doubles:
            raise ValueError(f"coverage listed more than once: {', '.join(doubles)}")
        return value

    @model_validator(mode="after")
    def _aggregate_not_below_limit(self) -> Offer:
        if self.aggregate_limit_eur is not None and self.aggregate_limit_eur < self.limit_eur:
            raise ValueError("aggregate_limit_eur: is below limit_eur (per claim); check the wording")
        return self

    @property
    def aggregate(self) -> float:
        return self.aggregate_limit_eur if self.aggregate_limit_eur is not None else self.limit_eur

    def cover(self, coverage_id: str) -> CoverSection | None:
        return next((c for c in self.coverages if c.coverage == coverage_id), None)

    def excluded_by(self, coverage_id: str) -> tuple[Exclusion, ...]:
        return tuple(e for e in self.exclusions if coverage_id in e.coverages)

    def exclusion(self, kind: str) -> Exclusion | None:
        return next((e for e in self.exclusions if e.kind == kind), None)

    def terms(self, coverage_ids: tuple[str, ...]) -> Terms:
        """The shared :class:`Terms` of this offer over the catalogue's coverages: a coverage the
        offer does not list, or one an exclusion removes, is not covered (fully retained)."""
        coverages: list[CoverageTerms] = []
        for cov in coverage_ids:
            section = self.cover(cov)
            removed = self.excluded_by(cov)
            rules = (f"offer:{self.id}",) + tuple(f"offer:{self.id}:exclusion:{e.kind}" for e in removed)
            if section is None or not section.covered or removed:
                coverages.append(CoverageTerms(coverage=cov, covered=False, rules=rules))
                continue
            coverages.append(
                CoverageTerms(
                    coverage=cov,
                    retention_eur=section.deductible_eur,
                    sublimit_eur=section.sublimit_eur,
                    coinsurance=section.coinsurance,
                    waiting_period_hours=section.waiting_period_hours,
                    waiting_period_replaces_deductible=section.waiting_period_replaces_deductible,
                    indemnity_period_days=section.indemnity_period_days,
                    rules=rules,
                )
            )
        return Terms(
            deductible_eur=self.deductible_eur,
            limit_eur=self.limit_eur,
            aggregate_limit_eur=self.aggregate_limit_eur,
            coverages=tuple(coverages),
            origin="offered",
        )

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "insurer": self.insurer, "product": self.product}
