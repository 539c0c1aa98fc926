"""The controls and questionnaire as a CISO Assistant library (its documented YAML library format).

One library holds:

- ``reference_controls``: our controls (``urn:insurable:risk:function:ctl.mfa``), with category and
  NIST CSF 2.0 function;
- ``framework``: the questionnaire, a requirement node per topic (not assessable) and per question
  (assessable), each question node pointing at the reference controls it evidences and carrying its
  answer options as a CISO Assistant question (``unique_choice``, ``multiple_choice``, ``text``,
  ``date``); skip logic and why insurers ask go in the node's annotation;
- ``requirement_mapping_sets``: our questions to ISO/IEC 27001:2022 requirement nodes of CISO
  Assistant's own ``iso27001-2022`` framework (``urn:intuitem:risk:req_node:iso27001-2022:a.5.17``),
  where our controls name an Annex A control or clause; the library depends on that library.

Dutch or English is the main locale; the other language is in ``translations``.
"""

from __future__ import annotations

from typing import Any

import yaml

from insurable.catalog.controls import Control
from insurable.catalog.loader import Catalog
from insurable.catalog.questionnaire import Question
from insurable.interchange.conditions_text import describe
from insurable.text import Lang

PREFIX = "urn:insurable:risk"
LIBRARY_URN = f"{PREFIX}:library:insurable-questionnaire"
FRAMEWORK_URN = f"{PREFIX}:framework:insurable-questionnaire"
NODE_URN = f"{PREFIX}:req_node:insurable-questionnaire"
ISO_LIBRARY_URN = "urn:intuitem:risk:library:iso27001-2022"
ISO_FRAMEWORK_URN = "urn:intuitem:risk:framework:iso27001-2022"
ISO_NODE_URN = "urn:intuitem:risk:req_node:iso27001-2022"

_CSF = {"GV": "govern", "ID": "identify", "PR": "protect", "DE": "detect", "RS": "respond", "RC": "recover"}
_YES_NO = {"en": ("Yes", "No"), "nl": ("Ja", "Nee")}
_SPECIAL = {
    "unknown": {"en": "Don't know", "nl": "Weet niet"},
    "not_applicable": {"en": "Not applicable", "nl": "N.v.t."},
}
_QUESTION_TYPE = {"bool": "unique_choice", "choice": "unique_choice", "multi_choice": "multiple_choice", "date": "date"}


def control_urn(control_id: str) -> str:
    return f"{PREFIX}:function:{control_id}"


def iso_node(ref: str) -> str | None:
    """CISO Assistant's node urn for one of our ISO/IEC 27001:2022 refs (``A.5.17``, ``clause 6.1``)."""
    text = ref.strip().lower().removeprefix("clause").strip()
    if not text or not all(part.isdigit() or part == "a" for part in text.split(".")):
        return None
    return f"{ISO_NODE_URN}:{text}"


def _category(control: Control) -> str:
    functions = {ref.split(".")[0] for ref in control.nist_csf}
    if functions and functions <= {"GV"}:
        return "policy"
    if control.id.startswith(("ctl.incident", "ctl.training", "ctl.suppliers", "ctl.payments")):
        return "process"
    return "technical"


def _other(lang: Lang) -> Lang:
    return "nl" if lang == "en" else "en"


def _reference_control(control: Control, lang: Lang) -> dict[str, Any]:
    out: dict[str, Any] = {
        "urn": control_urn(control.id),
        "ref_id": control.ref,
        "name": control.name.get(lang),
        "description": control.description.get(lang),
        "category": _category(control),
    }
    functions = [_CSF[r.split(".")[0]] for r in control.nist_csf if r.split(".")[0] in _CSF]
    if functions:
        out["csf_function"] = functions[0]
    other = _other(lang)
    out["translations"] = {other: {"name": control.name.get(other), "description": control.description.get(other)}}
    return out


def _choices(q: Question, node: str, lang: Lang) -> list[dict[str, Any]]:
    if q.type == "bool":
        values = [("true", _YES_NO[lang][0]), ("false", _YES_NO[lang][1])]
        values += [(a, _SPECIAL[a][lang]) for a in q.accepts]
        return [{"urn": f"{node}:question:1:choice:{key}", "value": value} for key, value in values]
    return [{"urn": f"{node}:question:1:choice:{o.id}", "value": o.text.get(lang)} for o in q.options]


def _annotation(q: Question, questions: dict[str, Question], lang: Lang) -> str:
    parts = [q.help.get(lang)]
    if q.show_if is not None:
        asked = {"en": "Asked only when", "nl": "Alleen gevraagd als"}[lang]
        parts.append(f"{asked}: {describe(q.show_if, questions, lang)}.")
    if q.type in ("number", "money", "percentage"):
        unit = f" ({q.unit.get(lang)})" if q.unit else ""
        parts.append({"en": "Answer with a number", "nl": "Antwoord met een getal"}[lang] + unit + ".")
    return "\n\n".join(parts)


