"""An offer entered field by field (the web form), generated from the offer model's fields.

:func:`offer_form` walks :class:`~insurable.offers.model.Offer` and its sections (premium, one cover
section per catalogue coverage, one exclusion per kind, PI, D&O, the tower layer) and gives one
:class:`FormField` per value, its kind taken from the field's type (an amount for ``*_eur``, a
percentage for coinsurance and the insurance tax rate, yes/no for a ``bool``, yes/no/not stated for
an optional one, a choice for a ``Literal``, ids from the catalogue for activities, controls and
vendor products) and its bounds from the model's constraints. A test checks that every field of the
model has its form field, so the form cannot drift from the format.

:func:`read_form` reads the submitted strings in the interface language (Dutch amounts such as
"€ 2,5 mln" with :func:`insurable.amounts.parse_amount`), validates the result as an offer with the
same checks as a YAML file (:func:`insurable.offers.read.offer_problems`) and returns the offer or
every problem at once, each under the name of the field it belongs to, in Dutch and English.
:func:`form_values` turns a stored offer back into the strings that pre-fill the form. Pure: no web
framework here.
"""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from babel.numbers import format_decimal
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from insurable.amounts import AmountError, parse_amount
from insurable.catalog.loader import Catalog
from insurable.offers.model import EXCLUSION_KINDS, CoverSection, Exclusion, Layer, LiabilitySection, Offer, Premium
from insurable.text import Lang, Text

__all__ = [
    "FormField",
    "FormSection",
    "form_values",
    "offer_form",
    "read_form",
]

Kind = Literal["text", "amount", "number", "percent", "date", "choice", "yesno", "tristate", "ids", "lines", "flag"]

#: BI coverages: the only ones whose waiting and indemnity period the loss model reads.
BI_COVERAGES = ("cov.business_interruption", "cov.contingent_bi")
#: Offer fields the form does not show: the format version, and the evidence (clauses) that an
#: extracted offer carries; editing keeps it.
NOT_ON_FORM = frozenset({"format_version", "clauses", "insured_activities_clause"})
SECTION_FIELDS = frozenset(
    {"coverages", "exclusions", "premium", "professional_liability", "directors_officers", "layer"}
)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")

