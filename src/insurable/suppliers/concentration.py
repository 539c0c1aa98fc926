"""Concentration: critical suppliers that depend on one cloud, one MSP or one VPN vendor.

An outage or intrusion at that vendor hits all of them at once, so the client sees them together.
The vendor comes from the register (what the client recorded) or, when the supplier shared its
assessment (a summary carries these answers too), from its own answers to the underwriting
questionnaire (``q.vendor.cloud_provider``, ``q.vendor.msp``, ``q.vendor.remote_access``); an option
id and its name are one vendor. Critical means tier ``critical`` or supporting an
essential service of the client (NIS2 Art. 21(2)(d)). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from insurable.suppliers.model import Supplier

__all__ = ["VENDOR_QUESTIONS", "Concentration", "concentrations", "vendor_names", "vendor_of"]

VendorKind = Literal["cloud", "msp", "vpn"]
#: The questionnaire answers a shared full assessment supplies, per vendor kind.
VENDOR_QUESTIONS: dict[VendorKind, str] = {
    "cloud": "q.vendor.cloud_provider",
    "msp": "q.vendor.msp",
    "vpn": "q.vendor.remote_access",
}
#: Answers that name no particular vendor (the questionnaire's "another ..." and "own servers" options too).
NO_VENDOR = {
    "",
    "none",
    "no",
    "geen",
    "other",
    "unknown",
    "dont know",
    "self",
    "own",
    "other cloud",
    "other vpn",
    "own servers",
}
#: Option id -> vendor name per kind (from the questionnaire's choice options), so that an answer
#: ``fortinet`` and a register entry "Fortinet FortiGate" are the same vendor.
VendorNames = Mapping[str, Mapping[str, str]]


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


def _named(value: str, kind: VendorKind, names: VendorNames) -> str:
    return names.get(kind, {}).get(value.strip(), value.strip())


def vendor_of(supplier: Supplier, kind: VendorKind, names: VendorNames | None = None) -> tuple[str, str] | None:
    """The supplier's vendor of this kind and where it came from (``register`` or the question id)."""
    names = names or {}
    recorded = getattr(supplier.vendors, kind)
    if isinstance(recorded, str) and _key(recorded) not in NO_VENDOR:
        return _named(recorded, kind, names), "register"
    if supplier.shared is not None:
        answer = supplier.shared.answers.get(VENDOR_QUESTIONS[kind])
        if isinstance(answer, str) and _key(answer) not in NO_VENDOR:
            return _named(answer, kind, names), VENDOR_QUESTIONS[kind]
    return None


def vendor_names(questions: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """Option id -> English option text of the vendor questions of a questionnaire (``by_id()``)."""
    out: dict[str, dict[str, str]] = {}
    for kind, qid in VENDOR_QUESTIONS.items():
        options = getattr(questions.get(qid), "options", None) or ()
        out[kind] = {o.id: o.text.en for o in options}
    return out


def concentrations(
    suppliers: list[Supplier] | tuple[Supplier, ...], minimum: int = 2, names: VendorNames | None = None
) -> list[Concentration]:
    """Vendors that ``minimum`` or more critical suppliers share, largest group first."""
    groups: dict[tuple[VendorKind, str], list[tuple[Supplier, str, str]]] = {}
    for supplier in suppliers:
        if not (supplier.tier == "critical" or supplier.supports_essential_service):
            continue
        for kind in VENDOR_QUESTIONS:
            found = vendor_of(supplier, kind, names)
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
