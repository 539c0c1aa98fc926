"""Concentration: critical suppliers that depend on one cloud, one MSP or one VPN vendor.

An outage or intrusion at that vendor hits all of them at once, so the client sees them together.
The vendor comes from the register (what the client recorded) or, when the supplier shared its full
assessment, from its own answers to the underwriting questionnaire (``q.vendor.cloud_provider``,
``q.vendor.msp``, ``q.vendor.remote_access``). Critical means tier ``critical`` or supporting an
essential service of the client (NIS2 Art. 21(2)(d)). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from insurable.suppliers.model import Supplier

__all__ = ["VENDOR_QUESTIONS", "Concentration", "concentrations", "vendor_of"]

VendorKind = Literal["cloud", "msp", "vpn"]
#: The questionnaire answers a shared full assessment supplies, per vendor kind.
VENDOR_QUESTIONS: dict[VendorKind, str] = {
    "cloud": "q.vendor.cloud_provider",
    "msp": "q.vendor.msp",
    "vpn": "q.vendor.remote_access",
}
#: Answers that name no vendor.
NO_VENDOR = {"", "none", "no", "geen", "other", "unknown", "dont_know", "self", "own"}


@dataclass(frozen=True)
class Concentration:
    """Critical suppliers sharing one vendor of one kind."""

    kind: VendorKind
    vendor: str
    suppliers: tuple[str, ...]
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "vendor": self.vendor,
            "suppliers": list(self.suppliers),
            "sources": list(self.sources),
        }


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("-", " ").replace("_", " ").split())


def vendor_of(supplier: Supplier, kind: VendorKind) -> tuple[str, str] | None:
    """The supplier's vendor of this kind and where it came from (``register`` or the question id)."""
    recorded = getattr(supplier.vendors, kind)
    if isinstance(recorded, str) and _key(recorded) not in NO_VENDOR:
        return recorded.strip(), "register"
    if supplier.shared is not None and supplier.shared.level == "full":
        answer = supplier.shared.answers.get(VENDOR_QUESTIONS[kind])
        if isinstance(answer, str) and _key(answer) not in NO_VENDOR:
            return answer.strip(), VENDOR_QUESTIONS[kind]
    return None


def concentrations(suppliers: list[Supplier] | tuple[Supplier, ...], minimum: int = 2) -> list[Concentration]:
    """Vendors that ``minimum`` or more critical suppliers share, largest group first."""
    groups: dict[tuple[VendorKind, str], list[tuple[Supplier, str, str]]] = {}
    for supplier in suppliers:
        if not (supplier.tier == "critical" or supplier.supports_essential_service):
            continue
        for kind in VENDOR_QUESTIONS:
            found = vendor_of(supplier, kind)
            if found is not None:
                groups.setdefault((kind, _key(found[0])), []).append((supplier, found[0], found[1]))
    out = [
        Concentration(
            kind,
            members[0][1],
            tuple(s.id for s, _, _ in members),
            tuple(sorted({src for _, _, src in members})),
        )
        for (kind, _), members in groups.items()
        if len(members) >= minimum
    ]
    return sorted(out, key=lambda c: (-len(c.suppliers), c.kind, c.vendor.casefold()))