#: Labels (and a few hints) per field name, Dutch and English.
LABELS: dict[str, tuple[str, str]] = {
    "id": ("Korte naam (id)", "Short name (id)"),
    "insurer": ("Verzekeraar", "Insurer"),
    "insurer_rating": ("Financiële rating van de verzekeraar", "Insurer's financial-strength rating"),
    "insurer_tied_to_vendor": ("Verbonden beveiligingsleverancier", "Tied security vendor"),
    "insurer_tied_vendor_products": ("Producten van die leverancier", "That vendor's products"),
    "product": ("Product", "Product"),
    "kind": ("Soort", "Kind"),
    "language": ("Taal van de voorwaarden", "Language of the wording"),
    "insured_activities": ("Verzekerde hoedanigheid (activiteiten)", "Insured capacity (activities)"),
    "basis": ("Grondslag", "Basis"),
    "retroactive_date": ("Terugwerkende kracht vanaf", "Retroactive date"),
    "retroactive_unlimited": ("Onbeperkte terugwerkende kracht", "Unlimited retroactive cover"),
    "territory": ("Verzekeringsgebied", "Territory"),
    "limit_eur": ("Verzekerd bedrag per aanspraak (EUR)", "Limit per claim (EUR)"),
    "aggregate_limit_eur": ("Verzekerd bedrag per jaar (EUR)", "Annual aggregate (EUR)"),
    "deductible_eur": ("Eigen risico (EUR)", "Deductible (EUR)"),
    "security_conditions": ("Minimale beveiligingseisen", "Minimum-security conditions"),
    "required_contract_terms": (
        "Verplichte contractvoorwaarden (één per regel)",
        "Required contract terms (one a line)",
    ),
    "cancellation_after_claim": ("Verzekeraar mag opzeggen na een schade", "Insurer may cancel after a claim"),
    "notification_hours": ("Meldtermijn incident (uren)", "Incident notification deadline (hours)"),
    "incident_response_panel": ("Incidentresponspanel", "Incident-response panel"),
    "hotline_24_7": ("24/7 hulplijn", "24/7 hotline"),
    "net_eur": ("Premie per jaar, excl. assurantiebelasting (EUR)", "Annual premium before insurance tax (EUR)"),
    "insurance_tax_rate": ("Assurantiebelasting (%)", "Insurance tax (%)"),
    "term_months": ("Looptijd (maanden)", "Term (months)"),
    "covered": ("Gedekt", "Covered"),
    "sublimit_eur": ("Sublimiet per jaar (EUR)", "Annual sublimit (EUR)"),
    "coinsurance": ("Eigen aandeel (%)", "Coinsurance (%)"),
    "waiting_period_hours": ("Wachttijd (uren)", "Waiting period (hours)"),
    "waiting_period_replaces_deductible": (
        "Wachttijd vervangt het eigen risico",
        "Waiting period replaces the deductible",
    ),
    "indemnity_period_days": ("Uitkeringstermijn (dagen)", "Indemnity period (days)"),
    "variant": ("Variant (bv. LMA5567A, absolute)", "Variant (e.g. LMA5567A, absolute)"),
    "coverages": ("Haalt deze dekkingen weg", "Removes these coverages"),
    "covers_cyber_incidents": ("Dekt claims na een cyberincident", "Covers claims after a cyber incident"),
    "covers_nis2_liability": ("Dekt bestuurdersaansprakelijkheid voor NIS2-plichten", "Covers directors' NIS2 duties"),
    "programme": ("Programma (gedeeld door de lagen)", "Programme (shared by its layers)"),
    "attachment_eur": ("Ligt boven (EUR; 0 voor de primaire laag)", "Attaches at (EUR; 0 for the primary)"),
    "present": ("Deze sectie zit in de offerte", "The offer has this section"),
}
HELP: dict[str, tuple[str, str]] = {
    "id": (
        "Kleine letters, cijfers en - _ . ; leeg: afgeleid van verzekeraar en product.",
        "Lower-case letters, digits and - _ . ; empty: made from insurer and product.",
    ),
    "limit_eur": ("Bedragen zoals 1.000.000, € 2,5 mln of 250k.", "Amounts such as 1,000,000, € 2.5 mln or 250k."),
    "aggregate_limit_eur": ("Leeg: gelijk aan het bedrag per aanspraak.", "Empty: the same as the limit per claim."),
}
OPTION_LABELS: dict[str, tuple[str, str]] = {
    "quote": ("offerte", "quote"),
    "policy": ("polis", "policy"),
    "nl": ("Nederlands", "Dutch"),
    "en": ("Engels", "English"),
    "claims_made": ("claims-made", "claims made"),
    "occurrence": ("loss occurrence (schadedatum)", "occurrence"),
    "eu": ("EU", "EU"),
    "europe": ("Europa", "Europe"),
    "worldwide": ("wereldwijd", "worldwide"),
    "worldwide_excl_us_ca": ("wereldwijd, excl. VS/Canada", "worldwide excl. US/Canada"),
    "war": ("oorlog", "war"),
    "state_backed": ("aanval door een staat", "state-backed attack"),
    "infrastructure": ("uitval infrastructuur", "infrastructure failure"),
    "betterment": ("verbetering (betterment)", "betterment"),
    "fines": ("boetes", "fines"),
    "identity_fraud": ("identiteitsfraude", "identity fraud"),
    "ceo_fraud": ("CEO-fraude", "CEO fraud"),
    "unencrypted_devices": ("onversleutelde apparaten", "unencrypted devices"),
    "unpatched_software": ("niet-bijgewerkte software", "unpatched software"),
    "professional_services": ("beroepsdiensten", "professional services"),
    "contractual_liability": ("contractuele aansprakelijkheid", "contractual liability"),
    "other": ("overig", "other"),
}
SECTION_TITLES: dict[str, tuple[str, str]] = {
    "offer": ("Offerte en verzekeraar", "Offer and insurer"),
    "cover": ("Hoedanigheid, grondslag en gebied", "Capacity, basis and territory"),
    "limits": ("Bedragen", "Amounts"),
    "coverages": ("Dekkingen", "Coverages"),
    "exclusions": ("Uitsluitingen", "Exclusions"),
    "conditions": ("Voorwaarden", "Conditions"),
    "premium": ("Premie en looptijd", "Premium and term"),
    "professional_liability": ("Beroepsaansprakelijkheid (BA)", "Professional liability (PI)"),
    "directors_officers": ("Bestuurdersaansprakelijkheid (D&O)", "Directors and officers (D&O)"),
    "layer": ("Laag in een programma (toren)", "Layer in a programme (tower)"),
}
GROUPS: dict[str, str] = {
    "id": "offer",
    "insurer": "offer",
    "insurer_rating": "offer",
    "insurer_tied_to_vendor": "offer",
    "insurer_tied_vendor_products": "offer",
    "product": "offer",
    "kind": "offer",
    "language": "offer",
    "insured_activities": "cover",
    "basis": "cover",
    "retroactive_date": "cover",
    "retroactive_unlimited": "cover",
    "territory": "cover",
    "limit_eur": "limits",
    "aggregate_limit_eur": "limits",
    "deductible_eur": "limits",
}
#: Fields of a liability section that belong to one kind of section only.
LIABILITY_ONLY = {"professional_liability": "covers_cyber_incidents", "directors_officers": "covers_nis2_liability"}
PERCENT_FIELDS = frozenset({"coinsurance", "insurance_tax_rate"})

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Vul dit veld in.", "Fill in this field."),
    "amount": ("Vul een bedrag in, zoals 250.000 of € 2,5 mln.", "Enter an amount such as 250,000 or € 2.5 mln."),
    "number": ("Vul een getal in, zoals 12.", "Enter a number such as 12."),
    "whole": ("Vul een heel getal in.", "Enter a whole number."),
    "percent": ("Vul een percentage in, zoals 10 of 10 %.", "Enter a percentage such as 10 or 10 %."),
    "date": ("Vul een datum in als JJJJ-MM-DD.", "Enter a date as YYYY-MM-DD."),
    "choice": ("Kies een van de opties.", "Choose one of the options."),
    "ge": ("Moet minstens {n} zijn.", "Must be at least {n}."),
    "gt": ("Moet groter zijn dan {n}.", "Must be more than {n}."),
    "le": ("Mag hoogstens {n} zijn.", "Must be at most {n}."),
    "lt": ("Moet kleiner zijn dan {n}.", "Must be less than {n}."),
    "id": (
        "Gebruik kleine letters, cijfers en - _ . (begin met een letter of cijfer).",
        "Use lower-case letters, digits and - _ . (start with a letter or digit).",
    ),
    "aggregate": (
        "Het bedrag per jaar kan niet lager zijn dan het bedrag per aanspraak.",
        "The annual aggregate cannot be below the limit per claim.",
    ),
    "no_cover": ("Kies ten minste één gedekte dekking.", "Tick at least one covered coverage."),
    "invalid": ("Niet geldig: {reason}", "Not valid: {reason}"),
}


