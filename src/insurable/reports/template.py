"""Generate the commented organisation template from the catalogue, so it can never drift."""

from __future__ import annotations

from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import Question
from insurable.text import Lang

_PROFILE_EXAMPLE = {
    "name": '"Example B.V."',
    "country": "NL",
    "nace_code": '"62.02"',
    "activities": "[msp]",
    "employees": "25",
    "annual_turnover_eur": "4000000",
    "balance_sheet_total_eur": "1500000",
    "records_held": "20000",
    "requested_limit_eur": "1000000",
    "requested_deductible_eur": "10000",
    "nis2_entity_types": "[]   # e.g. [A1.9.0.1] for a managed service provider",
    "group": "[]   # partner/linked enterprises: {relation: linked|partner, share, employees, annual_turnover_eur, "
    "balance_sheet_total_eur}",
    "nis2_flags": "{}   # qualified_trust_service_provider, public_administration, cer_critical_entity, "
    "member_state_designation",
}


def _kind(q: Question, lang: Lang) -> str:
    if q.options:
        return " | ".join(o.id for o in q.options) + (" (list)" if q.type == "multi_choice" else "")
    unit = f" {q.unit.get(lang)}" if q.unit else ""
    return {
        "bool": "true | false",
        "number": f"number{unit}",
        "money": "amount in EUR",
        "percentage": "percentage 0-100",
        "date": "YYYY-MM-DD",
        "text": "text",
    }.get(q.type, q.type)


def organisation_template(catalog: Catalog, lang: Lang = "en") -> str:
    """A YAML document with every profile field and every question, commented, ready to fill in."""
    intro = (
        "Organisatieprofiel en antwoorden voor `insurable assess`. Laat een antwoord leeg als u het niet weet."
        if lang == "nl"
        else "Organisation profile and answers for `insurable assess`. Leave an answer empty if unknown."
    )
    blank = (
        "Een lege ja/nee-vraag telt als 'nee', zoals bij verzekeraars."
        if lang == "nl"
        else "A blank yes/no answer counts as 'no', as insurers read it."
    )
    lines = [f"# {intro}", f"# {blank}", ""]
    for field in catalog.vocabulary.fields:
        if field.name == "answers":
            continue
        lines.append(f"# {field.label.get(lang)}: {field.help.get(lang)}")
        lines.append(f"{field.name}: {_PROFILE_EXAMPLE.get(field.name, '')}".rstrip())
    activities = ", ".join(a.id for a in catalog.vocabulary.activities)
    lines += ["", f"# activities: {activities}", "", "answers:"]
    topics = {t.id: t for t in catalog.questionnaire.topics}
    current = None
    for q in catalog.questionnaire.questions:
        if q.topic != current:
            current = q.topic
            lines += ["", f"  # --- {topics[q.topic].title.get(lang)} ---"]
        lines.append(f"  # {q.text.get(lang)}")
        lines.append(f"  #   {_kind(q, lang)}")
        lines.append(f"  {q.id}:")
    return "\n".join(lines) + "\n"
