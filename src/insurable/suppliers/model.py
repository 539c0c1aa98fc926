"""The supplier register: who supplies what, how critical it is, and the evidence they gave.

Pure, typed data (frozen Pydantic, ``extra="forbid"``). A register belongs to one client
organisation; the CLI reads it from a YAML file, the service from the store. Amounts are EUR,
dates are calendar dates (a certificate of insurance runs from ``start`` to ``end`` inclusive).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from insurable.catalog.header import Frozen
from insurable.catalog.supplier_requirements import CoverId, EvidenceKind, InsuranceRequirement, TierId

__all__ = [
    "SUMMARY_ANSWERS",
    "DataAccess",
    "InsuranceCertificate",
    "Register",
    "RequirementsOverride",
    "SecurityCertificate",
    "SharedAssessment",
    "Supplier",
    "SystemAccess",
    "Vendors",
]

DataAccess = Literal["none", "business", "personal", "special_category"]
SystemAccess = Literal["none", "user", "admin", "remote_admin"]
SUPPLIER_ID = r"^[a-z0-9][a-z0-9_.\-]{0,63}$"
#: The answers a summary carries: the cyber cover held (questionnaire "insurance" topic) and the
#: supplier's own cloud, MSP and remote-access vendors (concentration). A full share carries all.
SUMMARY_ANSWERS: tuple[str, ...] = (
    "q.insurance.current_cyber",
    "q.insurance.current_insurer",
    "q.insurance.renewal_date",
    "q.vendor.cloud_provider",
    "q.vendor.msp",
    "q.vendor.remote_access",
)


class InsuranceCertificate(Frozen):
    """A certificate of insurance as entered (values confirmed by the user; the PDF kept beside it)."""

    insurer: str = Field(min_length=1)
    policy_number: str = Field(min_length=1)
    limits_eur: dict[CoverId, float] = Field(min_length=1, description="cover -> limit per claim (EUR)")
    deductible_eur: float = Field(default=0, ge=0)
    start: dt.date
    end: dt.date
    document: str | None = Field(default=None, description="the PDF as uploaded (path or store reference)")
    confirmed: bool = Field(default=True, description="the values were checked against the document by a person")

    @model_validator(mode="after")
    def _period(self) -> InsuranceCertificate:
        if self.end < self.start:
            raise ValueError("end: the period ends before it starts")
        bad = [c for c, v in self.limits_eur.items() if v <= 0]
        if bad:
            raise ValueError(f"limits_eur: limit must be positive for {', '.join(bad)}")
        return self


class SecurityCertificate(Frozen):
    """An ISO 27001 certificate, a SOC 2 report or a pen-test letter."""

    kind: Literal["iso27001", "soc2", "pentest"]
    issuer: str = Field(min_length=1)
    issued: dt.date
    valid_until: dt.date | None = Field(default=None, description="ISO/SOC 2: end of validity; pen-test: by age")
    scope: str = Field(default="", description="the certificate's scope as written on it")
    covers_services: bool = Field(default=True, description="the scope includes the services delivered to the client")

    @model_validator(mode="after")
    def _dates(self) -> SecurityCertificate:
        if self.valid_until is not None and self.valid_until < self.issued:
            raise ValueError("valid_until: before issued")
        if self.kind in ("iso27001", "soc2") and self.valid_until is None:
            raise ValueError(f"valid_until: required for {self.kind}")
        return self


class SharedAssessment(Frozen):
    """What a supplier shared from its own ``insurable`` assessment: a summary, or the full one."""

    level: Literal["summary", "full"]
    assessed: dt.date
    verdict: str = Field(min_length=1)
    nis2: str = Field(default="not_assessed", description="the supplier's own NIS2 classification")
    controls_in_place: tuple[str, ...] = Field(default=(), description="control ids in place")
    controls_missing: tuple[str, ...] = Field(default=(), description="control ids not in place")
    answers: dict[str, object] = Field(
        default_factory=dict,
        description="full: every answer; summary: only the cover held and the vendors (SUMMARY_ANSWERS)",
    )
    reference: str | None = Field(default=None, description="store id of the snapshot shared")


class Vendors(Frozen):
    """The supplier's own cloud, MSP and remote-access vendors (concentration)."""

    cloud: str | None = None
    msp: str | None = None
    vpn: str | None = None


class Supplier(Frozen):
    """One supplier of the client, with its evidence."""

    id: str = Field(pattern=SUPPLIER_ID, description="short id, unique in the register")
    name: str = Field(min_length=1, max_length=200)
    registration: str = Field(default="", description="KvK or other registration number")
    country: str = Field(default="NL", pattern=r"^[A-Z]{2}$")
    services: tuple[str, ...] = Field(default=(), description="services delivered to the client")
    tier: TierId
    data_access: DataAccess = "none"
    system_access: SystemAccess = "none"
    supports_essential_service: bool = Field(
        default=False, description="NIS2 Art. 21(2)(d): supports an essential service"
    )
    contact_email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    vendors: Vendors = Vendors()
    insurance: tuple[InsuranceCertificate, ...] = ()
    certificates: tuple[SecurityCertificate, ...] = ()
    confirmed: tuple[str, ...] = Field(
        default=(), description="security requirement ids the supplier confirmed in the contract (sreq.*)"
    )
    declared_uninsured: bool = Field(default=False, description="the supplier said it holds no such cover")
    shared: SharedAssessment | None = None

    @property
    def answered(self) -> bool:
        """Has the supplier given anything at all?"""
        return bool(self.insurance or self.certificates or self.confirmed or self.shared or self.declared_uninsured)


class RequirementsOverride(Frozen):
    """A client's own requirements for one tier, over the catalogue default (fields it sets win)."""

    insurance: InsuranceRequirement | None = None
    requirements: tuple[str, ...] | None = None
    security_evidence: tuple[EvidenceKind, ...] | None = None
    pentest_required: bool | None = None


class Register(Frozen):
    """A client's supplier register."""

    client: str = Field(min_length=1, description="the client organisation's name")
    language: Literal["nl", "en"] = "nl"
    requirements: dict[TierId, RequirementsOverride] = Field(default_factory=dict)
    suppliers: tuple[Supplier, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Register:
        seen: set[str] = set()
        dupes = sorted({s.id for s in self.suppliers if s.id in seen or seen.add(s.id)})  # type: ignore[func-returns-value]
        if dupes:
            raise ValueError(f"suppliers: duplicate id(s) {', '.join(dupes)}")
        return self