def _msg(key: str, **params: Any) -> Text:
    nl, en = MESSAGES[key]
    return Text(nl=nl.format(**params), en=en.format(**params))


def _text(pair: tuple[str, str]) -> Text:
    return Text(nl=pair[0], en=pair[1])


@dataclass(frozen=True)
class FormField:
    """One input: ``name`` is the submitted key and the dotted path the error is shown under."""

    name: str
    kind: Kind
    label: Text
    help: Text | None = None
    options: tuple[tuple[str, Text], ...] = ()
    required: bool = False
    bounds: tuple[tuple[str, float], ...] = ()
    integer: bool = False

    @property
    def dom_id(self) -> str:
        return "of-" + re.sub(r"[^a-zA-Z0-9_-]", "-", self.name)


@dataclass(frozen=True)
class FormSection:
    """A fieldset: ``key`` names it; ``toggle`` is the flag that includes it (a coverage, an
    exclusion, the PI or D&O section, the layer), ``None`` for the always-present groups."""

    key: str
    title: Text
    fields: tuple[FormField, ...]
    toggle: FormField | None = None
    group: str = ""


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``None`` and whether ``None`` was allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), len(args) < len(get_args(annotation))
    return annotation, False


def _bounds(info: FieldInfo) -> tuple[tuple[str, float], ...]:
    out: list[tuple[str, float]] = []
    for m in info.metadata:
        for cls, key, attr in ((Ge, "ge", "ge"), (Gt, "gt", "gt"), (Le, "le", "le"), (Lt, "lt", "lt")):
            if isinstance(m, cls):
                out.append((key, float(getattr(m, attr))))
    return tuple(out)


