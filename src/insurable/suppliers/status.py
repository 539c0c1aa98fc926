"""Status of each supplier against its requirements on a given date, with the reasons.

A supplier is **expired**, **gap**, **expiring**, **unknown** or **compliant** (in that order of
precedence: the worst finding decides). Every finding names the requirement (``cover.cyber``,
``sreq.mfa_remote_admin``, ``evidence.security``, ``evidence.pentest``) and the evidence it read
(the policy number, the certificate, the shared assessment). Dates are calendar dates; the caller
passes ``as_of`` (the clock is the caller's, so tests freeze it). Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from insurable.catalog.supplier_requirements import CoverId, SupplierRequirementsFile
from insurable.suppliers.model import InsuranceCertificate, Register, SecurityCertificate, Supplier
from insurable.suppliers.requirements import Effective, effective
from insurable.text import Text

__all__ = ["STATUS_ORDER", "Finding", "Status", "SupplierStatus", "evaluate", "evaluate_register"]

Status = Literal["expired", "gap", "expiring", "unknown", "compliant"]
#: Worst first: the first status any finding has is the supplier's status.
STATUS_ORDER: tuple[Status, ...] = ("expired", "gap", "expiring", "unknown", "compliant")
COVER_NAMES = {
    "cyber": Text(nl="cyber", en="cyber"),
    "pi": Text(nl="beroepsaansprakelijkheid", en="professional indemnity"),
    "do": Text(nl="bestuurdersaansprakelijkheid", en="D&O"),
}

T = TypeVar("T")


@dataclass(frozen=True)
class Finding:
    """One requirement of one supplier: its status, why, and the evidence read."""

    requirement: str
    status: Status
    reason: Text
    evidence: str | None = None
    expires: dt.date | None = None
    days_left: int | None = None
    alert_days: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "requirement": self.requirement,
            "status": self.status,
            "reason": {"nl": self.reason.nl, "en": self.reason.en},
            "evidence": self.evidence,
            "expires": self.expires.isoformat() if self.expires else None,
            "days_left": self.days_left,
            "alert_days": self.alert_days,
        }


@dataclass(frozen=True)
class SupplierStatus:
    supplier: Supplier
    status: Status
    findings: tuple[Finding, ...]
    edited_requirements: bool = False
    critical: bool = field(default=False)

    def as_dict(self) -> dict[str, object]:
        s = self.supplier
        return {
            "id": s.id,
            "name": s.name,
            "tier": s.tier,
            "supports_essential_service": s.supports_essential_service,
            "status": self.status,
            "findings": [f.as_dict() for f in self.findings],
        }


def _eur(amount: float) -> str:
    return f"EUR {amount:,.0f}"


def _worst(statuses: Iterable[Status]) -> Status:
    found = set(statuses)
    return next((s for s in STATUS_ORDER if s in found), "compliant")


def covered_until(
    items: Iterable[T], start: Callable[[T], dt.date], end: Callable[[T], dt.date], as_of: dt.date
) -> tuple[dt.date, T] | None:
    """The last day of unbroken validity from ``as_of`` over items (a renewal that starts by the
    day after the previous one ends continues it), and the item that ends it; None when nothing is
    valid on ``as_of``."""
    pool = list(items)
    day = as_of
    found: tuple[dt.date, T] | None = None
    while True:
        valid = [i for i in pool if start(i) <= day <= end(i)]
        if not valid:
            return found
        last = max(valid, key=end)
        found = (end(last), last)
        day = found[0] + dt.timedelta(days=1)
        pool = [i for i in pool if end(i) > found[0]]


def _coi_start(c: InsuranceCertificate) -> dt.date:
    return c.start


def _coi_end(c: InsuranceCertificate) -> dt.date:
    return c.end


def _issued(c: SecurityCertificate) -> dt.date:
    return c.issued


def _valid_until(c: SecurityCertificate) -> dt.date:
    return c.valid_until or c.issued


def _alert(days_left: int, alert_days: tuple[int, ...]) -> int | None:
    inside = [d for d in alert_days if days_left <= d]
    return min(inside) if inside else None


def _expiry(
    requirement: str, what: Text, evidence: str, until: dt.date, as_of: dt.date, alert_days: tuple[int, ...]
) -> Finding:
    left = (until - as_of).days
    level = _alert(left, alert_days)
    if level is None:
        reason = Text(nl=f"{what.nl}: in orde tot {until.isoformat()}", en=f"{what.en}: met until {until.isoformat()}")
        return Finding(requirement, "compliant", reason, evidence, until, left)
    reason = Text(
        nl=f"{what.nl}: verloopt op {until.isoformat()} (over {left} dagen), geen verlenging ontvangen",
        en=f"{what.en}: expires on {until.isoformat()} (in {left} days), no renewal received",
    )
    return Finding(requirement, "expiring", reason, evidence, until, left, level)


def _cover(
    cover: CoverId, minimum: float, max_ded: float | None, s: Supplier, as_of: dt.date, alerts: tuple[int, ...]
) -> Finding:
    req = f"cover.{cover}"
    name = COVER_NAMES[cover]
    what = Text(
        nl=f"{name.nl}-dekking van ten minste {_eur(minimum)}", en=f"{name.en} cover of at least {_eur(minimum)}"
    )
    holding = [c for c in s.insurance if cover in c.limits_eur]
    declared = s.shared.answers.get("q.insurance.current_cyber") if s.shared is not None else None
    if not holding and cover == "cyber" and declared is not None and not s.declared_uninsured:
        on = s.shared.assessed.isoformat() if s.shared is not None else ""
        if declared is True:
            return Finding(
                req,
                "unknown",
                Text(
                    nl=f"{what.nl}: volgens de eigen beoordeling ({on}) verzekerd; certificaat nog niet ontvangen",
                    en=f"{what.en}: insured according to its own assessment ({on}); no certificate received yet",
                ),
                f"assessment {on}",
            )
        return Finding(
            req,
            "gap",
            Text(
                nl=f"{what.nl}: volgens de eigen beoordeling ({on}) geen cyberverzekering",
                en=f"{what.en}: no cyber insurance according to its own assessment ({on})",
            ),
            f"assessment {on}",
        )
    if not holding:
        if s.declared_uninsured:
            return Finding(
                req,
                "gap",
                Text(
                    nl=f"{what.nl}: leverancier verklaart niet verzekerd te zijn",
                    en=f"{what.en}: the supplier declares it is not insured",
                ),
            )
        return Finding(
            req,
            "gap",
            Text(nl=f"{what.nl}: geen verzekeringscertificaat", en=f"{what.en}: no certificate of insurance"),
        )

    def meets(c: InsuranceCertificate) -> bool:
        return c.limits_eur[cover] >= minimum and (max_ded is None or c.deductible_eur <= max_ded)

    good = [c for c in holding if meets(c) and c.confirmed]
    span = covered_until(good, _coi_start, _coi_end, as_of)
    if span is not None:
        until, last = span
        return _expiry(req, what, f"{last.insurer} {last.policy_number}", until, as_of, alerts)
    current = [c for c in holding if c.start <= as_of <= c.end]
    if current:
        c = max(current, key=lambda c: c.limits_eur[cover])
        ev = f"{c.insurer} {c.policy_number}"
        if not c.confirmed:
            return Finding(
                req,
                "unknown",
                Text(
                    nl=f"{what.nl}: certificaat nog niet bevestigd",
                    en=f"{what.en}: certificate values not yet confirmed",
                ),
                ev,
            )
        if c.limits_eur[cover] < minimum:
            return Finding(
                req,
                "gap",
                Text(
                    nl=f"{what.nl}: verzekerd bedrag {_eur(c.limits_eur[cover])} is te laag",
                    en=f"{what.en}: the limit of {_eur(c.limits_eur[cover])} is too low",
                ),
                ev,
                c.end,
            )
        return Finding(
            req,
            "gap",
            Text(
                nl=f"{what.nl}: eigen risico {_eur(c.deductible_eur)} boven het maximum {_eur(max_ded or 0)}",
                en=f"{what.en}: deductible {_eur(c.deductible_eur)} above the maximum {_eur(max_ded or 0)}",
            ),
            ev,
            c.end,
        )
    ended = [c for c in holding if c.end < as_of]
    if ended:
        c = max(ended, key=lambda c: c.end)
        return Finding(
            req,
            "expired",
            Text(
                nl=f"{what.nl}: polis verlopen op {c.end.isoformat()}",
                en=f"{what.en}: policy expired on {c.end.isoformat()}",
            ),
            f"{c.insurer} {c.policy_number}",
            c.end,
            (c.end - as_of).days,
        )
    c = min(holding, key=lambda c: c.start)
    return Finding(
        req,
        "gap",
        Text(
            nl=f"{what.nl}: polis gaat pas in op {c.start.isoformat()}",
            en=f"{what.en}: policy starts only on {c.start.isoformat()}",
        ),
        f"{c.insurer} {c.policy_number}",
    )


def _security_evidence(req: Effective, s: Supplier, as_of: dt.date, alerts: tuple[int, ...]) -> Finding | None:
    kinds = req.security_evidence
    if not kinds:
        return None
    labels = {"iso27001": "ISO 27001", "soc2": "SOC 2"}
    names = " / ".join(labels.get(k, k) for k in kinds)
    what = Text(nl=f"{names}-certificaat", en=f"{names} certificate")
    certs = [c for c in s.certificates if c.kind in kinds]
    in_scope = [c for c in certs if c.covers_services and c.valid_until is not None]
    span = covered_until(in_scope, _issued, _valid_until, as_of)
    if span is not None:
        until, last = span
        return _expiry(
            "evidence.security", what, f"{labels.get(last.kind, last.kind)} {last.issuer}", until, as_of, alerts
        )
    if any(not c.covers_services for c in certs):
        return Finding(
            "evidence.security",
            "gap",
            Text(
                nl=f"{what.nl}: de scope omvat de geleverde diensten niet",
                en=f"{what.en}: its scope does not include the services delivered",
            ),
        )
    ended = [c for c in in_scope if c.valid_until is not None and c.valid_until < as_of]
    if ended:
        c = max(ended, key=lambda c: c.valid_until or c.issued)
        end = c.valid_until or c.issued
        return Finding(
            "evidence.security",
            "expired",
            Text(nl=f"{what.nl}: verlopen op {end.isoformat()}", en=f"{what.en}: expired on {end.isoformat()}"),
            f"{labels.get(c.kind, c.kind)} {c.issuer}",
            end,
            (end - as_of).days,
        )
    return Finding("evidence.security", "gap", Text(nl=f"{what.nl}: niet aangeleverd", en=f"{what.en}: not provided"))


def _pentest(max_age: int, s: Supplier, as_of: dt.date, alerts: tuple[int, ...]) -> Finding:
    what = Text(
        nl=f"pentestverklaring van hoogstens {max_age} dagen oud", en=f"pen-test letter at most {max_age} days old"
    )
    letters = [c for c in s.certificates if c.kind == "pentest"]

    def end(c: SecurityCertificate) -> dt.date:
        return c.issued + dt.timedelta(days=max_age)

    span = covered_until(letters, _issued, end, as_of)
    if span is not None:
        until, last = span
        return _expiry(
            "evidence.pentest", what, f"pentest {last.issuer} {last.issued.isoformat()}", until, as_of, alerts
        )
    old = [c for c in letters if end(c) < as_of]
    if old:
        c = max(old, key=end)
        return Finding(
            "evidence.pentest",
            "expired",
            Text(
                nl=f"{what.nl}: laatste test {c.issued.isoformat()} is te oud",
                en=f"{what.en}: the last test of {c.issued.isoformat()} is too old",
            ),
            f"pentest {c.issuer}",
            end(c),
            (end(c) - as_of).days,
        )
    return Finding("evidence.pentest", "gap", Text(nl=f"{what.nl}: niet aangeleverd", en=f"{what.en}: not provided"))


def _security(catalogue: SupplierRequirementsFile, rid: str, s: Supplier, as_of: dt.date, max_age: int) -> Finding:
    sreq = catalogue.requirement(rid)
    shared = s.shared if s.shared is not None and (as_of - s.shared.assessed).days <= max_age else None
    if shared is not None and sreq.control is not None and sreq.control in shared.controls_missing:
        on = shared.assessed.isoformat()
        return Finding(
            rid,
            "gap",
            Text(
                nl=f"{sreq.name.nl}: volgens de eigen beoordeling van de leverancier ({on}) niet op orde",
                en=f"{sreq.name.en}: not in place according to the supplier's own assessment ({on})",
            ),
            f"assessment {shared.assessed.isoformat()}",
        )
    if rid in s.confirmed:
        return Finding(
            rid,
            "compliant",
            Text(nl=f"{sreq.name.nl}: bevestigd in het contract", en=f"{sreq.name.en}: confirmed in the contract"),
            "contract",
        )
    if shared is not None and sreq.control is not None and sreq.control in shared.controls_in_place:
        return Finding(
            rid,
            "compliant",
            Text(
                nl=f"{sreq.name.nl}: op orde volgens de gedeelde beoordeling",
                en=f"{sreq.name.en}: in place according to the shared assessment",
            ),
            f"assessment {shared.assessed.isoformat()}",
        )
    return Finding(rid, "unknown", Text(nl=f"{sreq.name.nl}: niet bevestigd", en=f"{sreq.name.en}: not confirmed"))


def evaluate(
    catalogue: SupplierRequirementsFile, register: Register, supplier: Supplier, as_of: dt.date
) -> SupplierStatus:
    """The supplier's status on ``as_of`` with a finding per requirement."""
    req = effective(catalogue, register, supplier.tier)
    critical = supplier.tier == "critical" or supplier.supports_essential_service
    if not supplier.answered:
        nothing = Finding(
            "supplier.answer",
            "unknown",
            Text(
                nl="nog geen verzekerings- of beveiligingsgegevens ontvangen",
                en="no insurance or security evidence received yet",
            ),
        )
        return SupplierStatus(supplier, "unknown", (nothing,), req.edited, critical)
    alerts = catalogue.alert_days
    ages = {e.id: e.max_age_days for e in catalogue.evidence}
    findings: list[Finding] = [
        _cover(cover, minimum, req.insurance.max_deductible_eur, supplier, as_of, alerts)
        for cover, minimum in req.insurance.required_covers().items()
    ]
    security = _security_evidence(req, supplier, as_of, alerts)
    if security is not None:
        findings.append(security)
    if req.pentest_required:
        findings.append(_pentest(ages.get("pentest") or 365, supplier, as_of, alerts))
    findings += [_security(catalogue, rid, supplier, as_of, ages.get("assessment") or 365) for rid in req.requirements]
    return SupplierStatus(supplier, _worst(f.status for f in findings), tuple(findings), req.edited, critical)


def evaluate_register(catalogue: SupplierRequirementsFile, register: Register, as_of: dt.date) -> list[SupplierStatus]:
    """Every supplier's status, worst first, then by name."""
    out = [evaluate(catalogue, register, s, as_of) for s in register.suppliers]
    return sorted(out, key=lambda r: (STATUS_ORDER.index(r.status), r.supplier.name.casefold()))
