"""Supplier requirements as data (``supplier_requirements.yaml``): what a client asks of its suppliers.

Per criticality tier: minimum cyber and professional-indemnity (PI) limits, the largest deductible,
whether D&O cover is asked, the security requirements (each joined to a control of
``controls.yaml`` where one fits) and the evidence accepted. Every requirement carries a template
contract clause in Dutch and English that say the same thing. A client edits these per
organisation (``requirements`` in a register file, or in the service); the catalogue gives the
defaults. NIS2 Art. 21(2)(d) and 21(3) make supply-chain security a duty of essential and
important entities; the amounts are our assumption (tag D) and indicative.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from insurable.catalog.header import Frozen, Header
from insurable.errors import Problem
from insurable.text import Text

if TYPE_CHECKING:
    from insurable.catalog.loader import Catalog

TierId = Literal["critical", "high", "standard", "low"]
TIERS: tuple[TierId, ...] = ("critical", "high", "standard", "low")
CoverId = Literal["cyber", "pi", "do"]
EvidenceKind = Literal["coi", "iso27001", "soc2", "pentest", "assessment"]


class EvidenceKindDef(Frozen):
    """A kind of evidence the client accepts, and how long it counts."""

    id: EvidenceKind
    name: Text
    max_age_days: int | None = Field(
        default=None, gt=0, description="counts this long after its date (pen-test letter)"
    )
    needs_scope: bool = Field(default=False, description="a certificate's scope must name the services delivered")
    sources: tuple[str, ...] = Field(min_length=1)


class SecurityRequirement(Frozen):
    """One security requirement with its contract clause."""

    id: str = Field(pattern=r"^sreq\.[a-z0-9_.]+$")
    name: Text
    control: str | None = Field(default=None, description="the control of controls.yaml this asks for")
    clause: Text = Field(description="template contract clause, Dutch and English saying the same")
    sources: tuple[str, ...] = Field(min_length=1)


class InsuranceRequirement(Frozen):
    """Minimum cover a supplier of a tier must hold (EUR)."""

    cyber_limit_eur: float | None = Field(default=None, gt=0, description="minimum cyber limit; None: not asked")
    pi_limit_eur: float | None = Field(default=None, gt=0, description="minimum PI limit; None: not asked")
    do_limit_eur: float | None = Field(default=None, gt=0, description="minimum D&O limit; None: not asked")
    max_deductible_eur: float | None = Field(default=None, ge=0, description="largest deductible accepted")

    def required_covers(self) -> dict[CoverId, float]:
        out: dict[CoverId, float] = {}
        pairs: tuple[tuple[CoverId, float | None], ...] = (
            ("cyber", self.cyber_limit_eur),
            ("pi", self.pi_limit_eur),
            ("do", self.do_limit_eur),
        )
        for cover, limit in pairs:
            if limit is not None:
                out[cover] = limit
        return out


class Tier(Frozen):
    """A criticality tier: the defaults a client starts from."""

    id: TierId
    name: Text
    description: Text
    insurance: InsuranceRequirement
    requirements: tuple[str, ...] = Field(default=(), description="security requirement ids")
    security_evidence: tuple[EvidenceKind, ...] = Field(
        default=(), description="at least one of these, valid, is required (empty: none asked)"
    )
    pentest_required: bool = False
    sources: tuple[str, ...] = Field(min_length=1)


class InsuranceClause(Frozen):
    """The contract clause for insurance; ``{cyber}``, ``{pi}``, ``{do}``, ``{deductible}`` are filled in."""

    cyber: Text
    pi: Text
    do: Text
    deductible: Text
    certificate: Text
    sources: tuple[str, ...] = Field(min_length=1)


class SupplierRequirementsFile(Frozen):
    header: Header
    tiers: tuple[Tier, ...] = Field(min_length=1)
    requirements: tuple[SecurityRequirement, ...] = Field(min_length=1)
    evidence: tuple[EvidenceKindDef, ...] = Field(min_length=1)
    insurance_clause: InsuranceClause
    alert_days: tuple[int, ...] = Field(default=(90, 60, 30), description="expiry alert thresholds, in days")

    @model_validator(mode="after")
    def _tiers(self) -> SupplierRequirementsFile:
        ids = [t.id for t in self.tiers]
        missing = [t for t in TIERS if t not in ids]
        if missing:
            raise ValueError(f"tiers: missing tier(s) {', '.join(missing)}")
        if list(self.alert_days) != sorted(set(self.alert_days), reverse=True) or any(d <= 0 for d in self.alert_days):
            raise ValueError("alert_days: distinct positive days, largest first")
        return self

    def tier(self, tier_id: str) -> Tier:
        return next(t for t in self.tiers if t.id == tier_id)

    def requirement(self, req_id: str) -> SecurityRequirement:
        return next(r for r in self.requirements if r.id == req_id)


def check_supplier_requirements(catalog: Catalog) -> list[Problem]:
    """Tiers name known requirements; requirements name known controls."""
    model = catalog.files.get("supplier_requirements.yaml")
    if not isinstance(model, SupplierRequirementsFile):
        return []
    file = str(catalog.paths.get("supplier_requirements.yaml", catalog.directory / "supplier_requirements.yaml"))
    known_reqs = {r.id for r in model.requirements}
    controls = catalog.files.get("controls.yaml")
    known_controls = {c.id for c in getattr(controls, "controls", ())}
    problems: list[Problem] = []
    for i, tier in enumerate(model.tiers):
        for j, rid in enumerate(tier.requirements):
            if rid not in known_reqs:
                problems.append(Problem(f"tiers[{i}].requirements[{j}]", f"unknown requirement {rid!r}", file))
    for i, req in enumerate(model.requirements):
        if req.control is not None and known_controls and req.control not in known_controls:
            problems.append(Problem(f"requirements[{i}].control", f"unknown control {req.control!r}", file))
    return problems