def _field(
    name: str,
    field: str,
    info: FieldInfo,
    options: Mapping[str, tuple[tuple[str, Text], ...]],
    label: Text | None = None,
) -> FormField:
    annotation, optional = _unwrap(info.annotation)
    bounds = _bounds(info)
    required = info.is_required()
    help_pair = HELP.get(field)
    common: dict[str, Any] = {
        "name": name,
        "label": label or _text(LABELS[field]),
        "help": _text(help_pair) if help_pair else None,
        "required": required,
        "bounds": bounds,
    }
    if field in options:
        kind: Kind = "ids"
        return FormField(kind=kind, options=options[field], **common)
    if field in PERCENT_FIELDS:
        return FormField(kind="percent", **common)
    if field.endswith("_eur"):
        return FormField(kind="amount", **common)
    if annotation is bool:
        return FormField(kind="tristate" if optional else "yesno", **common)
    if annotation is dt.date:
        return FormField(kind="date", **common)
    if get_origin(annotation) is Literal:
        choices = tuple((str(v), _text(OPTION_LABELS.get(str(v), (str(v), str(v))))) for v in get_args(annotation))
        return FormField(kind="choice", options=choices, **common)
    if annotation in (int, float):
        return FormField(kind="number", integer=annotation is int, **common)
    if get_origin(annotation) is tuple:
        return FormField(kind="lines", **common)
    return FormField(kind="text", **common)


def _model_fields(
    model: type[BaseModel], prefix: str, options: Mapping[str, tuple[tuple[str, Text], ...]], skip: frozenset[str]
) -> tuple[FormField, ...]:
    return tuple(
        _field(f"{prefix}{name}", name, info, options)
        for name, info in model.model_fields.items()
        if name not in skip and name != "clause"
    )


def _catalogue_options(catalog: Catalog) -> dict[str, tuple[tuple[str, Text], ...]]:
    vendor = tuple(
        (o.id, o.text)
        for q in catalog.questionnaire.questions
        if q.id.startswith("q.vendor.")
        for o in (q.options or ())
    )
    return {
        "insured_activities": tuple((a.id, a.name) for a in catalog.vocabulary.activities),
        "security_conditions": tuple((c.id, c.name) for c in catalog.controls.controls),
        "insurer_tied_vendor_products": tuple(dict.fromkeys(vendor)),
        "coverages": tuple((c.id, c.name) for c in catalog.coverages.coverages),
    }


def _flag(name: str, label: Text) -> FormField:
    return FormField(name=name, kind="flag", label=label)


