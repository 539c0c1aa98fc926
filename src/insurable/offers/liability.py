"""Who pays a liability loss under one programme: the PI/cyber overlap-or-gap made explicit.

Four kinds of third-party and liability loss, and per kind which part of the programme answers it
(the cyber policy's liability or regulatory cover, the PI section, the D&O section), whether two
parts overlap, or whether the firm keeps it. Each line rests on one checklist rule and repeats its
message (:mod:`insurable.offers.check`), so the map says nothing the checklist does not:

- claims by customers and data subjects after a cyber incident (``chk.third_party``): the cyber
  liability cover, and the PI section when it covers cyber incidents;
- claims from errors in the firm's own (IT) services (``chk.pi_cyber_overlap``; only for firms that
  provide IT services): the PI section, and the cyber liability cover unless it excludes
  professional services;
- fines imposed by authorities (``chk.fines``): the cyber regulatory cover, as the checklist judges it;
- directors' personal liability for NIS2 duties (``chk.directors_officers``): the D&O section.

No amounts: there is no sourced loss model for PI or D&O claims, so these losses are named, not
simulated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from insurable.catalog.header import Frozen
from insurable.offers.check import CheckResult
from insurable.offers.model import Offer
from insurable.text import Text

__all__ = ["PART_LABELS", "SHORT", "STANDING_LABELS", "LiabilityLine", "liability_map"]

Standing = Literal["covered", "overlap", "partly", "uncovered", "unknown", "not_applicable"]
Part = Literal["cyber", "pi", "do"]

PART_LABELS: dict[str, Text] = {
    "cyber": Text(nl="cyberpolis", en="cyber policy"),
    "pi": Text(nl="beroepsaansprakelijkheid (BA)", en="professional liability (PI)"),
    "do": Text(nl="bestuurdersaansprakelijkheid (D&O)", en="directors and officers (D&O)"),
}
STANDING_LABELS: dict[str, Text] = {
    "covered": Text(nl="gedekt", en="covered"),
    "overlap": Text(nl="overlap", en="overlap"),
    "partly": Text(nl="deels", en="partly"),
    "uncovered": Text(nl="niet gedekt: u draagt het zelf", en="not covered: you keep it"),
    "unknown": Text(nl="onbekend", en="unknown"),
    "not_applicable": Text(nl="n.v.t.", en="n/a"),
}
KINDS: dict[str, tuple[str, Text]] = {
    "incident_claims": (
        "chk.third_party",
        Text(
            nl="Claims van klanten en betrokkenen na een cyberincident bij u",
            en="Claims by customers and data subjects after a cyber incident at your firm",
        ),
    ),
    "professional_claims": (
        "chk.pi_cyber_overlap",
        Text(nl="Claims door fouten in uw (IT-)dienstverlening", en="Claims from errors in your (IT) services"),
    ),
    "fines": ("chk.fines", Text(nl="Boetes van toezichthouders", en="Fines imposed by authorities")),
    "directors": (
        "chk.directors_officers",
        Text(nl="Persoonlijke aansprakelijkheid van bestuurders (NIS2)", en="Directors' personal liability (NIS2)"),
    ),
}


SHORT: dict[str, Text] = {
    "incident_claims": Text(nl="claims na een incident", en="incident claims"),
    "professional_claims": Text(nl="beroepsfouten", en="professional errors"),
    "fines": Text(nl="boetes", en="fines"),
    "directors": Text(nl="bestuurders (D&O)", en="directors (D&O)"),
}


class LiabilityLine(Frozen):
    """One kind of liability loss under one programme."""

    kind: str
    loss: Text
    answered_by: tuple[Part, ...]
    standing: Standing
    rule: str
    note: Text


def _covered(offer: Offer, cov: str) -> bool:
    section = offer.cover(cov)
    return section is not None and section.covered and not offer.excluded_by(cov)


def _standing(parts: Sequence[str]) -> Standing:
    return "overlap" if len(parts) > 1 else "covered" if parts else "uncovered"


def liability_map(offer: Offer, checklist: Sequence[CheckResult]) -> tuple[LiabilityLine, ...]:
    """The four kinds of liability loss for the programme whose primary is ``offer`` (excess layers
    follow its form), read from its ``checklist``."""
    results = {r.rule: r for r in checklist}
    cyber = _covered(offer, "cov.liability")
    pi = offer.professional_liability
    lines: list[LiabilityLine] = []

    def add(kind: str, parts: Sequence[Part], standing: Standing) -> None:
        rule, loss = KINDS[kind]
        found = results.get(rule)
        note = found.message if found is not None else Text(nl="-", en="-")
        lines.append(
            LiabilityLine(kind=kind, loss=loss, answered_by=tuple(parts), standing=standing, rule=rule, note=note)
        )

    incident: list[Part] = []
    if cyber:
        incident.append("cyber")
    if pi is not None and pi.covers_cyber_incidents:
        incident.append("pi")
    unsure = not incident and pi is not None and pi.covers_cyber_incidents is None
    add("incident_claims", incident, "unknown" if unsure else _standing(incident))

    pi_check = results.get("chk.pi_cyber_overlap")
    if pi_check is not None and pi_check.status == "not_applicable":
        add("professional_claims", [], "not_applicable")
    else:
        professional: list[Part] = []
        if pi is not None:
            professional.append("pi")
        if cyber and offer.exclusion("professional_services") is None:
            professional.append("cyber")
        add("professional_claims", professional, _standing(professional))

    fines = results.get("chk.fines")
    fine_parts: list[Part] = ["cyber"] if fines is not None and fines.status in ("met", "partly") else []
    fine_standing: Standing = {"met": "covered", "partly": "partly"}.get(  # type: ignore[assignment]
        fines.status if fines else "", "uncovered"
    )
    add("fines", fine_parts, fine_standing)

    directors = results.get("chk.directors_officers")
    status = directors.status if directors is not None else "unknown"
    do_parts: list[Part] = ["do"] if offer.directors_officers is not None else []
    do_standing: Standing = {
        "met": "covered",
        "partly": "partly",
        "not_met": "uncovered",
        "not_applicable": "not_applicable",
    }.get(status, "unknown")  # type: ignore[assignment]
    add("directors", do_parts, do_standing)
    return tuple(lines)
