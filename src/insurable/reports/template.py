"""Generate the commented organisation template from the catalogue, so it can never drift.

The template is empty: every profile field and every question is there with a comment saying what
it means, why insurers ask and (for follow-ups) when it is asked, but no value is filled in. An
untouched template assesses as ``incomplete``; it never pretends to be a firm.
"""

from __future__ import annotations

from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import Question
from insurable.text import Lang

_PROFILE_HINT = {
    "name": '"Example B.V."',
    "country": "NL",
    "nace_code": '"69.20" or the SBI code 6920',
    "activities": "[professional_services]",
    "employees": "60",
    "annual_turnover_eur": "6000000",
    "balance_sheet_total_eur": "2500000",
    "records_held": "8000",
    "requested_limit_eur": "1000000",
    "requested_deductible_eur": "5000",
    "nis2_entity_types": "[A1.9.0.1] for a managed service provider; [] for none",
    "group": "{relation: linked|partner, share, employees, annual_turnover_eur, balance_sheet_total_eur}",
    "nis2_flags": "qualified_trust_service_provider, public_administration, cer_critical_entity, "
    "member_state_designation",
}

_EMPTY = {"nis2_entity_types": "[]", "group": "[]", "nis2_flags": "{}"}


def _kind(q: Question, lang: Lang) -> str:
    if q.options:
        kind = " | ".join(o.id for o in q.options) + (" (list)" if q.type == "multi_choice" else "")
    else:
        unit = f" {q.unit.get(lang)}" if q.unit else ""
        kind = {
            "bool": "true | false",
            "number": f"number{unit}",
            "money": "amount in EUR",
            "percentage": "percentage 0-100",
            "date": "YYYY-MM-DD",
            "text": "text",
        }.get(q.type, q.type)
    if q.accepts:
        kind += " | " + " | ".join(q.accepts)
    return kind


def _when(q: Question, lang: Lang) -> str | None:
    if q.show_if is None:
        return None
    ids = sorted(q.show_if.question_ids() | q.show_if.profile_fields())
    word = "alleen als" if lang == "nl" else "only if"
    return f"{word}: {', '.join(ids)}"


def organisation_template(catalog: Catalog, lang: Lang = "en") -> str:
    """A YAML document with every profile field and every question, commented and empty."""
    if lang == "nl":
        intro = [
            "Organisatieprofiel en antwoorden voor `insurable assess`. Vul in wat u weet; laat de rest leeg.",
            "Een lege ja/nee-vraag telt als 'nee', zoals bij verzekeraars, maar zolang een knock-outvraag",
            "leeg is luidt het oordeel 'onvolledig'. 'unknown' = weet ik niet, 'not_applicable' = n.v.t.",
        ]
        example = "bijv."
    else:
        intro = [
            "Organisation profile and answers for `insurable assess`. Fill in what you know; leave the rest empty.",
            "A blank yes/no answer counts as 'no', as insurers read it, but while a knock-out question is",
            "blank the verdict is 'incomplete'. 'unknown' = don't know, 'not_applicable' = does not apply.",
        ]
        example = "e.g."
    lines = [*(f"# {line}" for line in intro), ""]
    for field in catalog.vocabulary.fields:
        if field.name == "answers":
            continue
        lines.append(f"# {field.label.get(lang)}: {field.help.get(lang)}")
        hint = _PROFILE_HINT.get(field.name)
        if hint:
            lines.append(f"#   {example} {hint}")
        lines.append(f"{field.name}: {_EMPTY.get(field.name, '')}".rstrip())
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
        when = _when(q, lang)
        if when:
            lines.append(f"  #   {when}")
        lines.append(f"  {q.id}:")
    return "\n".join(lines) + "\n"