def offer_form(catalog: Catalog) -> tuple[FormSection, ...]:
    """Every section and field of the offer form, in the order the form shows them."""
    options = _catalogue_options(catalog)
    top: dict[str, list[FormField]] = {}
    conditions: list[FormField] = []
    for name, info in Offer.model_fields.items():
        if name in NOT_ON_FORM or name in SECTION_FIELDS:
            continue
        field = _field(name, name, info, options)
        if name == "id":
            field = replace(field, required=False)  # made from insurer and product when empty
        group = GROUPS.get(name)
        if group is None:
            conditions.append(field)
        else:
            top.setdefault(group, []).append(field)
    sections = [FormSection(g, _text(SECTION_TITLES[g]), tuple(top[g])) for g in ("offer", "cover", "limits")]
    for cov_id, cov_name in options["coverages"]:
        skip = frozenset({"coverage", "covered"}) | (
            frozenset()
            if cov_id in BI_COVERAGES
            else frozenset({"waiting_period_hours", "waiting_period_replaces_deductible", "indemnity_period_days"})
        )
        fields = _model_fields(CoverSection, f"{cov_id}.", options, skip)
        sections.append(
            FormSection(
                cov_id, cov_name, fields, toggle=_flag(f"{cov_id}.covered", _text(LABELS["covered"])), group="coverages"
            )
        )
    for kind in EXCLUSION_KINDS:
        fields = _model_fields(Exclusion, f"exclusion.{kind}.", options, frozenset({"kind"}))
        label = _text(OPTION_LABELS[kind])
        sections.append(
            FormSection(
                f"exclusion.{kind}",
                label,
                fields,
                toggle=_flag(
                    f"exclusion.{kind}.present", Text(nl=f"Uitsluiting: {label.nl}", en=f"Exclusion: {label.en}")
                ),
                group="exclusions",
            )
        )
    sections.append(FormSection("conditions", _text(SECTION_TITLES["conditions"]), tuple(conditions)))
    sections.append(
        FormSection(
            "premium", _text(SECTION_TITLES["premium"]), _model_fields(Premium, "premium.", options, frozenset())
        )
    )
    for key, only in LIABILITY_ONLY.items():
        other = frozenset(v for v in LIABILITY_ONLY.values() if v != only)
        sections.append(
            FormSection(
                key,
                _text(SECTION_TITLES[key]),
                _model_fields(LiabilitySection, f"{key}.", options, other),
                toggle=_flag(f"{key}.present", _text(LABELS["present"])),
            )
        )
    sections.append(
        FormSection(
            "layer",
            _text(SECTION_TITLES["layer"]),
            _model_fields(Layer, "layer.", options, frozenset()),
            toggle=_flag("layer.present", _text(LABELS["present"])),
        )
    )
    return tuple(sections)


def all_fields(sections: Sequence[FormSection]) -> tuple[FormField, ...]:
    return tuple(f for s in sections for f in ((s.toggle,) if s.toggle else ()) + s.fields)


# -- reading a submitted form --------------------------------------------------------------------

Form = Mapping[str, Sequence[str]]


def _first(form: Form, name: str) -> str:
    values = form.get(name) or ()
    return str(values[0]).strip() if values else ""


def _check_bounds(field: FormField, value: float) -> Text | None:
    for key, bound in field.bounds:
        bad = {"ge": value < bound, "gt": value <= bound, "le": value > bound, "lt": value >= bound}[key]
        if bad:
            shown = f"{bound * 100:g} %" if field.kind == "percent" else f"{bound:g}"
            return _msg(key, n=shown)
    return None


def _read_number(raw: str, lang: Lang) -> float:
    text = raw.replace("%", "").strip()
    return float(parse_amount(text, lang))


def _parse(field: FormField, form: Form, lang: Lang) -> tuple[Any, Text | None]:  # noqa: PLR0911, PLR0912
    """The value of one field (``None`` when empty) or the reason it cannot be read."""
    if field.kind == "ids":
        chosen = [str(v) for v in form.get(field.name) or () if str(v)]
        known = {o for o, _ in field.options}
        if any(v not in known for v in chosen):
            return None, _msg("choice")
        return tuple(dict.fromkeys(chosen)), None
    if field.kind == "flag":
        return _first(form, field.name) in ("1", "on", "yes", "true"), None
    raw = _first(form, field.name)
    if not raw:
        return None, None
    if field.kind == "lines":
        return tuple(line.strip() for line in raw.splitlines() if line.strip()), None
    if field.kind in ("yesno", "tristate"):
        if raw not in ("yes", "no"):
            return None, _msg("choice")
        return raw == "yes", None
    if field.kind == "choice":
        if raw not in {o for o, _ in field.options}:
            return None, _msg("choice")
        return raw, None
    if field.kind == "date":
        for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
            try:
                return dt.datetime.strptime(raw, pattern).date(), None
            except ValueError:
                continue
        return None, _msg("date")
    if field.kind in ("amount", "number", "percent"):
        try:
            number = _read_number(raw, lang) if field.kind != "amount" else float(parse_amount(raw, lang))
        except (AmountError, ValueError, ArithmeticError):
            return None, _msg({"amount": "amount", "number": "number", "percent": "percent"}[field.kind])
        if field.integer and not float(number).is_integer():
            return None, _msg("whole")
        value = number / 100 if field.kind == "percent" else number
        problem = _check_bounds(field, value)
        if problem is not None:
            return None, problem
        return (int(value) if field.integer else value), None
    return raw, None


