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

import heapq
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


_UNSET: Any = object()


def _identical(a: Any, b: Any) -> bool:
    """Equal and of the same type, element by element (``True`` and ``1`` differ)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@dataclass(frozen=True)
class _SkipGraph:
    """The questionnaire's skip logic as a graph: each question's position, the earlier questions its
    ``show_if`` reads, and the later questions whose ``show_if`` reads it."""

    position: dict[str, int]
    reads: tuple[tuple[str, ...], ...]
    readers: dict[str, tuple[int, ...]]
    parts: dict[str, tuple[str, ...]]


def _skip_graph(questionnaire: QuestionnaireFile) -> _SkipGraph:
    def build() -> _SkipGraph:
        questions = questionnaire.questions
        position = {q.id: i for i, q in enumerate(questions)}
        reads: list[tuple[str, ...]] = []
        readers: dict[str, list[int]] = {}
        for i, q in enumerate(questions):
            # Only earlier questions: a later one is never in the values when this one is read.
            ids = tuple(sorted(k for k in q.show_if.question_ids() if position.get(k, i) < i)) if q.show_if else ()
            reads.append(ids)
            for k in ids:
                readers.setdefault(k, []).append(i)
        parts = {old.id: tuple(old.replaced_by) for old in questionnaire.retired}
        return _SkipGraph(position, tuple(reads), {k: tuple(v) for k, v in readers.items()}, parts)

    return per_object(questionnaire, "skip_graph", build)


def effective_answers_after(
    org: Organisation,
    questionnaire: QuestionnaireFile,
    previous: EffectiveAnswers,
    previous_raw: Mapping[str, Any],
) -> tuple[EffectiveAnswers, set[str]]:
    """:func:`effective_answers` of ``org``, given ``previous`` = ``effective_answers`` of an
    organisation with the same profile and the raw answers ``previous_raw``; and the questions whose
    effective answer, blank or assumed status differs from ``previous``.

    A question's effective state depends only on its own raw answer (or a retired question's "yes"),
    the profile, and the effective answers of the earlier questions its ``show_if`` reads. So only the
    questions whose raw answer changed, and, in questionnaire order, those whose skip logic reads a
    question whose effective answer changed, are evaluated again; every other keeps its state. The
    result equals a full :func:`effective_answers` (the property tests compare the two). The fix-path
    asks this for each of its candidate passes, which differ from the current step in a few answers.
    """
    graph = _skip_graph(questionnaire)
    questions = questionnaire.questions
    answers = org.answers
    touched: set[str] = set()
    for k, v in answers.items():
        w = previous_raw.get(k, _UNSET)
        if v is not w and not _identical(v, w):  # mostly the very same objects (a shallow copy)
            touched.add(k)
    touched.update(previous_raw.keys() - answers.keys())
    for k in list(touched):
        touched.update(graph.parts.get(k, ()))
    pending = sorted({graph.position[k] for k in touched if k in graph.position})  # a heap: sorted
    if not pending:
        return previous, set()
    values = dict(previous.values)
    visible, assumed = set(previous.visible), set(previous.assumed)
    hidden, blank = set(previous.hidden), set(previous.blank)
    read = profile_accessor(org)
    inherited = {part: True for old in questionnaire.retired if answers.get(old.id) is True for part in old.replaced_by}
    changed: set[str] = set()
    queue = set(pending)
    while pending:
        i = heapq.heappop(pending)
        queue.discard(i)
        q = questions[i]
        before = (values.get(q.id, _UNSET), q.id in blank, q.id in assumed)
        values.pop(q.id, None)
        visible.discard(q.id)
        assumed.discard(q.id)
        hidden.discard(q.id)
        blank.discard(q.id)
        if q.show_if is None:
            shown = True
        else:
            view = {k: values[k] for k in graph.reads[i] if k in values}
            shown = holds(q.show_if, view, read)
        given = answers.get(q.id, inherited.get(q.id))
        if given == "not_applicable":
            shown = False
            given = None
        if not shown:
            if given is not None:
                hidden.add(q.id)
        else:
            visible.add(q.id)
            if given == "unknown":
                values[q.id] = (not q.target) if isinstance(q.target, bool) else False
                assumed.add(q.id)
            elif given is not None:
                values[q.id] = given
            else:
                blank.add(q.id)
                if q.type == "bool":
                    values[q.id] = False
                    assumed.add(q.id)
        now = values.get(q.id, _UNSET)
        if not _identical(before[0], now):
            # Skip logic tells true from 1 (conditions._same): re-read its readers on any difference.
            for j in graph.readers.get(q.id, ()):
                if j not in queue:
                    queue.add(j)
                    heapq.heappush(pending, j)
        if (
            (before[0] is _UNSET) != (now is _UNSET)
            or (now is not _UNSET and before[0] != now)
            or before[1] != (q.id in blank)
            or before[2] != (q.id in assumed)
        ):
            changed.add(q.id)  # as the engine compares two passes (``!=``, blank, assumed)
    result = EffectiveAnswers(values, frozenset(visible), frozenset(assumed), frozenset(hidden), frozenset(blank))
    return result, changed


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
