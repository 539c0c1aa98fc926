"""Alerts: expiry at 90/60/30 days and new gaps, found by comparing with what was known before.

The previous state is a mapping ``"supplier/requirement" -> {"status", "alert_days"}`` (what
:func:`state_of` returns; the CLI keeps it in a JSON file, the service in the store). An expiry alert
is raised when a finding enters a closer threshold (none -> 90 -> 60 -> 30); a gap alert when a
finding becomes ``gap`` or ``expired`` that was not so before. With no previous state every current
problem is new. The e-mail text is composed here, in Dutch or English; sending is an adapter's job
(:mod:`insurable.mail`). Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from insurable.suppliers.status import Finding, SupplierStatus
from insurable.text import Lang

__all__ = ["Alert", "alerts", "message", "state_of"]

AlertKind = Literal["expiry", "gap", "expired"]
State = dict[str, dict[str, object]]


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    supplier_id: str
    supplier_name: str
    finding: Finding

    def text(self, lang: Lang) -> str:
        return f"{self.supplier_name}: {self.finding.reason.get(lang)}"

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "supplier": self.supplier_id, **self.finding.as_dict()}


def _key(status: SupplierStatus, finding: Finding) -> str:
    return f"{status.supplier.id}/{finding.requirement}"


def state_of(statuses: Iterable[SupplierStatus]) -> State:
    """What to remember for the next comparison."""
    return {
        _key(s, f): {"status": f.status, "alert_days": f.alert_days}
        for s in statuses
        for f in s.findings
        if f.status != "compliant" or f.alert_days is not None
    }


def alerts(previous: Mapping[str, Mapping[str, object]] | None, statuses: Iterable[SupplierStatus]) -> list[Alert]:
    """The alerts that are new since ``previous`` (None: everything that needs action now)."""
    before = previous or {}
    out: list[Alert] = []
    for status in statuses:
        for finding in status.findings:
            old = before.get(_key(status, finding), {})
            if finding.status in ("gap", "expired"):
                if old.get("status") != finding.status:
                    kind: AlertKind = "expired" if finding.status == "expired" else "gap"
                    out.append(Alert(kind, status.supplier.id, status.supplier.name, finding))
            elif finding.alert_days is not None:
                old_days = old.get("alert_days")
                if not isinstance(old_days, int) or finding.alert_days < old_days:
                    out.append(Alert("expiry", status.supplier.id, status.supplier.name, finding))
    order = {"expired": 0, "gap": 1, "expiry": 2}
    return sorted(out, key=lambda a: (order[a.kind], a.finding.days_left if a.finding.days_left is not None else 0))


SUBJECT = {
    "nl": "{client}: {n} leveranciersmelding(en) op {date}",
    "en": "{client}: {n} supplier alert(s) on {date}",
}
HEADINGS: dict[AlertKind, dict[str, str]] = {
    "expired": {"nl": "Verlopen", "en": "Expired"},
    "gap": {"nl": "Nieuwe tekortkomingen", "en": "New gaps"},
    "expiry": {"nl": "Verloopt binnenkort", "en": "Expiring soon"},
}
INTRO = {
    "nl": "Dit zijn de nieuwe meldingen over de leveranciers van {client} op {date}.",
    "en": "These are the new alerts about the suppliers of {client} on {date}.",
}
FOOTER = {
    "nl": "Indicatief: gebaseerd op de gegevens die de leveranciers hebben aangeleverd. "
    "Bekijk de leveranciers in insurable voor de redenen en het bewijs.",
    "en": "Indicative: based on the evidence the suppliers provided. "
    "See the suppliers in insurable for the reasons and the evidence.",
}


def message(client: str, found: list[Alert], as_of: dt.date, lang: Lang, link: str | None = None) -> tuple[str, str]:
    """Subject and plain-text body of the alert e-mail, in ``lang``."""
    date = as_of.isoformat()
    subject = SUBJECT[lang].format(client=client, n=len(found), date=date)
    lines = [INTRO[lang].format(client=client, date=date), ""]
    for kind in ("expired", "gap", "expiry"):
        group = [a for a in found if a.kind == kind]
        if not group:
            continue
        lines.append(f"{HEADINGS[kind][lang]} ({len(group)}):")
        lines += [f"- {a.text(lang)}" + (f" [{a.finding.evidence}]" if a.finding.evidence else "") for a in group]
        lines.append("")
    if link:
        lines += [link, ""]
    lines.append(FOOTER[lang])
    return subject, "\n".join(lines) + "\n"