def _slug(*parts: str) -> str:
    text = "-".join(p for p in parts if p).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:60].strip("-") or "offer"


def _section(values: dict[str, Any], prefix: str, keep: Mapping[str, Any] | None) -> dict[str, Any]:
    out = {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix) and v not in (None, ())}
    if keep and keep.get("clause") is not None:
        out["clause"] = keep["clause"]
    return out


def read_form(
    form: Form, catalog: Catalog, lang: Lang, previous: Mapping[str, Any] | None = None
) -> tuple[Offer | None, dict[str, Any], dict[str, Text]]:
    """The offer a submitted form describes, the data it was built from, and every problem by field
    name (empty when the offer is valid). ``previous``: the stored offer being edited, whose
    clauses (the evidence read from a PDF) are kept."""
    from insurable.offers.read import offer_problems

    sections = offer_form(catalog)
    errors: dict[str, Text] = {}
    values: dict[str, Any] = {}
    for section in sections:
        if section.toggle is not None:
            on, _ = _parse(section.toggle, form, lang)
            values[section.toggle.name] = on
            if not on:
                continue  # a section left out: what was typed in it is not read
        for field in section.fields:
            value, problem = _parse(field, form, lang)
            if problem is None and field.required and value is None:
                problem = _msg("required")
            if problem is not None:
                errors[field.name] = problem
            values[field.name] = value
    previous = previous or {}
    old_covers = {c.get("coverage"): c for c in previous.get("coverages") or () if isinstance(c, dict)}
    old_exclusions = {e.get("kind"): e for e in previous.get("exclusions") or () if isinstance(e, dict)}
    data: dict[str, Any] = {}
    for section in sections:
        if section.toggle is not None:
            continue
        for field in section.fields:
            value = values[field.name]
            if value is not None and value != () and "." not in field.name:
                data[field.name] = value
    if not data.get("id") and "id" not in errors:
        data["id"] = _slug(str(data.get("insurer") or ""), str(data.get("product") or ""))
    elif data.get("id") and not ID_PATTERN.match(str(data["id"])):
        errors["id"] = _msg("id")
    premium = _section(values, "premium.", None)
    if premium:
        data["premium"] = premium
    coverages: list[dict[str, Any]] = []
    where: dict[str, str] = {}
    for section in sections:
        if section.group == "coverages" and values.get(f"{section.key}.covered"):
            where[f"coverages[{len(coverages)}]"] = section.key
            coverages.append(
                {"coverage": section.key, **_section(values, f"{section.key}.", old_covers.get(section.key))}
            )
            coverages[-1].pop("covered", None)
    data["coverages"] = coverages
    if not coverages and not any(k.startswith("cov.") for k in errors):
        errors["coverages"] = _msg("no_cover")
    exclusions: list[dict[str, Any]] = []
    for kind in EXCLUSION_KINDS:
        if values.get(f"exclusion.{kind}.present"):
            where[f"exclusions[{len(exclusions)}]"] = f"exclusion.{kind}"
            section_values = _section(values, f"exclusion.{kind}.", old_exclusions.get(kind))
            section_values.pop("present", None)
            exclusions.append({"kind": kind, **section_values})
    if exclusions:
        data["exclusions"] = exclusions
    for key in (*LIABILITY_ONLY, "layer"):
        if values.get(f"{key}.present"):
            old = previous.get(key) if isinstance(previous.get(key), dict) else None
            part = _section(values, f"{key}.", old)
            part.pop("present", None)
            data[key] = part
    for keep in ("clauses", "insured_activities_clause"):
        if previous.get(keep):
            data[keep] = previous[keep]
    if errors:
        return None, data, errors
    offer, problems = offer_problems(dict(data), catalog)
    for found in problems:
        name, message = _problem_field(found.path, found.reason, where)
        errors.setdefault(name, message)
    return (offer if not errors else None), data, errors


