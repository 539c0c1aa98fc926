"""From raw answers to the answers rules read: skip logic, blanks, and controls put in place.

Insurers read a blank answer to a yes/no question as "no" (AIG ransomware supplemental: "blank
answer = No"); we do the same for every *visible* bool question and record it as assumed. Answers to
questions hidden by skip logic are ignored.

"Don't know" (``unknown``, where a question accepts it) is read as the unfavourable answer (the
opposite of the question's target, e.g. "RDP exposed: yes"; "no" where there is no target) and
recorded as assumed, so it never declines on its own; "not applicable" (``not_applicable``) reads as
if the question were hidden by skip logic. A "yes" to a retired (split) question carries over to each
of its parts that is not answered itself; a "no" to it says nothing about which part is missing, so
the parts stay blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from insurable.catalog.controls import Control
from insurable.catalog.questionnaire import Question, QuestionnaireFile
from insurable.conditions import holds
from insurable.nace import division
from insurable.profile import Organisation
from insurable.underwriting.memo import per_object
from insurable.underwriting.model import ControlState


@dataclass(frozen=True)
class EffectiveAnswers:
    values: dict[str, Any]
    visible: frozenset[str]
    assumed: frozenset[str]
    hidden: frozenset[str]
    #: visible questions with no answer (bool ones are also in ``assumed``: read as ``False``)
    blank: frozenset[str] = frozenset()


def profile_accessor(org: Organisation) -> Any:
    """Read a profile field, or a fact derived from one (``nace_division``, see :mod:`insurable.nace`)."""

    def read(name: str) -> Any:
        if name == "nace_division":
            return division(org.nace_code)
        return getattr(org, name, None)

    return read


def effective_answers(org: Organisation, questionnaire: QuestionnaireFile) -> EffectiveAnswers:
    """Apply skip logic (in questionnaire order) and read visible blank bool answers as ``False``."""
    values: dict[str, Any] = {}
    visible_ids: set[str] = set()
    assumed: set[str] = set()
    hidden: set[str] = set()
    blank: set[str] = set()
    read = profile_accessor(org)
    inherited = {
        part: True for old in questionnaire.retired if org.answers.get(old.id) is True for part in old.replaced_by
    }
    for q in questionnaire.questions:
        visible = q.show_if is None or holds(q.show_if, values, read)
        given = org.answers.get(q.id, inherited.get(q.id))
        if given == "not_applicable":
            visible = False
            given = None
        if not visible:
            if given is not None:
                hidden.add(q.id)
            continue
        visible_ids.add(q.id)
        if given == "unknown":
            values[q.id] = (not q.target) if isinstance(q.target, bool) else False
            assumed.add(q.id)
            continue
        if given is not None:
            values[q.id] = given
            continue
        blank.add(q.id)
        if q.type == "bool":
            values[q.id] = False
            assumed.add(q.id)
    return EffectiveAnswers(values, frozenset(visible_ids), frozenset(assumed), frozenset(hidden), frozenset(blank))


def evidencing(questionnaire: QuestionnaireFile, control_id: str) -> list[Question]:
    def build() -> dict[str, list[Question]]:
        found: dict[str, list[Question]] = {}
        for q in questionnaire.questions:
            for ctl in q.evidences:
                found.setdefault(ctl, []).append(q)
        return found

    return per_object(questionnaire, "evidencing", build).get(control_id, [])


def control_state(
    control: Control, questionnaire: QuestionnaireFile, answers: EffectiveAnswers
) -> tuple[ControlState, tuple[str, ...], tuple[str, ...]]:
    """Whether a control is in place, judged on its visible evidencing questions."""
    met: list[str] = []
    unmet: list[str] = []
    for q in evidencing(questionnaire, control.id):
        if q.id not in answers.visible:
            # A follow-up question hidden by skip logic says nothing about the control.
            continue
        (met if q.meets_target(answers.values.get(q.id)) else unmet).append(q.id)
    if not met and not unmet:
        return "not_applicable", (), ()
    if not unmet:
        return "in_place", tuple(met), ()
    return ("partial" if met else "missing"), tuple(met), tuple(unmet)


def with_control_in_place(
    answers: Mapping[str, Any], questionnaire: QuestionnaireFile, control_id: str
) -> dict[str, Any]:
    """Raw answers with every question evidencing ``control_id`` set to its target answer."""
    changed = dict(answers)
    for q in evidencing(questionnaire, control_id):
        if q.meets_target(changed.get(q.id)):
            continue
        target = q.target
        changed[q.id] = list(target) if isinstance(target, tuple) else target
    return changed
