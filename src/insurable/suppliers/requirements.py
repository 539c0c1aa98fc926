"""The requirements that apply to one supplier: the catalogue's tier defaults under the client's edits."""

from __future__ import annotations

from dataclasses import dataclass

from insurable.catalog.supplier_requirements import (
    EvidenceKind,
    InsuranceRequirement,
    SupplierRequirementsFile,
    TierId,
)
from insurable.suppliers.model import Register

__all__ = ["Effective", "effective", "insurance_clauses"]


@dataclass(frozen=True)
class Effective:
    """What a supplier of ``tier`` must meet for this client."""

    tier: TierId
    insurance: InsuranceRequirement
    requirements: tuple[str, ...]
    security_evidence: tuple[EvidenceKind, ...]
    pentest_required: bool
    edited: bool


def effective(catalogue: SupplierRequirementsFile, register: Register, tier: TierId) -> Effective:
    """The tier default, with every field the client set in ``register.requirements[tier]`` replacing it."""
    base = catalogue.tier(tier)
    own = register.requirements.get(tier)
    if own is None:
        return Effective(tier, base.insurance, base.requirements, base.security_evidence, base.pentest_required, False)
    return Effective(
        tier,
        own.insurance if own.insurance is not None else base.insurance,
        own.requirements if own.requirements is not None else base.requirements,
        own.security_evidence if own.security_evidence is not None else base.security_evidence,
        own.pentest_required if own.pentest_required is not None else base.pentest_required,
        True,
    )


def _eur(amount: float, lang: str) -> str:
    text = f"{amount:,.0f}"
    return text.replace(",", ".") if lang == "nl" else text


def insurance_clauses(catalogue: SupplierRequirementsFile, req: Effective, lang: str) -> list[str]:
    """The insurance clauses of a contract for these requirements, filled in, in ``lang``."""
    clause = catalogue.insurance_clause
    out: list[str] = []
    for cover, limit in req.insurance.required_covers().items():
        template = {"cyber": clause.cyber, "pi": clause.pi, "do": clause.do}[cover]
        out.append(template.get("nl" if lang == "nl" else "en").format(amount=_eur(limit, lang)))
    if out and req.insurance.max_deductible_eur is not None:
        out.append(
            clause.deductible.get("nl" if lang == "nl" else "en").format(
                amount=_eur(req.insurance.max_deductible_eur, lang)
            )
        )
    if out:
        out.append(clause.certificate.get("nl" if lang == "nl" else "en"))
    return out