def _problem_field(path: str, reason: str, where: Mapping[str, str]) -> tuple[str, Text]:
    """The form field a validation problem belongs to, and its message."""
    if "aggregate_limit_eur" in reason or path == "aggregate_limit_eur":
        return "aggregate_limit_eur", _msg("aggregate")
    match = re.match(r"^((?:coverages|exclusions)\[\d+\])\.?(.*)$", path)
    if match:
        prefix = where.get(match.group(1), match.group(1))
        rest = re.sub(r"\[\d+\]$", "", match.group(2))
        return (f"{prefix}.{rest}" if rest else prefix), _msg("invalid", reason=reason)
    if path.startswith("insured_activities") or path.startswith("security_conditions"):
        return path.split("[")[0], _msg("invalid", reason=reason)
    return path or "id", _msg("invalid", reason=reason)


# -- pre-filling from a stored offer ----------------------------------------------------------------


def _shown(field: FormField, value: Any, lang: Lang) -> str | list[str]:
    try:
        return _shown_value(field, value, lang)
    except (TypeError, ValueError, ArithmeticError):
        return str(value)  # a draft's odd value: shown as it is, for the user to correct


def _shown_value(field: FormField, value: Any, lang: Lang) -> str | list[str]:
    if value is None:
        return [] if field.kind == "ids" else ""
    if field.kind == "ids":
        return [str(v) for v in value] if isinstance(value, list | tuple) else []
    if isinstance(value, str) and field.kind not in ("text", "choice", "date"):
        return value  # a draft's value as written
    if field.kind == "flag":
        return "1" if value else ""
    if field.kind in ("yesno", "tristate"):
        return "yes" if value else "no"
    if field.kind == "lines":
        return "\n".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    if field.kind == "percent":
        return format_decimal(float(value) * 100, locale=lang, decimal_quantization=False, group_separator=False)
    if field.kind == "amount":
        return format_decimal(float(value), locale=lang, decimal_quantization=False)
    if field.kind == "number":
        return format_decimal(float(value), locale=lang, decimal_quantization=False, group_separator=False)
    return str(value)


def form_values(data: Mapping[str, Any], catalog: Catalog, lang: Lang) -> dict[str, str | list[str]]:
    """The strings that pre-fill the form for a stored offer (``Offer.model_dump()``, or a draft's
    data as far as it goes), amounts in the interface language."""
    flat: dict[str, Any] = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
    for key in ("insured_activities", "security_conditions", "insurer_tied_vendor_products", "required_contract_terms"):
        if isinstance(data.get(key), list | tuple):
            flat[key] = data[key]
    for key, value in (data.get("premium") or {}).items():
        flat[f"premium.{key}"] = value
    defaults = {name: info.default for name, info in CoverSection.model_fields.items()}
    for cover in data.get("coverages") or ():
        if not isinstance(cover, Mapping) or not isinstance(cover.get("coverage"), str):
            continue
        flat[f"{cover['coverage']}.covered"] = cover.get("covered", True)
        for key, value in cover.items():
            if key != "covered" and value != defaults.get(key, object()):
                flat[f"{cover['coverage']}.{key}"] = value
    for exclusion in data.get("exclusions") or ():
        if not isinstance(exclusion, Mapping) or not isinstance(exclusion.get("kind"), str):
            continue
        flat[f"exclusion.{exclusion['kind']}.present"] = True
        for key, value in exclusion.items():
            flat[f"exclusion.{exclusion['kind']}.{key}"] = value
    for key in (*LIABILITY_ONLY, "layer"):
        part = data.get(key)
        if isinstance(part, Mapping):
            flat[f"{key}.present"] = True
            for sub, value in part.items():
                flat[f"{key}.{sub}"] = value
    return {f.name: _shown(f, flat.get(f.name), lang) for f in all_fields(offer_form(catalog))}
