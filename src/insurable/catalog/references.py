"""Cross-reference checks: every id a catalogue file mentions must resolve, and nothing is orphaned.

Ids are the joints between files (questions evidence controls, rules read questions and name
coverages and controls, everything cites sources); this module is the meta-test's engine and part of
``insurable catalog check``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from insurable.catalog.loader import Catalog
from insurable.conditions import Condition
from insurable.errors import Problem
from insurable.nace import DERIVED_PROFILE_FIELDS
from insurable.profile import Organisation

PROFILE_FIELDS = (frozenset(Organisation.model_fields) - {"answers"}) | DERIVED_PROFILE_FIELDS

#: Further checks registered by feature packages (NIS2 annexes, loss-model perils, ...).
EXTRA_CHECKS: list[Callable[[Catalog], list[Problem]]] = []


def check_references(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    problems += _duplicates(catalog)
    problems += _sources(catalog)
    problems += _questionnaire(catalog)
    problems += _guideline(catalog)
    for extra in EXTRA_CHECKS:
        problems += extra(catalog)
    return problems


def _file(catalog: Catalog, name: str) -> str:
    return str(catalog.paths.get(name, catalog.directory / name))


def _duplicates(catalog: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    for name, model in catalog.files.items():
        for list_name, items in model:
            if not isinstance(items, tuple) or not items or not hasattr(items[0], "id"):
                continue
            counts = Counter(item.id for item in items)
            for i, item in enumerate(items):
                if counts[item.id] > 1:
                    problems.append(Problem(f"{list_name}[{i}].id", f"duplicate id {item.id!r}", _file(catalog, name)))
    return problems


def _cited(model: Any, path: str) -> Iterable[tuple[str, str]]:
    """Yield (path, source id) for every ``sources`` list anywhere in a model tree."""
    if isinstance(model, tuple):
        for i, item in enumerate(model):
            yield from _cited(item, f"{path}[{i}]")
        return
    if not isinstance(model, BaseModel):
        return
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name == "sources" and isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            for i, source in enumerate(value):
                yield f"{path}.sources[{i}]".lstrip("."), source
        elif name != "header":
            yield from _cited(value, f"{path}.{name}")


def _sources(catalog: Catalog) -> list[Problem]:
    known = catalog.sources()
    problems: list[Problem] = []
    for name, model in catalog.files.items():
        for path, source in _cited(model, ""):
            if source not in known:
                problems.append(Problem(path, f"unknown source id {source!r}", _file(catalog, name)))
    return problems


def check_condition(
    cond: Condition, path: str, file: str, catalog: Catalog, allow_questions: bool = True
) -> list[Problem]:
    """Problems with the ids a condition reads (questions, profile fields, options, activities)."""
    questions = catalog.questionnaire.by_id() if "questionnaire.yaml" in catalog.files else {}
    activities = {a.id for a in catalog.vocabulary.activities} if "vocabulary.yaml" in catalog.files else set()
    problems: list[Problem] = []
    for node in cond.walk():
        if node.q is not None:
            question = questions.get(node.q)
            if not allow_questions:
                problems.append(Problem(path, f"questions cannot be read here ({node.q!r})", file))
            elif question is None:
                problems.append(Problem(path, f"unknown question id {node.q!r}", file))
            elif question.type in ("choice", "multi_choice"):
                wanted = [v for v in (node.eq, node.ne, node.contains, *(node.in_ or ())) if isinstance(v, str)]
                for value in wanted:
                    if value not in question.option_ids():
                        problems.append(Problem(path, f"{node.q} has no option {value!r}", file))
        if node.profile is not None:
            if node.profile not in PROFILE_FIELDS:
                problems.append(Problem(path, f"unknown profile field {node.profile!r}", file))
            elif node.profile == "activities" and node.contains is not None and node.contains not in activities:
                problems.append(Problem(path, f"unknown activity {node.contains!r}", file))
    return problems


def _questionnaire(catalog: Catalog) -> list[Problem]:
    if "questionnaire.yaml" not in catalog.files or "controls.yaml" not in catalog.files:
        return []
    file = _file(catalog, "questionnaire.yaml")
    qn = catalog.questionnaire
    topics = {t.id for t in qn.topics}
    controls = {c.id for c in catalog.controls.controls}
    problems: list[Problem] = []
    evidenced: set[str] = set()
    for i, q in enumerate(qn.questions):
        if q.topic not in topics:
            problems.append(Problem(f"questions[{i}].topic", f"unknown topic {q.topic!r}", file))
        for j, ctl in enumerate(q.evidences):
            if ctl not in controls:
                problems.append(Problem(f"questions[{i}].evidences[{j}]", f"unknown control id {ctl!r}", file))
        evidenced.update(q.evidences)
        if q.show_if is not None:
            problems += check_condition(q.show_if, f"questions[{i}].show_if", file, catalog)
            if q.id in q.show_if.question_ids():
                problems.append(Problem(f"questions[{i}].show_if", "a question cannot depend on itself", file))
    used_topics = {q.topic for q in qn.questions}
    for i, t in enumerate(qn.topics):
        if t.id not in used_topics:
            problems.append(Problem(f"topics[{i}]", f"orphan topic {t.id!r}: no question uses it", file))
    cfile = _file(catalog, "controls.yaml")
    for i, c in enumerate(catalog.controls.controls):
        if c.id not in evidenced:
            problems.append(Problem(f"controls[{i}]", f"orphan control {c.id!r}: no question evidences it", cfile))
    return problems


def _guideline(catalog: Catalog) -> list[Problem]:
    if "guideline.yaml" not in catalog.files:
        return []
    file = _file(catalog, "guideline.yaml")
    g = catalog.guideline
    controls = {c.id for c in catalog.controls.controls} if "controls.yaml" in catalog.files else set()
    coverages = {c.id for c in catalog.coverages.coverages} if "coverages.yaml" in catalog.files else set()
    problems: list[Problem] = []
    for i, cls in enumerate(g.classification):
        problems += check_condition(cls.when, f"classification[{i}].when", file, catalog)
    for i, rule in enumerate(g.rules):
        problems += check_condition(rule.when, f"rules[{i}].when", file, catalog)
        if rule.coverage is not None and rule.coverage not in coverages:
            problems.append(Problem(f"rules[{i}].coverage", f"unknown coverage id {rule.coverage!r}", file))
        for j, ctl in enumerate(rule.fixed_by):
            if ctl not in controls:
                problems.append(Problem(f"rules[{i}].fixed_by[{j}]", f"unknown control id {ctl!r}", file))
    return problems


def _register_perils() -> None:
    from insurable.catalog.perils import check_perils

    EXTRA_CHECKS.append(check_perils)


_register_perils()


def _register_nis2() -> None:
    from insurable.nis2.checks import check_nis2

    EXTRA_CHECKS.append(check_nis2)


_register_nis2()


def _register_anchors() -> None:
    from insurable.catalog.anchors import check_anchors

    EXTRA_CHECKS.append(check_anchors)


_register_anchors()


def _register_question_use() -> None:
    from insurable.catalog.questionnaire_use import check_question_use

    EXTRA_CHECKS.append(check_question_use)


_register_question_use()


def _register_exposure() -> None:
    from insurable.catalog.exposure import check_exposure

    EXTRA_CHECKS.append(check_exposure)


_register_exposure()


def _register_lossmodel() -> None:
    from insurable.lossmodel.checks import check_effect_dimensions

    EXTRA_CHECKS.append(check_effect_dimensions)


_register_lossmodel()


def _register_offers() -> None:
    from insurable.offers.catalogue import check_offer_catalogues

    EXTRA_CHECKS.append(check_offer_catalogues)


_register_offers()


def _register_supplier_requirements() -> None:
    from insurable.catalog.supplier_requirements import check_supplier_requirements

    EXTRA_CHECKS.append(check_supplier_requirements)


_register_supplier_requirements()


def _register_systemic() -> None:
    from insurable.portfolio.catalog import check_systemic

    EXTRA_CHECKS.append(check_systemic)


_register_systemic()
