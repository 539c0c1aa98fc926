"""Every question is read by something: a guideline rule, skip logic, a loss-model effect or a named
reader (``read_by``: the underwriter in person, the portfolio view, the scanner). A question nobody
reads is an orphan: it costs the applicant time and changes nothing, so the catalogue check fails on
it. Retired questions must point at questions that exist (``replaced_by``) and at nothing they evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from insurable.catalog.loader import Catalog
from insurable.conditions import Condition
from insurable.errors import Problem


def _conditions(model: Any) -> Iterator[Condition]:
    """Every condition anywhere in a catalogue model tree."""
    if isinstance(model, Condition):
        yield model
        return
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from _conditions(getattr(model, name))
    elif isinstance(model, tuple | list):
        for item in model:
            yield from _conditions(item)


def questions_read(catalog: Catalog) -> dict[str, set[str]]:
    """Question id -> what reads it ('guideline', 'skip logic', the catalogue file of an effect, ...)."""
    readers: dict[str, set[str]] = {}
    for q in catalog.questionnaire.questions:
        if q.show_if is not None:
            for qid in q.show_if.question_ids():
                readers.setdefault(qid, set()).add("skip logic")
        for reader in q.read_by:
            readers.setdefault(q.id, set()).add(reader)
    for name, model in catalog.files.items():
        if name == "questionnaire.yaml":
            continue
        label = "guideline" if name == "guideline.yaml" else name
        for cond in _conditions(model):
            for qid in cond.question_ids():
                readers.setdefault(qid, set()).add(label)
    return readers


def check_question_use(catalog: Catalog) -> list[Problem]:
    if "questionnaire.yaml" not in catalog.files:
        return []
    file = str(catalog.paths.get("questionnaire.yaml", catalog.directory / "questionnaire.yaml"))
    qn = catalog.questionnaire
    readers = questions_read(catalog)
    problems: list[Problem] = []
    for i, q in enumerate(qn.questions):
        if not readers.get(q.id):
            problems.append(
                Problem(
                    f"questions[{i}]",
                    f"orphan question {q.id!r}: no rule, skip logic, loss-model effect or read_by reads it",
                    file,
                )
            )
    asked = {q.id for q in qn.questions}
    for i, old in enumerate(qn.retired):
        if old.id in asked:
            problems.append(Problem(f"retired[{i}].id", f"{old.id!r} is both asked and retired", file))
        for j, part in enumerate(old.replaced_by):
            if part not in asked:
                problems.append(Problem(f"retired[{i}].replaced_by[{j}]", f"unknown question id {part!r}", file))
        if old.evidences:
            problems.append(Problem(f"retired[{i}].evidences", "a retired question evidences no control", file))
    return problems
