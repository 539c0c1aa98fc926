"""Structured conditions: validation of the forms and evaluation with the facts behind a result."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from insurable.conditions import Condition, evaluate


def cond(data: dict) -> Condition:
    return Condition.model_validate(data)


def profile_of(**values):
    return lambda name: values.get(name)


def test_answer_predicates():
    answers = {"q.a.x": True, "q.a.n": 12, "q.a.c": "weekly", "q.a.m": ["health", "children"]}
    p = profile_of()
    assert evaluate(cond({"q": "q.a.x", "eq": True}), answers, p).value
    assert not evaluate(cond({"q": "q.a.x", "eq": False}), answers, p).value
    assert evaluate(cond({"q": "q.a.n", "gt": 10}), answers, p).value
    assert not evaluate(cond({"q": "q.a.n", "lte": 10}), answers, p).value
    assert evaluate(cond({"q": "q.a.c", "in": ["daily", "weekly"]}), answers, p).value
    assert evaluate(cond({"q": "q.a.m", "contains": "health"}), answers, p).value
    assert not evaluate(cond({"q": "q.a.m", "contains": "biometric"}), answers, p).value


def test_true_is_not_one():
    answers = {"q.a.n": 1, "q.a.b": True}
    p = profile_of()
    assert not evaluate(cond({"q": "q.a.n", "eq": True}), answers, p).value
    assert not evaluate(cond({"q": "q.a.b", "eq": 1}), answers, p).value
    assert not evaluate(cond({"q": "q.a.b", "gt": 0}), answers, p).value


def test_unanswered_questions():
    p = profile_of()
    assert not evaluate(cond({"q": "q.a.x", "eq": False}), {}, p).value
    assert evaluate(cond({"q": "q.a.x", "ne": "none"}), {}, p).value
    assert evaluate(cond({"q": "q.a.x", "answered": False}), {}, p).value
    assert evaluate(cond({"not": {"q": "q.a.x", "in": ["daily"]}}), {}, p).value


def test_all_any_not_report_the_deciding_facts():
    answers = {"q.a.x": False, "q.a.y": True, "q.a.z": False}
    p = profile_of(annual_turnover_eur=6_000_000)
    c = cond({"all": [{"q": "q.a.x", "eq": False}, {"profile": "annual_turnover_eur", "gt": 5_000_000}]})
    out = evaluate(c, answers, p)
    assert out.value
    assert {(f.kind, f.id) for f in out.facts} == {("answer", "q.a.x"), ("profile", "annual_turnover_eur")}

    c = cond({"any": [{"q": "q.a.x", "eq": True}, {"q": "q.a.y", "eq": True}, {"q": "q.a.z", "eq": True}]})
    out = evaluate(c, answers, p)
    assert out.value and [f.id for f in out.facts] == ["q.a.y"]

    out = evaluate(cond({"not": {"q": "q.a.y", "eq": True}}), answers, p)
    assert not out.value and [f.id for f in out.facts] == ["q.a.y"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": "q.a.x"},
        {"q": "q.a.x", "eq": True, "gt": 1},
        {"all": []},
        {"all": [{"always": True}], "eq": 1},
        {"q": "q.a.x", "profile": "employees", "eq": 1},
        {"q": "q.a.x", "like": "y"},
    ],
)
def test_malformed_conditions_are_rejected(data):
    with pytest.raises(ValidationError):
        cond(data)


def test_condition_lists_what_it_reads():
    c = cond({"any": [{"q": "q.a.x", "eq": True}, {"not": {"profile": "employees", "gt": 3}}]})
    assert c.question_ids() == {"q.a.x"}
    assert c.profile_fields() == {"employees"}