def _question_node(q: Question, parent: str, questions: dict[str, Question], lang: Lang) -> dict[str, Any]:
    node = f"{NODE_URN}:{q.id}"
    other = _other(lang)
    out: dict[str, Any] = {
        "urn": node,
        "assessable": True,
        "depth": 2,
        "parent_urn": parent,
        "ref_id": q.id,
        "description": q.text.get(lang),
        "annotation": _annotation(q, questions, lang),
    }
    if q.evidences:
        out["reference_controls"] = [control_urn(c) for c in q.evidences]
    question: dict[str, Any] = {"type": _QUESTION_TYPE.get(q.type, "text"), "text": q.text.get(lang)}
    if q.type in ("bool", "choice", "multi_choice"):
        question["choices"] = _choices(q, node, lang)
    out["questions"] = {f"{node}:question:1": question}
    out["translations"] = {other: {"description": q.text.get(other), "annotation": _annotation(q, questions, other)}}
    return out


def library(catalog: Catalog, lang: Lang = "en") -> dict[str, Any]:
    """The library as a mapping (see the module docstring)."""
    qn = catalog.questionnaire
    header = qn.header
    controls = {c.id: c for c in catalog.controls.controls}
    questions = qn.by_id()
    other = _other(lang)
    nodes: list[dict[str, Any]] = []
    for topic in qn.topics:
        topic_urn = f"{NODE_URN}:{topic.id}"
        asked = [q for q in qn.questions if q.topic == topic.id]
        if not asked:
            continue
        nodes.append(
            {
                "urn": topic_urn,
                "assessable": False,
                "depth": 1,
                "ref_id": topic.id,
                "name": topic.title.get(lang),
                "description": topic.description.get(lang),
                "translations": {other: {"name": topic.title.get(other), "description": topic.description.get(other)}},
            }
        )
        nodes.extend(_question_node(q, topic_urn, questions, lang) for q in asked)
    mappings = []
    for q in qn.questions:
        targets = sorted({n for c in q.evidences for ref in controls[c].iso27001 if (n := iso_node(ref)) is not None})
        mappings += [
            {
                "source_requirement_urn": f"{NODE_URN}:{q.id}",
                "target_requirement_urn": target,
                "relationship": "intersect",
                "rationale": "semantic",
            }
            for target in targets
        ]
    major, minor, patch = (int(p) for p in header.version.split("."))
    title = {"en": "insurable cyber insurance questionnaire", "nl": "insurable cyberverzekeringsvragenlijst"}
    about = {
        "en": "The questions insurers ask before writing cyber insurance, with why they ask and the controls each "
        "answer evidences. Indicative; insurable (docs/interchange.md).",
        "nl": "De vragen die verzekeraars stellen voor een cyberverzekering, met waarom ze die stellen en de "
        "maatregelen die elk antwoord aantoont. Indicatief; insurable (docs/interchange.md).",
    }
    return {
        "urn": LIBRARY_URN,
        "locale": lang,
        "ref_id": "insurable-questionnaire",
        "name": title[lang],
        "description": about[lang],
        "copyright": f"insurable, {header.licence}",
        "version": major * 10_000 + minor * 100 + patch,
        "publication_date": header.date.isoformat(),
        "provider": "insurable",
        "packager": "insurable",
        "translations": {other: {"name": title[other], "description": about[other]}},
        "dependencies": [ISO_LIBRARY_URN],
        "objects": {
            "reference_controls": [_reference_control(c, lang) for c in catalog.controls.controls],
            "framework": {
                "urn": FRAMEWORK_URN,
                "ref_id": "insurable-questionnaire",
                "name": title[lang],
                "description": about[lang],
                "translations": {other: {"name": title[other], "description": about[other]}},
                "requirement_nodes": nodes,
            },
            "requirement_mapping_sets": [
                {
                    "urn": f"{PREFIX}:req_mapping_set:insurable-questionnaire-to-iso27001-2022",
                    "ref_id": "insurable-questionnaire-to-iso27001-2022",
                    "name": {
                        "en": "insurable questionnaire to ISO/IEC 27001:2022",
                        "nl": "insurable-vragenlijst naar ISO/IEC 27001:2022",
                    }[lang],
                    "description": {
                        "en": "Each question to the ISO/IEC 27001:2022 controls of the controls it evidences "
                        "(our analysis).",
                        "nl": "Elke vraag naar de ISO/IEC 27001:2022-maatregelen van de maatregelen die ze "
                        "aantoont (eigen analyse).",
                    }[lang],
                    "source_framework_urn": FRAMEWORK_URN,
                    "target_framework_urn": ISO_FRAMEWORK_URN,
                    "requirement_mappings": mappings,
                }
            ],
        },
    }


def library_yaml(catalog: Catalog, lang: Lang = "en") -> str:
    """The library as YAML text, ready for CISO Assistant's library import."""
    head = "# CISO Assistant library written by `insurable export ciso-assistant` (docs/interchange.md).\n"
    return head + yaml.safe_dump(library(catalog, lang), sort_keys=False, allow_unicode=True, width=110)
