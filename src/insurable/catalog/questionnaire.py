"""The insurer-style questionnaire: typed questions grouped by topic, with skip logic, help text
saying why insurers ask, and links to the controls each answer evidences (reference §3.3)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from insurable.amounts import ANSWER_NUMBER_CEILING
from insurable.catalog.header import Frozen, Header
from insurable.conditions import Condition, Scalar
from insurable.errors import Problem
from insurable.text import Text

AnswerType = Literal["bool", "choice", "multi_choice", "number", "money", "percentage", "date", "text"]
Treatment = Literal["hard", "cond", "rate", "expo", "ref"]
#: Who reads a question that no rule, skip logic or loss-model effect reads (the orphan check accepts it).
Reader = Literal["underwriter_review", "portfolio", "scanner"]
#: Answers besides the typed value a yes/no question may accept where insurers accept them.
#: ``unknown`` (don't know) is read as the unfavourable answer (the opposite of the target) but never
#: declines on its own (the underwriter is asked to look); ``not_applicable`` is read as if the
#: question were not asked (like skip logic).
SpecialAnswer = Literal["unknown", "not_applicable"]
SPECIAL_ANSWERS: tuple[str, ...] = ("unknown", "not_applicable")


class Option(Frozen):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: Text


class Topic(Frozen):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: Text
    description: Text


class Question(Frozen):
    id: str = Field(pattern=r"^q\.[a-z0-9_]+\.[a-z0-9_]+$")
    topic: str
    type: AnswerType
    text: Text
    help: Text = Field(description="why insurers ask this")
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    show_if: Condition | None = Field(default=None, description="skip logic: ask only when this holds")
    evidences: tuple[str, ...] = Field(default=(), description="control ids this answer evidences")
    target: Scalar | tuple[str, ...] | None = Field(
        default=None, description="the answer that shows the evidenced controls fully in place"
    )
    better: Literal["higher", "lower", "first"] | None = Field(
        default=None,
        description="numeric targets: which direction is better; choice: 'first' = options listed best first",
    )
    treatment: tuple[Treatment, ...] = Field(min_length=1)
    accepts: tuple[SpecialAnswer, ...] = Field(
        default=(), description="yes/no only: 'unknown' and/or 'not_applicable' are accepted answers"
    )
    read_by: tuple[Reader, ...] = Field(
        default=(), description="who reads this answer when no rule, skip logic or loss-model effect does"
    )
    replaced_by: tuple[str, ...] = Field(
        default=(), description="retired questions: a 'yes' here reads as 'yes' to each of these (split questions)"
    )
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        has_options = self.type in ("choice", "multi_choice")
        if has_options and len(self.options) < 2:
            raise ValueError("choice and multi_choice questions need at least two options")
        if not has_options and self.options:
            raise ValueError(f"a {self.type} question has no options")
        if self.evidences and self.target is None:
            raise ValueError("a question that evidences a control needs a target answer")
        if self.target is not None:
            problem = check_answer(self, self.target)
            if problem:
                raise ValueError(f"target: {problem}")
        numeric = self.type in ("number", "money", "percentage")
        if numeric and self.target is not None and self.better not in ("higher", "lower"):
            raise ValueError("a numeric target needs better: higher or lower")
        if self.better == "first" and self.type != "choice":
            raise ValueError("better: first only applies to choice questions")
        if self.better in ("higher", "lower") and not numeric:
            raise ValueError("better: higher/lower only applies to numeric questions")
        if self.accepts and self.type != "bool":
            raise ValueError("accepts (unknown, not_applicable) only applies to yes/no questions")
        return self

    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def meets_target(self, value: Any) -> bool:
        """Whether ``value`` shows the evidenced controls in place (the target or better)."""
        if self.target is None or value is None:
            return False
        if self.type in ("number", "money", "percentage") and isinstance(self.target, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            return value >= self.target if self.better == "higher" else value <= self.target
        if self.type == "choice" and self.better == "first" and isinstance(self.target, str):
            order = self.option_ids()
            return value in order and order.index(value) <= order.index(self.target)
        if self.type == "multi_choice" and isinstance(self.target, tuple):
            return isinstance(value, list | tuple) and set(self.target) <= set(value)
        if isinstance(self.target, bool) or isinstance(value, bool):
            return isinstance(value, bool) and isinstance(self.target, bool) and value == self.target
        return bool(value == self.target)


class QuestionnaireFile(Frozen):
    header: Header
    topics: tuple[Topic, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)
    retired: tuple[Question, ...] = Field(
        default=(),
        description="questions no longer asked; answers to them stay valid (saved answers, old files) and a "
        "'yes' carries over to the questions in replaced_by",
    )

    def by_id(self) -> dict[str, Question]:
        """Every question an answer may name: the ones asked and the retired ones."""
        return {q.id: q for q in (*self.questions, *self.retired)}


def check_answer(question: Question, value: Any) -> str | None:
    """Return why ``value`` is not a valid answer to ``question``, or ``None`` when it is."""
    kind = question.type
    if kind == "bool":
        if isinstance(value, bool) or value in question.accepts:
            return None
        return "expected true or false" + "".join(f" or {a}" for a in question.accepts)
    if kind == "choice":
        if not isinstance(value, str) or value not in question.option_ids():
            return f"expected one of {', '.join(question.option_ids())}"
        return None
    if kind == "multi_choice":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return f"expected a list drawn from {', '.join(question.option_ids())}"
        unknown = [v for v in value if v not in question.option_ids()]
        if unknown:
            return f"unknown option(s) {', '.join(unknown)}; expected from {', '.join(question.option_ids())}"
        if len(set(value)) != len(value):
            return "an option is listed more than once"
        if "none" in value and len(value) > 1:
            return "'none' cannot be combined with other options; give none alone, or only the others"
        return None
    if kind in ("number", "money", "percentage"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return "expected a number"
        low = 0.0 if kind in ("money", "percentage") and question.min is None else question.min
        high = 100.0 if kind == "percentage" and question.max is None else question.max
        high = ANSWER_NUMBER_CEILING if high is None else high  # plausibility bound (docs/profile.md)
        if low is not None and value < low:
            return f"{value} is below the minimum {low:g}"
        if high is not None and value > high:
            return f"{value} is above the maximum {high:g}"
        return None
    if kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return None
        if isinstance(value, str):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return "expected a date as YYYY-MM-DD"
            return None
        return "expected a date as YYYY-MM-DD"
    if not isinstance(value, str):
        return "expected text"
    return None


def validate_answers(
    answers: Mapping[str, Any], questionnaire: QuestionnaireFile, file: str | None = None
) -> list[Problem]:
    """Every problem with a set of answers: unknown question ids and wrong types or ranges."""
    questions = questionnaire.by_id()
    problems: list[Problem] = []
    for qid, value in answers.items():
        question = questions.get(qid)
        if question is None:
            problems.append(Problem(path=f"answers.{qid}", reason="unknown question id", file=file))
            continue
        if value is None:
            continue
        reason = check_answer(question, value)
        if reason:
            problems.append(Problem(path=f"answers.{qid}", reason=reason, file=file))
    return problems
