"""The checklist review of one offer for one organisation (pure).

Each rule of ``offer_checklist.yaml`` has one evaluator here under the same id (a Prowler-style
check: a small function plus its metadata in the catalogue). An evaluator reads the offer and what
we know of the organisation (profile, answers, NIS2 outcome) and returns the outcome, the message
key and its placeholders, and the clause it rests on. Messages and sources stay in the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from insurable.catalog.header import Frozen
from insurable.catalog.loader import Catalog
from insurable.catalog.offers import ChecklistRule, OfferChecklistFile, Status
from insurable.offers.model import Clause, Offer
from insurable.profile import Organisation
from insurable.text import Lang, Text

__all__ = ["CHECKLIST_FILE", "CheckResult", "Context", "EVALUATORS", "check_offer", "context_for"]

CHECKLIST_FILE = "offer_checklist.yaml"

#: Activities of firms that run IT for others: they need professional liability beside cyber.
IT_SERVICE_ACTIVITIES = ("saas", "msp", "mssp", "hosting", "cloud", "data_centre", "software_development")


@dataclass(frozen=True)
class Context:
    """What the checklist knows of the organisation."""

    org: Organisation
    nis2_classification: str | None
    fine_cap_eur: float | None
    controls: Mapping[str, str]  # control id -> in_place / partial / missing / not_applicable
    coverage_names: dict[str, Text]
    first_party: tuple[str, ...]


class CheckResult(Frozen):
    rule: str
    status: Status
    finding: str = Field(description="the message key in the catalogue (an outcome or a named finding)")
    point: Text
    message: Text
    evidence: Clause | None = None
    field: str | None = Field(default=None, description="the offer field the evidence is for")
    origin: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    status: Status
    key: str
    params: dict[str, Any]
    field: str | None = None
    evidence: Clause | None = None


def _eur(value: float | None) -> str:
    return "-" if value is None else f"EUR {value:,.0f}".replace(",", ".")


def _names(ctx: Context, ids: list[str] | tuple[str, ...]) -> Text:
    def one(i: str, lang: Lang) -> str:
        return ctx.coverage_names[i].get(lang) if i in ctx.coverage_names else i

    return Text(nl=", ".join(one(i, "nl") for i in ids), en=", ".join(one(i, "en") for i in ids))


def _covered(offer: Offer, cov: str) -> bool:
    section = offer.cover(cov)
    return section is not None and section.covered and not offer.excluded_by(cov)


def _cover_clause(offer: Offer, cov: str) -> Clause | None:
    section = offer.cover(cov)
    removed = offer.excluded_by(cov)
    if removed and removed[0].clause is not None:
        return removed[0].clause
    return section.clause if section is not None else offer.clauses.get(cov)


def _insured_capacity(offer: Offer, ctx: Context) -> Outcome:
    evidence = offer.insured_activities_clause or offer.clauses.get("insured_activities")
    if not offer.insured_activities:
        return Outcome("unknown", "unknown", {}, "insured_activities", evidence)
    own = tuple(ctx.org.activities or ())
    if not own:
        return Outcome(
            "unknown", "no_profile", {"insured": ", ".join(offer.insured_activities)}, "insured_activities", evidence
        )
    missing = [a for a in own if a not in offer.insured_activities]
    if missing:
        return Outcome("not_met", "not_met", {"missing": ", ".join(missing)}, "insured_activities", evidence)
    return Outcome("met", "met", {"activities": ", ".join(own)}, "insured_activities", evidence)


def _own_damage(offer: Offer, ctx: Context) -> Outcome:
    missing = [c for c in ctx.first_party if not _covered(offer, c)]
    clause = _cover_clause(offer, missing[0]) if missing else None
    if not missing:
        return Outcome("met", "met", {})
    if len(missing) == len(ctx.first_party):
        return Outcome("not_met", "not_met", {}, "coverages", clause)
    return Outcome("partly", "partly", {"missing": _names(ctx, missing)}, f"coverages.{missing[0]}", clause)


def _sublimit_text(offer: Offer, cov: str) -> Text | str:
    section = offer.cover(cov)
    if section is None or section.sublimit_eur is None:
        return ""
    return Text(nl=f" (sublimiet {_eur(section.sublimit_eur)})", en=f" (sublimit {_eur(section.sublimit_eur)})")


def _third_party(offer: Offer, _ctx: Context) -> Outcome:
    cov = "cov.liability"
    if _covered(offer, cov):
        return Outcome("met", "met", {"sublimit": _sublimit_text(offer, cov)}, cov, _cover_clause(offer, cov))
    return Outcome("not_met", "not_met", {}, cov, _cover_clause(offer, cov))


def _fines(offer: Offer, ctx: Context) -> Outcome:
    cov = "cov.regulatory"
    clause = _cover_clause(offer, cov)
    exclusion = offer.exclusion("fines")
    if not _covered(offer, cov) or (exclusion is not None and exclusion.variant != "where_uninsurable"):
        return Outcome("not_met", "not_met", {}, cov, exclusion.clause if exclusion else clause)
    section = offer.cover(cov)
    assert section is not None
    in_scope = ctx.nis2_classification in ("essential", "important")
    if section.sublimit_eur is not None and in_scope and ctx.fine_cap_eur and section.sublimit_eur < ctx.fine_cap_eur:
        params = {"sublimit_eur": _eur(section.sublimit_eur), "fine_cap": _eur(ctx.fine_cap_eur)}
        return Outcome("partly", "partly", params, f"{cov}.sublimit_eur", clause)
    if exclusion is None:
        # Fines covered with no 'where insurable by law' qualifier: criminal fines stay uninsurable.
        return Outcome("partly", "unqualified", {}, cov, clause)
    return Outcome("met", "met", {"sublimit": _sublimit_text(offer, cov)}, cov, exclusion.clause or clause)


def _fraud(offer: Offer, _ctx: Context) -> Outcome:
    cov = "cov.financial_fraud"
    clause = _cover_clause(offer, cov)
    if not _covered(offer, cov):
        return Outcome("not_met", "not_met", {}, cov, clause)
    partial = [e for e in offer.exclusions if e.kind in ("identity_fraud", "ceo_fraud")]
    if partial:
        names = {"identity_fraud": ("identiteitsfraude", "identity fraud"), "ceo_fraud": ("CEO-fraude", "CEO fraud")}
        detail = Text(
            nl=", ".join(f"{names[e.kind][0]} uitgesloten" for e in partial),
            en=", ".join(f"{names[e.kind][1]} excluded" for e in partial),
        )
        return Outcome("partly", "partly", {"detail": detail}, cov, partial[0].clause or clause)
    return Outcome("met", "met", {"sublimit": _sublimit_text(offer, cov)}, cov, clause)


def _extortion(offer: Offer, _ctx: Context) -> Outcome:
    cov = "cov.extortion"
    clause = _cover_clause(offer, cov)
    if not _covered(offer, cov):
        return Outcome("not_met", "not_met", {}, cov, clause)
    section = offer.cover(cov)
    assert section is not None
    nl: list[str] = []
    en: list[str] = []
    if section.sublimit_eur is not None and section.sublimit_eur < offer.limit_eur:
        nl.append(f"sublimiet {_eur(section.sublimit_eur)}")
        en.append(f"sublimit {_eur(section.sublimit_eur)}")
    if section.coinsurance > 0:
        nl.append(f"u draagt zelf {section.coinsurance:.0%} van elke schade")
        en.append(f"you keep {section.coinsurance:.0%} of each loss")
    if en:
        return Outcome("partly", "partly", {"detail": Text(nl="; ".join(nl), en="; ".join(en))}, cov, clause)
    return Outcome("met", "met", {}, cov, clause)


def _pi_cyber(offer: Offer, ctx: Context) -> Outcome:
    it_services = [a for a in (ctx.org.activities or ()) if a in IT_SERVICE_ACTIVITIES]
    pi = offer.professional_liability
    excl = offer.exclusion("professional_services")
    cyber_liability = _covered(offer, "cov.liability")
    cyber_covers_professional = cyber_liability and excl is None
    if not it_services:
        return Outcome("not_applicable", "not_applicable", {})
    if pi is None:
        side = (
            Text(
                nl="; de cyberaansprakelijkheid sluit beroepswerkzaamheden uit",
                en="; the cyber liability cover excludes professional services",
            )
            if not cyber_covers_professional
            else Text(
                nl="; alleen de cyberaansprakelijkheid beantwoordt claims van klanten na een incident",
                en="; only the cyber liability cover answers customers' claims after an incident",
            )
        )
        return Outcome("not_met", "no_pi", {"activities": ", ".join(it_services), "cyber_side": side},
                       "professional_liability", excl.clause if excl else None)  # fmt: skip
    if pi.covers_cyber_incidents is None:
        return Outcome("unknown", "unknown", {}, "professional_liability", pi.clause)
    if not pi.covers_cyber_incidents and not cyber_covers_professional:
        return Outcome("not_met", "gap", {}, "professional_liability", pi.clause or (excl.clause if excl else None))
    if pi.covers_cyber_incidents and cyber_covers_professional:
        return Outcome("partly", "overlap", {}, "professional_liability", pi.clause)
    return Outcome("met", "met", {}, "professional_liability", pi.clause)


def _contract_terms(offer: Offer, _ctx: Context) -> Outcome:
    clause = offer.clauses.get("required_contract_terms")
    if offer.required_contract_terms:
        return Outcome(
            "partly", "partly", {"terms": "; ".join(offer.required_contract_terms)}, "required_contract_terms", clause
        )
    return Outcome("met", "met", {}, "required_contract_terms", clause)


def _cancellation(offer: Offer, _ctx: Context) -> Outcome:
    clause = offer.clauses.get("cancellation_after_claim")
    value = offer.cancellation_after_claim
    if value is None:
        return Outcome("unknown", "unknown", {}, "cancellation_after_claim", clause)
    return Outcome("not_met" if value else "met", "not_met" if value else "met", {}, "cancellation_after_claim", clause)


def _directors(offer: Offer, ctx: Context) -> Outcome:
    if ctx.nis2_classification is None:
        return Outcome("unknown", "no_nis2", {}, "directors_officers")
    if ctx.nis2_classification not in ("essential", "important"):
        return Outcome("not_applicable", "not_applicable", {})
    dno = offer.directors_officers
    if dno is None:
        kind = {"essential": Text(nl="essentiële", en="essential"), "important": Text(nl="belangrijke", en="important")}
        return Outcome("not_met", "not_met", {"classification": kind[ctx.nis2_classification]}, "directors_officers")
    if dno.covers_nis2_liability:
        return Outcome("met", "met", {}, "directors_officers", dno.clause)
    return Outcome("partly", "partly", {}, "directors_officers", dno.clause)


#: The questionnaire's vendor questions (questionnaire 2.0): which products the firm runs.
VENDOR_QUESTIONS = (
    "q.vendor.edr",
    "q.vendor.mfa",
    "q.vendor.remote_access",
    "q.vendor.email",
    "q.vendor.cloud_provider",
)


def _vendor(offer: Offer, ctx: Context) -> Outcome:
    clause = offer.clauses.get("insurer_tied_to_vendor")
    used = {str(ctx.org.answers.get(q)) for q in VENDOR_QUESTIONS if ctx.org.answers.get(q) is not None}
    own = [p for p in offer.insurer_tied_vendor_products if p in used]
    if offer.insurer_tied_to_vendor and own:
        params = {"vendor": offer.insurer_tied_to_vendor, "products": ", ".join(own)}
        return Outcome("not_met", "own_vendor", params, "insurer_tied_to_vendor", clause)
    if offer.insurer_tied_to_vendor:
        return Outcome("not_met", "not_met", {"vendor": offer.insurer_tied_to_vendor}, "insurer_tied_to_vendor", clause)
    return Outcome("met", "met", {}, "insurer_tied_to_vendor", clause)


def _retroactive(offer: Offer, _ctx: Context) -> Outcome:
    clause = offer.clauses.get("retroactive_date") or offer.clauses.get("basis")
    if offer.basis is None:
        return Outcome("unknown", "unknown", {}, "basis", clause)
    if offer.basis == "occurrence" or offer.retroactive_unlimited:
        basis = (
            Text(nl="op schadedatum", en="occurrence")
            if offer.basis == "occurrence"
            else Text(nl="claims-made, onbeperkte terugwerkende kracht", en="claims-made, unlimited retroactive cover")
        )
        return Outcome("met", "met", {"basis": basis}, "basis", clause)
    if offer.retroactive_date is not None:
        return Outcome("partly", "partly", {"date": offer.retroactive_date.isoformat()}, "retroactive_date", clause)
    return Outcome("not_met", "not_met", {}, "retroactive_date", clause)


#: War clauses that keep state-backed attacks covered below the 'major detrimental impact' threshold.
CARVE_BACK_WAR_CLAUSES = ("lma5567a", "lma5567b", "lma5566a", "lma5566b", "lma5565a", "lma5565b")


def _war(offer: Offer, _ctx: Context) -> Outcome:
    war = offer.exclusion("war") or offer.exclusion("state_backed")
    if war is None or war.variant is None:
        return Outcome("unknown", "unknown", {}, "exclusions.war", war.clause if war else None)
    variant = war.variant.lower().replace(" ", "").replace("-", "")
    if variant in CARVE_BACK_WAR_CLAUSES:
        return Outcome("met", "met", {"variant": war.variant}, "exclusions.war", war.clause)
    return Outcome("partly", "partly", {"variant": war.variant}, "exclusions.war", war.clause)


def _panel(offer: Offer, _ctx: Context) -> Outcome:
    clause = offer.clauses.get("incident_response_panel") or offer.clauses.get("hotline_24_7")
    panel, hotline = offer.incident_response_panel, offer.hotline_24_7
    if panel is None and hotline is None:
        return Outcome("unknown", "unknown", {}, "incident_response_panel", clause)
    if panel and hotline:
        return Outcome("met", "met", {}, "incident_response_panel", clause)
    if panel or hotline:
        line, team = Text(nl="24/7 hulplijn", en="24/7 hotline"), Text(nl="panel", en="panel")
        present, absent = (team, line) if panel else (line, team)
        return Outcome("partly", "partly", {"present": present, "absent": absent}, "incident_response_panel", clause)
    return Outcome("not_met", "not_met", {}, "incident_response_panel", clause)


#: Below this many hours a notification deadline is tight (the NIS2 early warning is due in 24 h).
TIGHT_NOTIFICATION_HOURS = 24


def _notification(offer: Offer, ctx: Context) -> Outcome:
    clause = offer.clauses.get("notification_hours")
    hours = offer.notification_hours
    if hours is None:
        return Outcome("unknown", "unknown", {}, "notification_hours", clause)
    nis2: Text | str = ""
    if ctx.nis2_classification in ("essential", "important"):
        nis2 = Text(
            nl="; daarnaast een vroege waarschuwing aan het CSIRT binnen 24 uur (NIS2)",
            en="; NIS2 early warning to the CSIRT within 24 hours as well",
        )
    status: Status = "partly" if hours < TIGHT_NOTIFICATION_HOURS else "met"
    return Outcome(status, status, {"hours": f"{hours:g}", "nis2": nis2}, "notification_hours", clause)


def _territory(offer: Offer, ctx: Context) -> Outcome:
    clause = offer.clauses.get("territory")
    territory = offer.territory
    if territory is None:
        return Outcome("unknown", "unknown", {}, "territory", clause)
    nl: list[str] = []
    en: list[str] = []
    us_share = ctx.org.answers.get("q.org.revenue_us_ca_pct")
    if isinstance(us_share, int | float) and us_share > 0 and territory != "worldwide":
        nl.append(f"{us_share:g} % van de omzet uit de VS en Canada")
        en.append(f"{us_share:g} % of revenue from the US and Canada")
    abroad = [c for c in (getattr(ctx.org, "eu_establishments", None) or ()) if c != "NL"]
    if territory == "nl" and (abroad or (ctx.org.country and ctx.org.country != "NL")):
        where = ", ".join(abroad or [str(ctx.org.country)])
        nl.append(f"vestigingen buiten Nederland: {where}")
        en.append(f"establishments outside the Netherlands: {where}")
    if en:
        reason = Text(nl="; ".join(nl), en="; ".join(en))
        return Outcome("not_met", "not_met", {"territory": territory, "reason": reason}, "territory", clause)
    return Outcome("met", "met", {"territory": territory}, "territory", clause)


#: Market standard BI waiting period (reference 4.2: 8-12 hours).
STANDARD_WAITING_HOURS = 12


def _waiting(offer: Offer, _ctx: Context) -> Outcome:
    cov = "cov.business_interruption"
    clause = _cover_clause(offer, cov)
    if not _covered(offer, cov):
        return Outcome("not_met", "not_met", {}, cov, clause)
    section = offer.cover(cov)
    assert section is not None
    hours = section.waiting_period_hours
    status: Status = "met" if hours <= STANDARD_WAITING_HOURS else "partly"
    return Outcome(status, status, {"hours": f"{hours:g}"}, f"{cov}.waiting_period_hours", clause)


def _security(offer: Offer, ctx: Context) -> Outcome:
    clause = offer.clauses.get("security_conditions")
    wanted = offer.security_conditions
    if not wanted:
        return Outcome("met", "met_none", {}, "security_conditions", clause)
    missing = [c for c in wanted if ctx.controls.get(c) == "missing"]
    partial = [c for c in wanted if ctx.controls.get(c) == "partial"]
    if missing:
        return Outcome("not_met", "not_met", {"missing": ", ".join(missing + partial)}, "security_conditions", clause)
    if partial:
        return Outcome("partly", "partly", {"partial": ", ".join(partial)}, "security_conditions", clause)
    return Outcome("met", "met", {"controls": ", ".join(wanted)}, "security_conditions", clause)


EVALUATORS: dict[str, Callable[[Offer, Context], Outcome]] = {
    "chk.insured_capacity": _insured_capacity,
    "chk.own_damage": _own_damage,
    "chk.third_party": _third_party,
    "chk.fines": _fines,
    "chk.identity_ceo_fraud": _fraud,
    "chk.extortion": _extortion,
    "chk.pi_cyber_overlap": _pi_cyber,
    "chk.contract_terms": _contract_terms,
    "chk.cancellation_after_claim": _cancellation,
    "chk.directors_officers": _directors,
    "chk.vendor_conflict": _vendor,
    "chk.retroactive_date": _retroactive,
    "chk.war_clause": _war,
    "chk.incident_panel": _panel,
    "chk.notification_deadline": _notification,
    "chk.territory": _territory,
    "chk.bi_waiting_period": _waiting,
    "chk.security_conditions": _security,
}


def _fill(text: Text, params: dict[str, Any]) -> Text:
    """The message with its placeholders filled, each language with its own words."""

    def values(lang: Lang) -> dict[str, Any]:
        return {k: v.get(lang) if isinstance(v, Text) else v for k, v in params.items()}

    return Text(nl=text.nl.format(**values("nl")), en=text.en.format(**values("en")))


def context_for(org: Organisation, catalog: Catalog) -> Context:
    """The organisation's side: NIS2 outcome (when its profile allows one), control states from its
    answers, and the catalogue's coverage names."""
    from insurable.errors import InputError
    from insurable.nis2 import classify, nis2_catalogue
    from insurable.underwriting.answers import control_state, effective_answers

    classification: str | None = None
    fine_cap: float | None = None
    try:
        result = classify(org, nis2_catalogue(catalog))
        classification, fine_cap = result.classification, result.fine_cap_eur
    except InputError:
        classification = None  # the profile lacks what NIS2 needs: the D&O point says so
    answers = effective_answers(org, catalog.questionnaire)
    controls = {c.id: control_state(c, catalog.questionnaire, answers)[0] for c in catalog.controls.controls}
    coverages = catalog.coverages.coverages
    return Context(
        org=org,
        nis2_classification=classification,
        fine_cap_eur=fine_cap,
        controls=controls,
        coverage_names={c.id: c.name for c in coverages},
        first_party=tuple(c.id for c in coverages if c.first_party),
    )


def check_offer(offer: Offer, ctx: Context, catalog: Catalog) -> tuple[CheckResult, ...]:
    """Every checklist rule, in catalogue order, for ``offer`` and the organisation in ``ctx``."""
    rules: tuple[ChecklistRule, ...] = catalog.get(CHECKLIST_FILE, OfferChecklistFile).rules
    results: list[CheckResult] = []
    for rule in rules:
        outcome = EVALUATORS[rule.id](offer, ctx)
        message = rule.messages.get(outcome.key) or rule.messages.get(outcome.status)
        if message is None:
            message = Text(nl=outcome.status, en=outcome.status)
        results.append(
            CheckResult(
                rule=rule.id,
                status=outcome.status,
                finding=outcome.key,
                point=rule.point,
                message=_fill(message, outcome.params),
                evidence=outcome.evidence,
                field=outcome.field,
                origin=rule.origin,
                sources=rule.sources,
            )
        )
    return tuple(results)
